#!/usr/bin/env python3
"""Golden fixture for ChangeCLIP's prompt-file format (dyzy41/ChangeCLIP tools/clip_inference.py).

Run from the package root:  python3 Scripts/changeclip_format_fixture.py
Writes Tests/SkySearchTests/Fixtures/changeclip_input.json (image paths and float32 probabilities as bit
patterns) and changeclip_expected.json: the bytes ChangeCLIP's code path writes for them, i.e. all 56 classes
sorted by probability (stable, descending), probabilities formatted "{:.4f}", json.dump(indent=4,
ensure_ascii=False). Ties and values on rounding boundaries are planted on purpose.
"""
import json
import os

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "SkySearchTests", "Fixtures")
VOCABULARY = os.path.join(ROOT, "Schemas", "prompts", "vocabularies", "changeclip-rscls56.json")


def main():
    classes = json.load(open(VOCABULARY, encoding="utf-8"))["classes"]
    rng = np.random.default_rng(56)
    paths = ["/data/SYSU-CD/train/time1/00001.png", "/data/SYSU-CD/train/time1/0002 \"quoted\".png",
             "/données/LEVIR-CD/test/A/test_2_0000_0000.png", "/data/CDD/val/B/tab\there.jpg"]
    probabilities = []
    for index, _ in enumerate(paths):
        logits = rng.normal(0, 0.04, len(classes)).astype(np.float32) * np.float32(100)
        if index == 1:
            logits[10] = logits[20] = logits.max() + 1  # a tie at the top keeps vocabulary order
        exp = np.exp(logits - logits.max())
        probabilities.append((exp / exp.sum()).astype(np.float32))
    results = []
    for path, probs in zip(paths, probabilities):
        record = {"image_path": path}
        for name, p in sorted(zip(classes, probs), key=lambda x: x[1], reverse=True):
            record[name] = "{:.4f}".format(p)
        results.append(record)
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, "changeclip_expected.json"), "w", encoding="utf-8") as handle:
        json.dump(results, handle, indent=4, ensure_ascii=False)
    with open(os.path.join(OUT, "changeclip_input.json"), "w") as handle:
        json.dump({"classes": classes, "paths": paths,
                   "probability_bits": [[int(v) for v in p.view(np.uint32)] for p in probabilities]}, handle)
    print("wrote", OUT)


if __name__ == "__main__":
    main()
