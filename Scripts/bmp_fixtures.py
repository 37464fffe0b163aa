#!/usr/bin/env python3
"""Writes the BMP decode and hash parity fixtures with Pillow 13 and imagehash 4.3.2 as the reference.

Run from the package root:  python3 Scripts/bmp_fixtures.py

It writes small synthetic BMPs into Tests/SkyImagingTests/Fixtures/bmp/ -- Pillow's own writer (1-bit, "L", "P",
RGB, RGBA saved as 32-bit BI_RGB) and hand-built files for the layouts Pillow reads but does not write (12-byte core
header, V4/V5 headers, top-down rows, 4-bit and 1-bit colour palettes, short palettes with indices past them,
16-bit 5-5-5 and 5-6-5, 24/32-bit BI_BITFIELDS with every 32-bit mask Pillow accepts, an offset that points at the
palette, offset 0), odd widths for the row padding, 1x1 -- plus files SkyImaging refuses (RLE8, RLE4, other masks,
2-bit, an unknown header, the gray palettes Pillow misreads), and records in bmp.json, for each supported file, what
Pillow decodes (mode, size, SHA-256 of the pixels: "P" as convert("RGB"), "1" as convert("L")) and imagehash's
phash, dhash and ahash. Tests/SkyHashingTests/Fixtures/bmp_hashes.json gets the same hashes.
"""
import os
import struct

import numpy as np
from PIL import Image

from codec_fixtures_common import record, scene

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "SkyImagingTests", "Fixtures", "bmp")


def pack_row(values, bits):
    """One row of pixel values (ints for <= 16 bits, byte tuples above) packed and padded to 4 bytes."""
    if bits in (1, 4):
        per = 8 // bits
        out = bytearray()
        for start in range(0, len(values), per):
            byte = 0
            for k, value in enumerate(values[start:start + per]):
                byte |= value << (8 - bits * (k + 1))
            out.append(byte)
    elif bits == 8:
        out = bytearray(values)
    elif bits == 16:
        out = bytearray(b"".join(struct.pack("<H", v) for v in values))
    else:
        out = bytearray(b"".join(bytes(v) for v in values))
    stride = ((len(values) * bits + 31) >> 3) & ~3
    return bytes(out) + b"\0" * (stride - len(out))


def rle(rows, nibbles):
    """A genuine RLE8 (or RLE4) stream: runs of one index, end of line, end of bitmap."""
    out = bytearray()
    for row in rows:
        x = 0
        while x < len(row):
            run = 1
            while x + run < len(row) and row[x + run] == row[x] and run < 255:
                run += 1
            out += bytes([run, row[x] << 4 | row[x] if nibbles else row[x]])
            x += run
        out += b"\0\0"
    return bytes(out + b"\0\1")


def build(name, rows, bits, header=40, compression=0, palette=None, masks=None, top_down=False,
          colors_used=None, offset=None):
    """A BMP from rows of pixel values; `masks` (r, g, b[, a]) go inside V4/V5 headers or after a 40-byte one."""
    height, width = len(rows), len(rows[0])
    stored = rows if top_down else rows[::-1]
    if compression in (1, 2):
        pixels = rle(stored, compression == 2)
    else:
        pixels = b"".join(pack_row(list(row), bits) for row in stored)
    if header == 12:
        info = struct.pack("<IHHHH", 12, width, height, 1, bits)
        entry = 3
    else:
        info = struct.pack("<IiiHHIIiiII", header, width, -height if top_down else height, 1, bits, compression,
                           len(pixels), 2835, 2835, colors_used or 0, 0)
        extra = b""
        if masks is not None:
            extra = struct.pack("<" + "I" * len(masks), *masks)
        if header == 40:
            info += extra
        else:
            body = (extra + b"\0" * 16)[:16] if masks is not None else b"\0" * 16
            info += (body + b"\0" * header)[:header - 40]
        entry = 4
    table = b"".join(bytes([b, g, r]) + (b"\0" if entry == 4 else b"") for r, g, b in (palette or []))
    start = 14 + len(info) + len(table)
    data_offset = start if offset is None else offset
    head = b"BM" + struct.pack("<IHHI", start + len(pixels), 0, 0, data_offset)
    with open(os.path.join(OUT, name), "wb") as handle:
        handle.write(head + info + table + pixels)


def rgb_rows(array, order):
    """Rows of byte tuples, channels picked by `order` (indices into RGBA, -1 for a filler 0x7F)."""
    return [[tuple(int(px[i]) if i >= 0 else 0x7F for i in order) for px in row] for row in array]


def write_supported():
    rgb = scene(61, 37, 1)
    rgba = scene(29, 17, 2, 4)
    gray = scene(45, 29, 3, 1)
    # HRSC2016: 24-bit BI_RGB, bottom-up, as Pillow writes it.
    Image.fromarray(scene(64, 48, 4)).save(os.path.join(OUT, "rgb24_hrsc_like.bmp"))
    Image.fromarray(rgb).save(os.path.join(OUT, "rgb24_odd_width.bmp"))
    Image.fromarray(scene(1, 1, 5)).save(os.path.join(OUT, "rgb24_one_pixel.bmp"))
    Image.fromarray(rgba).save(os.path.join(OUT, "rgb32_pillow_rgba_saved.bmp"))  # read back as RGB
    Image.fromarray(gray).save(os.path.join(OUT, "gray8_pillow.bmp"))
    Image.fromarray(gray).convert("1").save(os.path.join(OUT, "bilevel1_pillow.bmp"))
    Image.fromarray(scene(45, 29, 6)).convert("P", palette=Image.Palette.ADAPTIVE, colors=200).save(
        os.path.join(OUT, "palette8_pillow.bmp"))
    rng = np.random.default_rng(11)
    palette = [tuple(int(v) for v in rng.integers(0, 256, 3)) for _ in range(256)]
    indices16 = (scene(23, 13, 7, 1) % 16).tolist()
    build("palette4_odd.bmp", indices16, 4, palette=palette[:16])
    build("palette4_core12.bmp", indices16, 4, header=12, palette=palette[:16])
    indices2 = (scene(37, 11, 8, 1) % 2).tolist()
    build("palette1_colour.bmp", indices2, 1, palette=[(200, 30, 40), (10, 220, 90)])
    build("palette1_topdown.bmp", indices2, 1, palette=[(1, 2, 3), (250, 251, 252)], top_down=True)
    indices = scene(31, 19, 9, 1).tolist()
    build("palette8_short_palette.bmp", indices, 8, palette=palette[:100], colors_used=100)  # indices past it: black
    build("palette8_topdown_v5.bmp", indices, 8, header=124, palette=palette, top_down=True)
    build("palette8_core12.bmp", indices, 8, header=12, palette=palette)
    build("palette8_offset_at_palette.bmp", indices, 8, palette=palette, offset=54)
    build("palette8_offset_zero.bmp", indices, 8, palette=palette, offset=0)
    build("gray8_identity_short.bmp", indices, 8, palette=[(v, v, v) for v in range(120)], colors_used=120)
    build("rgb24_core12.bmp", rgb_rows(rgb, (2, 1, 0)), 24, header=12)
    build("rgb24_topdown_v4.bmp", rgb_rows(rgb, (2, 1, 0)), 24, header=108, top_down=True)
    build("rgb24_bitfields.bmp", rgb_rows(rgb, (2, 1, 0)), 24, compression=3, masks=(0xFF0000, 0xFF00, 0xFF))
    build("rgb32_bgrx_topdown.bmp", rgb_rows(rgba, (2, 1, 0, 3)), 32, top_down=True)
    bgr15 = [[(int(r) >> 3) << 10 | (int(g) >> 3) << 5 | int(b) >> 3 | (1 << 15) * (int(a) & 1)
              for r, g, b, a in row] for row in rgba]
    bgr16 = [[(int(r) >> 3) << 11 | (int(g) >> 2) << 5 | int(b) >> 3 for r, g, b, a in row] for row in rgba]
    build("rgb16_555_raw.bmp", bgr15, 16)
    build("rgb16_555_bitfields.bmp", bgr15, 16, compression=3, masks=(0x7C00, 0x3E0, 0x1F))
    build("rgb16_565_bitfields_v5.bmp", bgr16, 16, header=124, compression=3, masks=(0xF800, 0x7E0, 0x1F, 0))
    # 32-bit bitfields: every mask set Pillow 13 accepts; byte order little-endian, so mask 0xFF is byte 0.
    layouts = {
        "bgrx": ((0xFF0000, 0xFF00, 0xFF, 0), (2, 1, 0, -1)),
        "xbgr": ((0xFF000000, 0xFF0000, 0xFF00, 0), (-1, 2, 1, 0)),
        "bgxr": ((0xFF000000, 0xFF00, 0xFF, 0), (2, 1, -1, 0)),
        "abgr": ((0xFF000000, 0xFF0000, 0xFF00, 0xFF), (3, 2, 1, 0)),
        "rgba": ((0xFF, 0xFF00, 0xFF0000, 0xFF000000), (0, 1, 2, 3)),
        "bgra": ((0xFF0000, 0xFF00, 0xFF, 0xFF000000), (2, 1, 0, 3)),
        "bgar": ((0xFF000000, 0xFF00, 0xFF, 0xFF0000), (2, 1, 3, 0)),
        "zero_masks": ((0, 0, 0, 0), (2, 1, 0, 3)),
    }
    for label, (masks, order) in layouts.items():
        build(f"rgb32_bitfields_{label}_v5.bmp", rgb_rows(rgba, order), 32, header=124, compression=3, masks=masks)
    build("rgb32_bitfields_bgrx_info40.bmp", rgb_rows(rgba, (2, 1, 0, -1)), 32, compression=3,
          masks=(0xFF0000, 0xFF00, 0xFF))


def write_unsupported():
    """Files SkyImaging refuses with "convert it to PNG"; name -> what the message names."""
    rgb = scene(20, 10, 12)
    indices = scene(20, 10, 13, 1).tolist()
    palette = [(v, 255 - v, v // 2) for v in range(256)]
    build("unsupported_rle8.bmp", indices, 8, compression=1, palette=palette)
    build("unsupported_rle4.bmp", [[v % 16 for v in row] for row in indices], 4, compression=2, palette=palette[:16])
    build("unsupported_masks.bmp", rgb_rows(rgb, (0, 1, 2, -1)), 32, header=124, compression=3,
          masks=(0xFF00, 0xFF0000, 0xFF000000, 0))
    build("unsupported_2bit.bmp", [[v % 4 for v in row] for row in indices], 2, palette=palette[:4])
    build("unsupported_bw_palette_8bit.bmp", [[v % 2 for v in row] for row in indices], 8,
          palette=[(0, 0, 0), (255, 255, 255)], colors_used=2)
    build("unsupported_gray_ramp_4bit.bmp", [[v % 16 for v in row] for row in indices], 4,
          palette=[(v, v, v) for v in range(16)])
    return {
        "unsupported_rle8.bmp": "RLE8",
        "unsupported_rle4.bmp": "RLE4",
        "unsupported_masks.bmp": "bitfields",
        "unsupported_2bit.bmp": "2 bits per pixel",
        "unsupported_bw_palette_8bit.bmp": "black/white palette",
        "unsupported_gray_ramp_4bit.bmp": "gray ramp palette",
    }


def main():
    os.makedirs(OUT, exist_ok=True)
    for name in os.listdir(OUT):
        if name.endswith(".bmp"):
            os.remove(os.path.join(OUT, name))
    write_supported()
    unsupported = write_unsupported()
    record("bmp", ".bmp", unsupported, ("1", "L", "RGB", "RGBA", "P"))


if __name__ == "__main__":
    main()
