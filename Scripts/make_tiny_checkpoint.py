#!/usr/bin/env python3
"""Writes a tiny random CLIP checkpoint with CLIP's real 49,408-token vocabulary, to try every CLIP command offline.

The model is built by open_clip itself (`open_clip.model.CLIP`): a ViT image tower (64 px input, patch 16,
width 32, 1 block) and a text tower with the full 49,408-token embedding and 77-token context (width 16,
1 block), embedding dimension 16. Widths are at most 64, so one attention head each, which is what SkyCorpus
infers from the shapes (width / 64, at least 1): no --vision-heads/--text-heads needed. The MLPs use GELU
(open_clip's default), which SkyCorpus assumes for state dicts. Weights are seeded random values (the
embeddings mean nothing), stored as float16 to keep each file small (1.7 MB; SkyCorpus converts at load).

Writes, by default to Tests/SkyCLIPTests/Fixtures/tiny/:
  tiny-clip-vocab49408.safetensors   (safetensors.torch.save_file)
  tiny-clip-vocab49408.pt            (torch.save of the state dict: the zip format of RemoteCLIP's .pt files),
                                     with --pt (the committed fixtures were made with --pt)
  tiny-clip-vocab49408.json          open_clip's reference: token ids of real RSICD/RSITMD captions and their
                                     text embeddings, the embedding of Examples/dota/images/P9000.png through
                                     open_clip's own preprocessing, and logit_scale.

Usage:
  pip install torch open_clip_torch==3.3.0 safetensors
  python3 Scripts/make_tiny_checkpoint.py [--out DIR] [--pt]   (needs ../shared/realdata for the captions)
  skycorpus encode --model DIR/tiny-clip-vocab49408.safetensors --text "many planes are parked near a terminal"
"""
import argparse
import json
import pathlib
import sys

import torch

try:
    import open_clip
except RuntimeError as error:
    # A CUDA build of torchvision beside a CPU build of torch cannot load its C extension, and then fails on
    # registering fake kernels for two of its operators. open_clip needs none of them: declare their schemas
    # and import again.
    if "torchvision::" not in str(error):
        raise
    for module in [name for name in sys.modules if name.startswith(("torchvision", "open_clip"))]:
        del sys.modules[module]
    _torchvision_ops = torch.library.Library("torchvision", "DEF")
    for operator in ("nms", "qnms"):
        _torchvision_ops.define(f"{operator}(Tensor dets, Tensor scores, float iou_threshold) -> Tensor")
    import open_clip
from open_clip.model import CLIP, CLIPTextCfg, CLIPVisionCfg
from open_clip.transform import image_transform
from PIL import Image
from safetensors.torch import save_file

ROOT = pathlib.Path(__file__).resolve().parent.parent
NAME = "tiny-clip-vocab49408"
VOCAB = 49408
CONTEXT = 77
EMBED_DIM = 16
VISION = dict(layers=1, width=32, head_width=32, patch_size=16, image_size=64)
TEXT = dict(width=16, heads=1, layers=1)
IMAGE = ROOT / "Examples/dota/images/P9000.png"
# Real captions (RSITMD and RSICD test captions, as ../shared/realdata/captions/amfmn_precomp holds them), with
# crafted ones whose BPE ids are high (rare words, digits, punctuation) and one that truncates.
CAPTION_FILES = ["rsitmd_test_caps.head250.txt", "rsicd_test_caps.head250.txt"]
CRAFTED = [
    "many planes are parked near a terminal",
    "Zeppelin-shaped storage tanks, 12 of them; a quay & an estuary.",
    " ".join(["a long caption about a harbour with ships"] * 12),
]


def captions():
    folder = ROOT.parent / "shared/realdata/captions/amfmn_precomp"
    texts = []
    for name in CAPTION_FILES:
        path = folder / name
        if path.exists():
            lines = [line.strip() for line in path.read_text().splitlines() if line.strip()]
            texts += list(dict.fromkeys(lines))[:4]  # the first four distinct captions
    if not texts:
        raise SystemExit(f"{folder}: the real captions are missing (../shared/realdata beside the checkout)")
    return texts + CRAFTED


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default=str(ROOT / "Tests/SkyCLIPTests/Fixtures/tiny"))
    parser.add_argument("--pt", action="store_true", help="also write the torch.save .pt")
    args = parser.parse_args()
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(49408)
    torch.set_num_threads(1)
    model = CLIP(EMBED_DIM, CLIPVisionCfg(**VISION), CLIPTextCfg(context_length=CONTEXT, vocab_size=VOCAB, **TEXT),
                 quick_gelu=False).eval()
    generator = torch.Generator().manual_seed(1)
    with torch.no_grad():
        for name, tensor in model.named_parameters():
            tensor.add_(0.05 * torch.randn(tensor.shape, generator=generator))
        model.logit_scale.fill_(4.6052)
    state = {k: v.detach().to(torch.float16).contiguous() for k, v in model.state_dict().items()
             if k != "attn_mask"}
    # The reference runs in float32 on exactly the stored (rounded) weights.
    model.load_state_dict({k: v.float() for k, v in state.items()}, strict=False)
    save_file(state, str(out / f"{NAME}.safetensors"))
    if args.pt:
        torch.save(state, out / f"{NAME}.pt")

    texts = captions()
    tokenizer = open_clip.get_tokenizer("ViT-B-32")
    tokens = tokenizer(texts)
    # open_clip's own transform at this model's input size (resize the short side, centre crop, normalise).
    preprocess = image_transform(VISION["image_size"], is_train=False)
    pixels = preprocess(Image.open(IMAGE)).unsqueeze(0)
    with torch.no_grad():
        text_features = model.encode_text(tokens)
        image_features = model.encode_image(pixels)
    record = {
        "reference": f"open_clip {open_clip.__version__}, torch {torch.__version__}",
        "checkpoint": f"{NAME}.safetensors",
        "architecture": {"vocabularySize": VOCAB, "contextLength": CONTEXT, "embedDim": EMBED_DIM,
                         "imageSize": VISION["image_size"], "activation": "gelu"},
        "texts": texts,
        "tokens": [[int(t) for t in row if t != 0] for row in tokens],
        "textFeatures": text_features.tolist(),
        "image": str(IMAGE.relative_to(ROOT)),
        "imageFeatures": image_features.tolist(),
        "logitScale": float(model.logit_scale.detach()),
    }
    (out / f"{NAME}.json").write_text(json.dumps(record, indent=1) + "\n")
    for path in sorted(out.iterdir()):
        print(f"{path}: {path.stat().st_size} bytes")
    print("max token id", int(tokens.max()), "params", sum(v.numel() for v in state.values()))


if __name__ == "__main__":
    main()
