#!/usr/bin/env python3
"""Writes the TIFF decode and hash parity fixtures with Pillow 13 and imagehash 4.3.2 as the reference.

Run from the package root:  python3 Scripts/tiff_fixtures.py
Needs numpy, Pillow, imagehash, tifffile and imagecodecs (pip install tifffile imagecodecs: tifffile writes
the tiled, predictor, big-endian, MinIsWhite, ExtraSamples and planar layouts that Pillow's writer cannot).

It writes small synthetic TIFFs into Tests/SkyImagingTests/Fixtures/tiff/ -- every layout and compression
SkyImaging decodes (8-bit gray, gray+alpha, RGB, RGBA, palette; none, LZW, deflate, PackBits, JPEG with RGB and with
YCbCr; strips and tiles; both byte orders; little-endian BigTIFF; odd sizes; a UCM-captions-like 256x256 RGB uncompressed file) plus layouts it refuses
(16-bit MinIsWhite, uncompressed YCbCr, separate planes, 1-bit, CMYK) -- and records in tiff.json, for each supported file, what
Pillow decodes (mode, size, SHA-256 of the 8-bit pixels) and imagehash's phash, dhash and ahash.
Tests/SkyHashingTests/Fixtures/tiff_hashes.json gets the same hashes for the hash parity test.
"""
import os

import numpy as np
import tifffile
from PIL import Image

from codec_fixtures_common import record, scene

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "SkyImagingTests", "Fixtures", "tiff")



def tiff(name, array, **options):
    tifffile.imwrite(os.path.join(OUT, name), array, **options)


def write_supported():
    rgb = scene(61, 37, 1)
    rgba = scene(61, 37, 2, 4)
    gray = scene(45, 29, 3, 1)
    la = scene(45, 29, 4, 4)[:, :, [0, 3]].copy()
    # UCM-captions: 256x256 8-bit RGB, uncompressed, as Pillow writes it.
    Image.fromarray(scene(256, 256, 5)).save(os.path.join(OUT, "ucm_like_rgb_256.tif"))
    for compression in ["raw", "tiff_lzw", "tiff_adobe_deflate", "packbits", "jpeg"]:
        Image.fromarray(rgb).save(os.path.join(OUT, f"rgb_{compression}.tif"), compression=compression)
    # Pillow saves a "YCbCr" image as PhotometricInterpretation 6: JPEG-in-TIFF decoded to RGB.
    Image.fromarray(rgb).convert("YCbCr").save(os.path.join(OUT, "ycbcr_jpeg.tif"), compression="jpeg")
    tiff("ycbcr_jpeg_subsampled_tiles.tif", scene(50, 40, 6), photometric="ycbcr", compression="jpeg",
         subsampling=(2, 2), tile=(16, 16))
    Image.fromarray(gray).save(os.path.join(OUT, "gray_jpeg.tif"), compression="jpeg")
    for compression in ["raw", "tiff_lzw", "tiff_adobe_deflate"]:
        Image.fromarray(gray).save(os.path.join(OUT, f"gray_{compression}.tif"), compression=compression)
        Image.fromarray(rgba).save(os.path.join(OUT, f"rgba_{compression}.tif"), compression=compression)
        Image.fromarray(la, "LA").save(os.path.join(OUT, f"la_{compression}.tif"), compression=compression)
    tiff("rgb_tiles_none.tif", rgb, photometric="rgb", tile=(16, 16))
    tiff("rgb_tiles_lzw_predictor.tif", rgb, photometric="rgb", tile=(32, 16), compression="lzw", predictor=True)
    tiff("gray_tiles_deflate.tif", gray, photometric="minisblack", tile=(16, 32), compression="zlib")
    tiff("rgba_tiles_packbits.tif", rgba, photometric="rgb", tile=(16, 16), compression="packbits",
         extrasamples=["unassalpha"])
    tiff("rgb_strips5_lzw_predictor.tif", rgb, photometric="rgb", rowsperstrip=5, compression="lzw", predictor=True)
    tiff("rgb_strips7_bigendian.tif", rgb, photometric="rgb", rowsperstrip=7, byteorder=">")
    tiff("gray_bigendian_deflate_predictor.tif", gray, photometric="minisblack", byteorder=">",
         compression="zlib", predictor=True, rowsperstrip=4)
    tiff("gray_miniswhite.tif", gray, photometric="miniswhite")
    tiff("rgb_bigtiff_tiles_deflate.tif", rgb, photometric="rgb", bigtiff=True, tile=(16, 16), compression="zlib")
    tiff("gray_bigtiff_strips3.tif", gray, photometric="minisblack", bigtiff=True, rowsperstrip=3)
    tiff("rgbx_unspecified.tif", rgba, photometric="rgb", extrasamples=["unspecified"])
    tiff("rgba_associated.tif", rgba, photometric="rgb", extrasamples=["assocalpha"], compression="zlib")
    tiff("gray_x_unspecified.tif", la, photometric="minisblack", extrasamples=["unspecified"])
    tiff("one_pixel.tif", scene(1, 1, 7), photometric="rgb")
    # Palette ("P"): Pillow keeps each 16-bit ColorMap entry's high byte; the colour map uses all 16 bits.
    colormap = np.random.default_rng(9).integers(0, 65536, (3, 256)).astype(np.uint16)
    indices = scene(61, 37, 10, 1)
    tiff("palette_raw.tif", indices, photometric="palette", colormap=colormap)
    tiff("palette_tiles_lzw.tif", indices, photometric="palette", colormap=colormap, tile=(16, 16), compression="lzw")
    tiff("tall_3x97_lzw.tif", scene(3, 97, 8), photometric="rgb", compression="lzw", rowsperstrip=10)


def write_unsupported():
    """Layouts SkyImaging refuses with "convert it to PNG"; name -> what the message names."""
    # 16-bit MinIsBlack gray, RGB and RGBA are decoded (Scripts/sixteen_bit_fixtures.py); MinIsWhite is not.
    tiff("unsupported_gray16_miniswhite.tif", (scene(20, 10, 9, 1).astype(np.uint16) * 257), photometric="miniswhite")
    tiff("unsupported_ycbcr_raw.tif", scene(20, 10, 10), photometric="ycbcr", subsampling=(1, 1))
    tiff("unsupported_planar.tif", np.moveaxis(scene(20, 10, 11), 2, 0).copy(), photometric="rgb",
         planarconfig="separate")
    Image.fromarray(scene(20, 10, 12, 1)).convert("1").save(os.path.join(OUT, "unsupported_bilevel.tif"))
    Image.fromarray(scene(20, 10, 13, 4)).convert("CMYK").save(os.path.join(OUT, "unsupported_cmyk.tif"))
    return {
        "unsupported_gray16_miniswhite.tif": "16-bit samples are supported for MinIsBlack gray, RGB and RGBA only",
        "unsupported_ycbcr_raw.tif": "YCbCr (outside JPEG compression)",
        "unsupported_planar.tif": "separate colour planes",
        "unsupported_bilevel.tif": "1-bit",
        "unsupported_cmyk.tif": "CMYK",
    }


def main():
    os.makedirs(OUT, exist_ok=True)
    for name in os.listdir(OUT):
        if name.endswith(".tif"):
            os.remove(os.path.join(OUT, name))
    write_supported()
    unsupported = write_unsupported()
    record("tiff", ".tif", unsupported, ("L", "LA", "RGB", "RGBA", "P"), {"tifffile": tifffile.__version__})


if __name__ == "__main__":
    main()
