/* Decode-only CPU time of the same JPEGs with libjpeg writing RGB (what exact hashing uses, as Pillow does)
 * and writing YCbCr (no colour conversion; libjpeg interleaves the planes with a copy). Median of 9 passes.
 * Build and run (hash_bench.py makes the JPEG folder):
 *     gcc -O2 Benchmarks/jpeg_colorspace_probe.c -ljpeg -o /tmp/probe && /tmp/probe Benchmarks/out/jpeg/x.jpg ...
 * At most 64 files, rows up to 20,000 pixels. Result and reading in Benchmarks/hash_results.md. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <jpeglib.h>

enum { MAX_FILES = 64, PASSES = 9 };
static unsigned char *files[MAX_FILES];
static long sizes[MAX_FILES];

static double cpu_seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static double decode_all(int count, J_COLOR_SPACE space) {
    static unsigned char row[3 * 20000];
    double start = cpu_seconds();
    for (int i = 0; i < count; i++) {
        struct jpeg_decompress_struct cinfo;
        struct jpeg_error_mgr errors;
        cinfo.err = jpeg_std_error(&errors);
        jpeg_create_decompress(&cinfo);
        jpeg_mem_src(&cinfo, files[i], (unsigned long)sizes[i]);
        jpeg_read_header(&cinfo, TRUE);
        cinfo.out_color_space = space;
        jpeg_start_decompress(&cinfo);
        JSAMPROW pointer = row;
        while (cinfo.output_scanline < cinfo.output_height) jpeg_read_scanlines(&cinfo, &pointer, 1);
        jpeg_finish_decompress(&cinfo);
        jpeg_destroy_decompress(&cinfo);
    }
    return cpu_seconds() - start;
}

static int ascending(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
    int count = argc - 1 < MAX_FILES ? argc - 1 : MAX_FILES;
    for (int i = 0; i < count; i++) {
        FILE *file = fopen(argv[i + 1], "rb");
        if (!file) { perror(argv[i + 1]); return 1; }
        fseek(file, 0, SEEK_END);
        sizes[i] = ftell(file);
        rewind(file);
        files[i] = malloc((size_t)sizes[i]);
        if (!files[i] || fread(files[i], 1, (size_t)sizes[i], file) != (size_t)sizes[i]) { fclose(file); return 1; }
        fclose(file);
    }
    if (count == 0) { fprintf(stderr, "usage: probe FILE.jpg...\n"); return 2; }
    double rgb[PASSES], ycc[PASSES];
    for (int pass = 0; pass < PASSES; pass++) {
        rgb[pass] = decode_all(count, JCS_RGB);
        ycc[pass] = decode_all(count, JCS_YCbCr);
    }
    qsort(rgb, PASSES, sizeof(double), ascending);
    qsort(ycc, PASSES, sizeof(double), ascending);
    printf("%d files: RGB %.3f ms/image, YCbCr %.3f ms/image, YCbCr / RGB %.3f\n", count,
           rgb[PASSES / 2] * 1000 / count, ycc[PASSES / 2] * 1000 / count, ycc[PASSES / 2] / rgb[PASSES / 2]);
    return 0;
}
