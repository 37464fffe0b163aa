#!/usr/bin/env python3
"""Writes Tests/SkyDatasetsTests/Fixtures/sizes/: small TIFF and BMP files with the sizes Pillow reads.

UCM-captions, Sydney-captions and RSITMD ship TIFF images, HRSC2016 ships BMP. SkyCorpus reads only their
width and height from the header; this script saves tiny files in the variants those datasets and common
tools produce (little-endian TIFF from Pillow, raw and LZW, 8/16-bit, RGB and gray; a hand-built big-endian
TIFF with a LONG width and a SHORT height; BMP 24 and 8 bit, bottom-up and top-down) and records Pillow's
Image.open(...).size in sizes.json for the Swift test. Needs: Pillow.
"""
import json
import os
import struct

from PIL import Image

OUT = os.path.join(os.path.dirname(__file__), "..", "Tests", "SkyDatasetsTests", "Fixtures", "sizes")


def big_endian_tiff(width, height):
    """A minimal big-endian gray TIFF: 8 tags, one strip (truncated: only the header is ever read)."""
    pixels = bytes(16)
    tags = [  # tag, type (3 SHORT, 4 LONG), value
        (256, 4, width), (257, 3, height), (258, 3, 8), (259, 3, 1), (262, 3, 1),
        (273, 4, 0), (278, 4, height), (279, 4, width * height),
    ]
    ifd_offset = 8
    data_offset = ifd_offset + 2 + 12 * len(tags) + 4
    entries = b""
    for tag, kind, value in tags:
        value = data_offset if tag == 273 else value
        packed = struct.pack(">H2x", value) if kind == 3 else struct.pack(">I", value)
        entries += struct.pack(">HHI", tag, kind, 1) + packed
    return b"MM\x00\x2a" + struct.pack(">I", ifd_offset) + struct.pack(">H", len(tags)) + entries + b"\0\0\0\0" + pixels


def top_down_bmp(width, height):
    """A 24-bit BMP with a negative height (rows stored top-down)."""
    row = (width * 3 + 3) // 4 * 4
    pixels = bytes(row * height)
    header = struct.pack("<2sIHHI", b"BM", 54 + len(pixels), 0, 0, 54)
    info = struct.pack("<IiiHHIIiiII", 40, width, -height, 1, 24, 0, len(pixels), 2835, 2835, 0, 0)
    return header + info + pixels


def main():
    os.makedirs(OUT, exist_ok=True)
    cases = []

    def record(name):
        with Image.open(os.path.join(OUT, name)) as image:
            cases.append({"file": name, "width": image.size[0], "height": image.size[1]})

    def save(name, image, **options):
        image.save(os.path.join(OUT, name), **options)
        record(name)

    save("rgb_le.tif", Image.new("RGB", (7, 5), (10, 20, 30)))
    save("gray_lzw.tif", Image.new("L", (300, 2), 9), compression="tiff_lzw")
    save("gray16.tif", Image.new("I;16", (3, 70)))
    with open(os.path.join(OUT, "gray_be.tif"), "wb") as f:
        f.write(big_endian_tiff(70000, 3))
    record("gray_be.tif")
    save("rgb24.bmp", Image.new("RGB", (13, 6)))
    save("gray8.bmp", Image.new("L", (6, 13)))
    with open(os.path.join(OUT, "topdown.bmp"), "wb") as f:
        f.write(top_down_bmp(5, 3))
    record("topdown.bmp")
    with open(os.path.join(OUT, "sizes.json"), "w") as f:
        json.dump({"generator": "Scripts/make_image_size_fixtures.py", "cases": cases}, f, indent=1)
    print(f"wrote {len(cases)} files to {OUT}")


if __name__ == "__main__":
    main()
