#!/usr/bin/env python3
"""Writes Tests/SkyCLIPTests/Fixtures/tokenizer.json.gz: open_clip token ids for a large set of strings.

Strings: every caption of the real RSICD/RSITMD samples under ../shared/realdata/captions plus crafted cases
(unicode, emoji, HTML entities, digits, curly quotes, ligatures, full-width forms, control characters, special
token literals, texts long enough to truncate). Reference: open_clip 3.3.0 `open_clip.tokenize` (ftfy 6.3.1).
Each record: {"t": text, "ids": tokens up to the last non-padding position, "mojibake": whether ftfy's
encoding repair (not ported) changes the text}. Run: python3 Scripts/openclip_tokenizer_fixture.py
"""
import gzip
import json
import pathlib
import random

import ftfy
import open_clip
from open_clip.tokenizer import SimpleTokenizer

root = pathlib.Path(__file__).resolve().parent.parent
realdata = root.parent / "shared/realdata/captions"
out = root / "Tests/SkyCLIPTests/Fixtures/tokenizer.json.gz"

texts = []
for name in sorted((realdata / "amfmn_precomp").glob("*_caps.*.txt")):
    texts += name.read_text(encoding="utf-8").splitlines()
for name in sorted((realdata / "rsicd_coco_format").glob("*.json")):
    texts += [a["caption"] for a in json.loads(name.read_text(encoding="utf-8"))["annotations"]]
for name in sorted((realdata / "clip_rsicd").glob("*.jsonl")):
    for line in name.read_text(encoding="utf-8").splitlines():
        if line.strip():
            texts += json.loads(line)["captions"]
texts = list(dict.fromkeys(texts))  # unique, first-seen order

crafted = [
    "a photo of a cat", "", "   ", "A Photo Of A CAT!!!", "it's a plane, they're ships, we'll see, I'd go, I'm here, you've won",
    "IT'S LOUD", "rock'n'roll 'quoted' \"double\"", "runway 09L/27R at 1,234.5 m; 2024-05-17 12:30", "١٢٣ ½ ² Ⅻ ⑦ 三",
    "storage tanks 🛢️🛢️ and a 🚢 near 🏝️", "family: 👨‍👩‍👧‍👦 flags 🇫🇷🇩🇪 skin 👍🏽", "Ærøskøbing Straße São Paulo İstanbul ΣΊΣΥΦΟΣ",
    "北京首都国际机场的停机坪上有很多飞机", "東京 タワー ｶﾀｶﾅ ＬＯＵＤ　ＮＯＩＳＥＳ", "서울 공항", "مطار دبي الدولي", "हवाई अड्डा",
    "caf\u0065\u0301 vs café", "ﬁeld ﬂow ﬃ ligatures", "“curly” ‘quotes’ ‛odd‟ ʼapostrophe", "tab\there\nnew line\r\nwindows\rmac\u2028ls\u2029ps\x85nel",
    "zero\u200bwidth\u200cjoiner\u200dtest \ufeffbom \x00nul \x07bell \x1b[31mred\x1b[0m", "nbsp\xa0here and\u3000ideographic\u2003em",
    "&amp; &lt;tag&gt; &quot;q&quot; &#39;apos&#39; &#x263A; &#128512; &nbsp;space &copy;2020 &notanentity; &amp;amp;lt;",
    "AT&T &AMP; &EACUTE;cole P&EACUTE;REZ &nTILDE; &#0; &#x80; &#150; &#xD800; &#1114112; &#65535;",
    "no semicolon &amp here &copy 2020 &notit; &ampx", "a < b && c > d &amp; e", "<b>bold</b> &amp; more",
    "line one &amp; x\nline two <tag> &amp; y\nline three &amp; z", "\u00c3\u00a9t\u00c3\u00a9 mojibake s\u00c3\u00b3",
    "C1 controls \x80\x91quote\x92 \x96dash", "<start_of_text> inside <end_of_text> text <END_OF_TEXT>", "<|startoftext|> openai",
    "the number 12345678901234567890 has many digits", "3x3 5km2 100m² 42nd 1st", "____ ---- .... !!!??? ...!",
    "hello world" * 1, "x" * 300, "supercalifragilisticexpialidocious antidisestablishmentarianism",
    "a " * 80, "many airplanes " * 30, "1 2 3 4 5 6 7 8 9 0 " * 10, "🚀" * 40, "ж" * 100,
    "ǅ ǈ ǋ ǲ titlecase", "ﬀ ﬅ ﬆ", "Ⅸ ⅸ ℌ ℍ ℎ", "𝒥ohn ℋancock &Jscr;ohn &Hscr;ancock", "\ud83d\ude00 surrogate pair",
    "ſ long s and ẞ capital sharp s", "Ǆemal ǅemal ǆemal",
]
rng = random.Random(7)
alphabet = list("abcdefghijklmnopqrstuvwxyz0123456789 .,;:!?'\"&#<>-_/()[]") + ["é", "ß", "ø", "中", "🙂", "&amp;", "&lt;", "\u0301", "ﬁ", "’", "\t", "\n", "Ｗ"]
for _ in range(300):
    crafted.append("".join(rng.choice(alphabet) for _ in range(rng.randint(1, 120))))
texts += crafted

tok = SimpleTokenizer()
records = []
for text in texts:
    ids = [tok.sot_token_id] + tok.encode(text) + [tok.eot_token_id]
    if len(ids) > 77:
        ids = ids[:77]
        ids[-1] = tok.eot_token_id
    reference = open_clip.tokenize([text])[0].tolist()
    assert reference[: len(ids)] == ids and not any(reference[len(ids):]), text
    segmentwise = ftfy.fix_text(text, fix_encoding=False)
    records.append({"t": text, "ids": ids, "mojibake": segmentwise != ftfy.fix_text(text)})

payload = json.dumps({"reference": f"open_clip {open_clip.__version__}, ftfy {ftfy.__version__}", "cases": records},
                     ensure_ascii=True, separators=(",", ":")).encode("utf-8")
out.write_bytes(gzip.compress(payload, 9, mtime=0))
print(f"{len(records)} strings ({sum(r['mojibake'] for r in records)} need ftfy's mojibake repair); "
      f"{sum(len(r['ids']) == 77 for r in records)} truncate; wrote {out} ({out.stat().st_size} bytes)")
