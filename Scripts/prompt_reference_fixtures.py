#!/usr/bin/env python3
"""Reference fixtures for the SkyText prompt tests (Tests/SkyTextTests/Fixtures/).

1. openclip_templates.json: open_clip's OPENAI_IMAGENET_TEMPLATES (CLIP's 80) and SIMPLE_IMAGENET_TEMPLATES
   (the best 7), each formatted with "{}", read from the open_clip_torch wheel's zero_shot_metadata.py
   (downloaded with pip when open_clip is not installed; torch is not needed).
2. changeclip_clipcls.json: ChangeCLIP's prompt-file writer (tools/clip_inference.py) run on fixed inputs:
   per image, softmax over the 56-class vocabulary, sorted by probability (stable), probabilities as
   "{:.4f}" strings, json.dump(indent=4, ensure_ascii=False). Stores the inputs and the exact file text.

Usage: python3 Scripts/prompt_reference_fixtures.py
"""
import glob
import importlib.util
import json
import os
import subprocess
import tempfile

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "SkyTextTests", "Fixtures")


def open_clip_metadata():
    folder = tempfile.mkdtemp(prefix="openclip-wheel-")
    subprocess.run(["pip", "download", "open_clip_torch==3.3.0", "--no-deps", "-q", "-d", folder], check=True)
    wheel = glob.glob(os.path.join(folder, "*.whl"))[0]
    subprocess.run(["unzip", "-q", "-o", wheel, "open_clip/zero_shot_metadata.py", "-d", folder], check=True)
    spec = importlib.util.spec_from_file_location("zsm", os.path.join(folder, "open_clip", "zero_shot_metadata.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def clip_inference_json(records):
    """The writing half of ChangeCLIP's tools/clip_inference.py, on given probabilities."""
    results = []
    for image_path, class_names, probs in records:
        sorted_probs = sorted(zip(class_names, probs), key=lambda x: x[1], reverse=True)
        result = {"image_path": image_path}
        for class_name, prob in sorted_probs:
            result[class_name] = "{:.4f}".format(prob)
        results.append(result)
    path = os.path.join(tempfile.mkdtemp(), "A_clipcls_56_vit16.json")
    with open(path, "w") as f:
        json.dump(results, f, indent=4, ensure_ascii=False)
    return open(path, encoding="utf-8").read()


def main():
    os.makedirs(OUT, exist_ok=True)
    metadata = open_clip_metadata()
    templates = {
        "openai_imagenet": [t("{}") for t in metadata.OPENAI_IMAGENET_TEMPLATES],
        "simple_imagenet": [t("{}") for t in metadata.SIMPLE_IMAGENET_TEMPLATES],
    }
    with open(os.path.join(OUT, "openclip_templates.json"), "w") as f:
        json.dump(templates, f, indent=1)

    vocabulary = json.load(open(os.path.join(ROOT, "Schemas", "prompts", "vocabularies", "changeclip-rscls56.json")))["classes"]
    rng = np.random.default_rng(56)
    inputs = []
    for index in range(4):
        logits = rng.normal(0, 3 if index else 0.0001, size=len(vocabulary))  # image 0: near-uniform, many ties
        probs = np.exp(logits - logits.max())
        probs = probs / probs.sum()
        inputs.append({"image_path": f"/data/LEVIR-CD/cut_data/train/A/train_{index + 1}_0_256.png",
                       "classes": vocabulary, "logits": logits.tolist(), "probabilities": probs.tolist()})
    # Exact ties and names that need escaping.
    odd = ["tie b", "tie a", "quote \" name", "back\\slash", "café", "tab\tname"]
    inputs.append({"image_path": "/data/SYSU-CD/train/time1/0001 é.png", "classes": odd,
                   "logits": [0.0] * len(odd), "probabilities": [0.25, 0.25, 0.2, 0.15, 0.1, 0.05]})
    text = clip_inference_json([(r["image_path"], r["classes"], r["probabilities"]) for r in inputs])
    with open(os.path.join(OUT, "changeclip_clipcls.json"), "w") as f:
        json.dump({"inputs": inputs, "expected": text}, f)
    print("wrote", sorted(os.listdir(OUT)))


if __name__ == "__main__":
    main()
