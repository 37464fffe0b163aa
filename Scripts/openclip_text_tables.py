#!/usr/bin/env python3
"""Writes Sources/SkyCLIP/Resources/text-cleaning.json: the lookup tables behind open_clip's text cleaning.

open_clip's tokenizer cleans text with ftfy.fix_text and html.unescape (twice). Their behaviour rests on
tables (HTML5 entity names, ftfy's ligature / character-width / control-character maps, windows-1252 for C1
controls). This script exports exactly those tables from the installed ftfy (6.3.1) and Python, so the Swift
TextCleaner applies the same mappings without copying code. Run: python3 Scripts/openclip_text_tables.py
"""
import html.entities
import json
import pathlib

import ftfy
from ftfy import chardata

# Python's html module keeps these private tables; html.unescape depends on them.
import html as pyhtml

root = pathlib.Path(__file__).resolve().parent.parent
out = root / "Sources/SkyCLIP/Resources/text-cleaning.json"

def char_map(table):
    result = {}
    for key, value in table.items():
        result[str(key)] = "" if value is None else (value if isinstance(value, str) else chr(value))
    return result

cp1252 = {}
for byte in range(0x80, 0xA0):
    cp1252[str(byte)] = bytes([byte]).decode("sloppy-windows-1252")

tables = {
    "source": f"ftfy {ftfy.__version__}, Python html.entities",
    "html5": dict(html.entities.html5),
    "ftfyEntities": dict(chardata.HTML_ENTITIES),
    "invalidCharrefs": {str(k): v for k, v in pyhtml._invalid_charrefs.items()},
    "invalidCodepoints": sorted(pyhtml._invalid_codepoints),
    "ligatures": char_map(chardata.LIGATURES),
    "widthMap": char_map(chardata.WIDTH_MAP),
    "controlChars": sorted(chardata.CONTROL_CHARS.keys()),
    "c1ToWindows1252": cp1252,
}
out.write_text(json.dumps(tables, ensure_ascii=True, sort_keys=True, separators=(",", ":")))
print(f"wrote {out} ({out.stat().st_size} bytes)")
