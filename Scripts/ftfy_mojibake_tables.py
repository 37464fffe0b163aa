#!/usr/bin/env python3
"""Writes Sources/SkyCLIP/Resources/mojibake.json: what ftfy's mojibake repair (fix_encoding) rests on.

open_clip cleans every text with ftfy.fix_text, whose fix_encoding step undoes UTF-8 that was decoded with a
single-byte codec ("Ã©" for "é", "â€™" for "’"). It only acts where ftfy.badness.is_bad finds a suspicious
sequence, then re-encodes the text with the first of its single-byte codecs that can hold it and decodes the
bytes as UTF-8. This script exports, from the installed ftfy (6.3.1):

- the badness expression and the byte expressions of restore_byte_a0, replace_lossy_sequences and
  decode_inconsistent_utf8, rewritten from Python's regex parse tree into ICU syntax (every character escaped
  as \\x{...}, verbose whitespace and comments gone; byte patterns as Latin-1 text);
- for each codec of chardata.CHARMAP_ENCODINGS, in order, the characters bytes 0x80-0xFF and 0x1A decode to.

Swift's TextCleaner (Mojibake.swift) runs the same steps over these tables. Run: python3 Scripts/ftfy_mojibake_tables.py
"""
import json
import pathlib
import re
import re._constants as C
import re._parser as P

import ftfy
from ftfy import badness, chardata, fixes

root = pathlib.Path(__file__).resolve().parent.parent
out = root / "Sources/SkyCLIP/Resources/mojibake.json"


def char(code):
    return "\\x{%x}" % code


def category(cat):
    return {C.CATEGORY_SPACE: "\\s", C.CATEGORY_NOT_SPACE: "\\S", C.CATEGORY_WORD: "\\w",
            C.CATEGORY_NOT_WORD: "\\W", C.CATEGORY_DIGIT: "\\d", C.CATEGORY_NOT_DIGIT: "\\D"}[cat]


def emit(tree):
    parts = []
    for op, arg in tree:
        if op is C.LITERAL:
            parts.append(char(arg))
        elif op is C.NOT_LITERAL:
            parts.append("[^" + char(arg) + "]")
        elif op is C.ANY:
            parts.append(".")
        elif op is C.IN:
            items = []
            for item_op, item in arg:
                if item_op is C.NEGATE:
                    items.append("^")
                elif item_op is C.LITERAL:
                    items.append(char(item))
                elif item_op is C.RANGE:
                    items.append(char(item[0]) + "-" + char(item[1]))
                elif item_op is C.CATEGORY:
                    items.append(category(item))
                else:
                    raise SystemExit(f"unexpected set item {item_op}")
            parts.append("[" + "".join(items) + "]")
        elif op is C.BRANCH:
            parts.append("(?:" + "|".join(emit(branch) for branch in arg[1]) + ")")
        elif op is C.SUBPATTERN:
            parts.append("(?:" + emit(arg[3]) + ")")
        elif op in (C.MAX_REPEAT, C.MIN_REPEAT):
            low, high, sub = arg
            bound = "{%d,}" % low if high is C.MAXREPEAT else "{%d,%d}" % (low, high)
            parts.append("(?:" + emit(sub) + ")" + bound + ("?" if op is C.MIN_REPEAT else ""))
        elif op is C.AT:
            parts.append({C.AT_BEGINNING: "^", C.AT_END: "$", C.AT_BEGINNING_STRING: "\\A"}[arg])
        elif op in (C.ASSERT, C.ASSERT_NOT):
            direction, sub = arg
            head = ("(?=" if direction == 1 else "(?<=") if op is C.ASSERT else ("(?!" if direction == 1 else "(?<!")
            parts.append(head + emit(sub) + ")")
        elif op is C.CATEGORY:
            parts.append(category(arg))
        else:
            raise SystemExit(f"unexpected regex node {op}")
    return "".join(parts)


def icu(pattern):
    """A compiled Python pattern (str, or bytes read as Latin-1) in ICU syntax."""
    source = pattern.pattern
    if isinstance(source, bytes):
        source = source.decode("latin-1")
    return emit(P.parse(source, pattern.flags & ~re.UNICODE if isinstance(pattern.pattern, bytes) else pattern.flags))


encodings = []
for name in chardata.CHARMAP_ENCODINGS:
    decoded = bytes(list(range(0x80, 0x100)) + [0x1A]).decode(name)
    assert len(decoded) == 129, name
    encodings.append({"name": name, "chars": [ord(c) for c in decoded]})

tables = {
    "source": f"ftfy {ftfy.__version__}",
    "badness": icu(badness.BADNESS_RE),
    "alteredUTF8": icu(chardata.ALTERED_UTF8_RE),
    "aGraveWord": icu(fixes.A_GRAVE_WORD_RE),
    "lossyUTF8": icu(chardata.LOSSY_UTF8_RE),
    "utf8Detector": icu(chardata.UTF8_DETECTOR_RE),
    "encodings": encodings,
}
out.write_text(json.dumps(tables, ensure_ascii=True, indent=0) + "\n")
print(f"wrote {out} ({out.stat().st_size} bytes)")
