#!/usr/bin/env python3
"""Reference fixture for the SkyText template-set tests (Tests/SkyTextTests/Fixtures/).

openclip_templates.json: open_clip's OPENAI_IMAGENET_TEMPLATES (CLIP's 80) and SIMPLE_IMAGENET_TEMPLATES
(the best 7), each formatted with "{}", read from the open_clip_torch 3.3.0 wheel's zero_shot_metadata.py
(downloaded with pip; torch is not needed). ChangeCLIP's prompt files are SkySearch's (its own fixtures).

Usage: python3 Scripts/prompt_reference_fixtures.py
"""
import glob
import importlib.util
import json
import os
import subprocess
import tempfile

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


def main():
    os.makedirs(OUT, exist_ok=True)
    metadata = open_clip_metadata()
    templates = {
        "openai_imagenet": [t("{}") for t in metadata.OPENAI_IMAGENET_TEMPLATES],
        "simple_imagenet": [t("{}") for t in metadata.SIMPLE_IMAGENET_TEMPLATES],
    }
    with open(os.path.join(OUT, "openclip_templates.json"), "w") as f:
        json.dump(templates, f, indent=1)

    print("wrote", sorted(os.listdir(OUT)))


if __name__ == "__main__":
    main()
