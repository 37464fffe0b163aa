#!/usr/bin/env python3
"""Writes Tests/SkyCLIPTests/Fixtures/mojibake.json: texts with mojibake and what open_clip's cleaning makes of them.

open_clip's tokenizer (clean='lower') cleans with `whitespace_clean(basic_clean(text)).lower()`: basic_clean is
ftfy.fix_text, html.unescape twice, strip; whitespace_clean joins str.split() with single spaces. That is done
here with ftfy 6.3.1 itself (the same function calls as open_clip's tokenizer.py). Texts: the RSICD/RSITMD
captions of ../shared/realdata that hold non-ASCII characters (only U+2019 there), those captions and accented
words turned into mojibake through each codec ftfy knows (UTF-8 bytes read as windows-1252, latin-1, windows-1251,
windows-1250, MacRoman, cp437, twice for some), spaces that were byte A0, lost bytes, C1 controls, mojibake mixed
with correct text, and correct non-ASCII text that must stay as it is. Run: python3 Scripts/ftfy_mojibake_fixture.py
"""
import html
import json
import pathlib

import ftfy

root = pathlib.Path(__file__).resolve().parent.parent
realdata = root.parent / "shared/realdata/captions"
out = root / "Tests/SkyCLIPTests/Fixtures/mojibake.json"


def open_clip_clean(text):
    text = ftfy.fix_text(text)
    text = html.unescape(html.unescape(text)).strip()
    return " ".join(text.split()).lower()


def mojibake(text, codec):
    try:
        return text.encode("utf-8").decode(codec)
    except UnicodeDecodeError:
        return None


real = []
for path in sorted(realdata.rglob("*")):
    if path.suffix in (".json", ".jsonl", ".txt"):
        for line in path.read_text(encoding="utf-8").splitlines():
            for piece in line.split('"'):
                if any(ord(c) > 127 for c in piece) and piece not in real:
                    real.append(piece)

words = ["the water’s edge", "café near the sea", "été", "São Paulo harbour", "naïve “quoted” river", "Ærøskøbing",
         "İstanbul airport", "Straße", "a 10° slope", "señor’s résumé", "… and more — see", "Ελλάδα", "Москва",
         "北京机场", "storage tanks 🛢 near a 🚢", "Zürich’s “old” town", "½ of the field", "€5 parking"]
texts = list(real)
for sample in real + words:
    for codec in ["cp1252", "latin-1", "cp1251", "cp1250", "mac_roman", "cp437", "cp1253", "iso-8859-2"]:
        once = mojibake(sample, codec)
        if once and once != sample:
            texts.append(once)
            twice = mojibake(once, codec)
            if twice and codec == "cp1252":
                texts.append(twice)
texts += [
    "voilÃ le travail", "the plane is Ã  gauche", "Ã© at the start", "two planes â€\ufffd parked", "cafÃ\x1a",
    "\x93quoted\x94 by windows", "a \x80 sign and \x81 undefined", "Ã©tÃ© but also été in one caption",
    "an airport with â€œquotesâ€\x9d and a runway", "sÃ£o", "Ã", "â€", "Ã\xa0 trois", "plane's wing &amp; Ã©",
    "many buildings  with  spaces\nand a new line cafÃ©", "Ãœber", "â€™", "Ã©" * 10, "L’Ã©tÃ©",
    "1×2 grid", "√2 metres", "Â£5", "Ã£o", "ÐŸÑ€Ð¸Ð²ÐµÑ‚", "Ø¹Ø±Ø¨ÙŠ", "Ã¢â‚¬â„¢",
]
texts = list(dict.fromkeys(texts))
cases = [{"t": text, "clean": open_clip_clean(text), "fixed": ftfy.fix_text(text)} for text in texts]
changed = sum(1 for case in cases if ftfy.fix_encoding(case["t"]) != case["t"])
out.write_text(json.dumps({"reference": f"ftfy {ftfy.__version__}", "cases": cases}, ensure_ascii=True, indent=0) + "\n")
print(f"wrote {len(cases)} cases ({changed} that fix_encoding changes, {len(real)} real captions) to {out}")
