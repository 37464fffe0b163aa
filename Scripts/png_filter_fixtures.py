#!/usr/bin/env python3
"""Writes small 8-bit PNGs that exercise the fast PNG path (Sources/CSkyCodecs/png_fast.c).

Every image uses all five PNG filter types (None, Sub, Up, Average, Paeth), each one also on the
first row, over random pixels; the colour types are gray, gray+alpha, RGB, RGBA, palette and
palette+tRNS, plus files with the image data split over many IDAT chunks, ancillary chunks (one with
a damaged CRC, which decoders ignore), and palette indices past the palette's end; and two files
whose image data has too few or too many rows ("declined" in expected.json).

The filtering is done here, from the specification, so the expected pixels are known before any
decoder runs: Tests/SkyImagingTests/Fixtures/pngfast/expected.json records the SHA-256 of the
decoded pixels (palettes expanded to RGB/RGBA, and as raw indices) and Pillow's digest of the same
file as a second opinion (null where Pillow refuses the file: it rejects a damaged ancillary CRC).

Usage: python3 Scripts/png_filter_fixtures.py
"""
import hashlib
import io
import json
import os
import random
import struct
import zlib

from PIL import Image

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "SkyImagingTests", "Fixtures", "pngfast")
CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}


def chunk(kind, body, damage_crc=False):
    crc = zlib.crc32(kind + body) & 0xFFFFFFFF
    if damage_crc:
        crc ^= 0x5A5A5A5A
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)


def paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def filter_row(kind, row, prior, bpp):
    out = bytearray([kind])
    for x, value in enumerate(row):
        a = row[x - bpp] if x >= bpp else 0
        b = prior[x]
        c = prior[x - bpp] if x >= bpp else 0
        predictor = (0, a, b, (a + b) // 2, paeth(a, b, c))[kind]
        out.append((value - predictor) & 0xFF)
    return out


def make(name, color_type, width, height, seed, palette=None, trns=None, idat_pieces=1,
         extra_chunks=(), max_index=None):
    rng = random.Random(seed)
    bpp = CHANNELS[color_type]
    rows = []
    for y in range(height):
        if color_type == 3:
            top = max_index if max_index is not None else len(palette) // 3 - 1
            rows.append(bytes(rng.randint(0, top) for _ in range(width)))
        else:
            # Smooth ramps with noise, so that every predictor sees real neighbours.
            rows.append(bytes((x * 7 + y * 13 + c * 50 + rng.randint(0, 40)) & 0xFF
                              for x in range(width) for c in range(bpp)))
    filtered = bytearray()
    prior = bytes(width * bpp)
    for y, row in enumerate(rows):
        filtered += filter_row((y + seed) % 5, row, prior, bpp)
        prior = row
    data = zlib.compress(bytes(filtered), 9)
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, color_type, 0, 0, 0))
    for kind, body, damaged in extra_chunks:
        png += chunk(kind, body, damaged)
    if palette is not None:
        png += chunk(b"PLTE", palette)
    if trns is not None:
        png += chunk(b"tRNS", trns)
    step = -(-len(data) // idat_pieces)
    for start in range(0, len(data), step):
        png += chunk(b"IDAT", data[start:start + step])
    png += chunk(b"tEXt", b"Comment\x00after the image data") + chunk(b"IEND", b"")

    raw = b"".join(rows)
    if color_type == 3:
        table = [tuple(palette[i * 3:i * 3 + 3]) if i * 3 < len(palette) else (0, 0, 0) for i in range(256)]
        alpha = [trns[i] if trns is not None and i < len(trns) else 255 for i in range(256)]
        expanded = b"".join(bytes(table[i] + ((alpha[i],) if trns is not None else ())) for i in raw)
        layout = "RGBA" if trns is not None else "RGB"
    else:
        expanded = raw
        layout = {0: "L", 4: "LA", 2: "RGB", 6: "RGBA"}[color_type]  # Pillow mode names
    with open(os.path.join(OUT, name), "wb") as handle:
        handle.write(png)
    try:
        pillow = Image.open(io.BytesIO(png))
        if color_type == 3:
            pillow = pillow.convert("RGBA" if trns is not None else "RGB")
        pillow_sha256 = hashlib.sha256(pillow.tobytes()).hexdigest()
    except Exception:  # Pillow refuses a damaged ancillary CRC, which libpng ignores
        pillow_sha256 = None
    return {
        "file": name, "width": width, "height": height, "layout": layout,
        "sha256": hashlib.sha256(expanded).hexdigest(),
        "indices_sha256": hashlib.sha256(raw).hexdigest() if color_type == 3 else None,
        "pillow_sha256": pillow_sha256,
    }


def mismatched(name, rows):
    """An RGB 7x6 PNG whose zlib stream holds `rows` rows instead of 6: the fast path declines it and
    libpng decides (too few rows: "Not enough image data"; extra rows: libpng only warns)."""
    raw = b"".join(b"\x00" + bytes((x * 5 + y) & 0xFF for x in range(21)) for y in range(rows))
    png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 7, 6, 8, 2, 0, 0, 0))
           + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
    with open(os.path.join(OUT, name), "wb") as handle:
        handle.write(png)
    return {"file": name, "rows": rows, "libpng_fails": rows < 6}


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = random.Random(11)
    palette = bytes(rng.randint(0, 255) for _ in range(3 * 40))
    text = (b"tEXt", b"Title\x00filters", False)
    damaged = (b"zTXt", b"Note\x00\x00" + zlib.compress(b"ignored"), True)
    entries = []
    for seed in range(5):  # each seed starts the filter cycle on a different type
        entries.append(make(f"gray_{seed}.png", 0, 17, 11, seed))
        entries.append(make(f"gray_alpha_{seed}.png", 4, 13, 9, seed))
        entries.append(make(f"rgb_{seed}.png", 2, 19, 10, seed))
        entries.append(make(f"rgba_{seed}.png", 6, 11, 12, seed))
        entries.append(make(f"palette_{seed}.png", 3, 21, 8, seed, palette=palette))
        entries.append(make(f"palette_trns_{seed}.png", 3, 15, 9, seed, palette=palette,
                            trns=bytes(rng.randint(0, 255) for _ in range(25))))
    entries.append(make("rgb_many_idat.png", 2, 64, 40, 7, idat_pieces=9, extra_chunks=[text, damaged]))
    entries.append(make("gray_1px.png", 0, 1, 1, 3))
    entries.append(make("rgba_1col.png", 6, 1, 23, 4))
    entries.append(make("palette_past_end.png", 3, 16, 6, 2, palette=palette[:30], trns=b"\x00\x80\xff",
                        max_index=255))
    declined = [mismatched("rows_missing.png", 3), mismatched("rows_extra.png", 9)]
    with open(os.path.join(OUT, "expected.json"), "w") as handle:
        json.dump({"files": entries, "declined": declined}, handle, indent=1)
    print(f"wrote {len(entries) + len(declined)} PNGs to {os.path.relpath(OUT, ROOT)}")


if __name__ == "__main__":
    main()
