#!/usr/bin/env python3
"""Writes small random open_clip models and their reference embeddings to Tests/SkyCLIPTests/Fixtures/models/.

Each model is built by open_clip 3.3.0 itself (`open_clip.model.CLIP`), every parameter and BatchNorm buffer is
perturbed with seeded noise (so biases and norms are not trivially 0/1), rounded to the file dtype, and saved as
`<name>.safetensors` (safetensors.torch.save_file) and `<name>.pt` (torch.save of the state dict; the f16 model is
saved with a `module.` prefix under {"state_dict": ...} as DataParallel checkpoints are). The reference is
open_clip's float32 forward on fixed inputs: `encode_image` on seeded normalised pixel tensors and
`encode_text` on seeded token sequences (ids below the model's vocabulary, end token = the highest id, so
argmax pooling finds it), written to `<name>.json.gz` with the architecture numbers the Swift test passes as
its override (head counts and activation are not recoverable from tensor shapes).
Run: python3 Scripts/openclip_model_fixtures.py
"""
import gzip
import json
import pathlib

import open_clip
import torch
from open_clip.model import CLIP, CLIPTextCfg, CLIPVisionCfg
from safetensors.torch import save_file

root = pathlib.Path(__file__).resolve().parent.parent
out_dir = root / "Tests/SkyCLIPTests/Fixtures/models"
out_dir.mkdir(parents=True, exist_ok=True)
torch.set_num_threads(1)

VOCAB = 1000
CONTEXT = 77

MODELS = {
    # name: (embed_dim, vision_cfg, text_cfg, quick_gelu, dtype, module_prefix)
    "vit-quickgelu": (32, dict(layers=2, width=64, head_width=32, patch_size=8, image_size=32),
                      dict(width=32, heads=2, layers=2), True, torch.float32, False),
    "vit-gelu-f16": (24, dict(layers=3, width=48, head_width=16, patch_size=16, image_size=48),
                     dict(width=32, heads=4, layers=2), False, torch.float16, True),
    "rn-quickgelu-bf16": (32, dict(layers=(1, 2, 1, 1), width=4, head_width=64, image_size=64),
                          dict(width=32, heads=2, layers=2), True, torch.bfloat16, False),
}


def perturb(model, generator):
    with torch.no_grad():
        for name, tensor in list(model.named_parameters()) + list(model.named_buffers()):
            if not tensor.is_floating_point() or name == "attn_mask":  # the causal mask is a buffer too
                continue
            if name.endswith("running_var"):
                tensor.copy_(0.5 + torch.rand(tensor.shape, generator=generator))
            elif name == "logit_scale":
                tensor.fill_(4.6052)
            else:
                tensor.add_(0.05 * torch.randn(tensor.shape, generator=generator))


def token_batch(generator, count):
    lengths = [2, 5, 17, CONTEXT][:count] + [int(torch.randint(3, CONTEXT, (1,), generator=generator))]
    batch = torch.zeros(len(lengths), CONTEXT, dtype=torch.long)
    for row, length in enumerate(lengths):
        batch[row, 0] = VOCAB - 2  # plays the start token
        batch[row, 1:length - 1] = torch.randint(0, VOCAB - 2, (length - 2,), generator=generator)
        batch[row, length - 1] = VOCAB - 1  # the end token: the highest id
    return batch


for index, (name, (embed_dim, vision, text, quick_gelu, dtype, prefix)) in enumerate(MODELS.items()):
    generator = torch.Generator().manual_seed(1000 + index)
    torch.manual_seed(1000 + index)
    model = CLIP(embed_dim, CLIPVisionCfg(**vision), CLIPTextCfg(context_length=CONTEXT, vocab_size=VOCAB, **text),
                 quick_gelu=quick_gelu).eval()
    perturb(model, generator)
    state = {k: v.detach().to(dtype).contiguous() for k, v in model.state_dict().items()}
    # The reference runs in float32 on exactly the stored (rounded) weights.
    model.load_state_dict({k: v.float() for k, v in state.items()})
    size = vision["image_size"]
    images = torch.round(torch.randn(2, 3, size, size, generator=generator) * 1000) / 1000
    tokens = token_batch(generator, 4)
    with torch.no_grad():
        image_features = model.encode_image(images)
        text_features = model.encode_text(tokens)
    save_file({k: v for k, v in state.items()}, str(out_dir / f"{name}.safetensors"))
    pt_state = {("module." + k if prefix else k): v for k, v in state.items()}
    torch.save({"state_dict": pt_state} if prefix else pt_state, out_dir / f"{name}.pt")
    is_vit = isinstance(vision["layers"], int)
    record = {
        "reference": f"open_clip {open_clip.__version__}, torch {torch.__version__}",
        "architecture": {
            "visionHeads": vision["width"] // vision["head_width"] if is_vit else vision["width"] * 32 // vision["head_width"],
            "textHeads": text["heads"], "quickGELU": quick_gelu, "vit": is_vit, "embedDim": embed_dim,
            "imageSize": size, "dtype": str(dtype).replace("torch.", ""),
        },
        "images": {"shape": list(images.shape), "data": images.flatten().tolist()},
        "tokens": tokens.tolist(),
        "imageFeatures": image_features.tolist(),
        "textFeatures": text_features.tolist(),
        "logitScale": float(model.logit_scale.detach()),
    }
    (out_dir / f"{name}.json.gz").write_bytes(gzip.compress(json.dumps(record).encode(), 9, mtime=0))
    params = sum(v.numel() for v in state.values())
    print(f"{name}: {params} values, {len(state)} tensors, image {tuple(image_features.shape)} text {tuple(text_features.shape)}")

for path in sorted(out_dir.iterdir()):
    print(f"  {path.name}: {path.stat().st_size} bytes")

# An OpenAI-style TorchScript archive: a traced model whose Linear/Conv/attention/projection weights are half
# and whose LayerNorms and embeddings stay float32 (open_clip's convert_weights_to_lp, as OpenAI's convert_weights).
from open_clip.model import convert_weights_to_lp

name = "vit-openai-jit"
generator = torch.Generator().manual_seed(2000)
torch.manual_seed(2000)
model = CLIP(32, CLIPVisionCfg(layers=2, width=64, head_width=32, patch_size=8, image_size=32),
             CLIPTextCfg(context_length=CONTEXT, vocab_size=VOCAB, width=32, heads=2, layers=2), quick_gelu=True).eval()
perturb(model, generator)
convert_weights_to_lp(model, torch.float16)
mixed = {k: v.detach().clone() for k, v in model.state_dict().items()}
images = torch.round(torch.randn(2, 3, 32, 32, generator=generator) * 1000) / 1000
tokens = token_batch(generator, 4)
traced = torch.jit.trace_module(model.float().eval(), {"encode_image": (images,), "encode_text": (tokens,)}, check_trace=False)
with torch.no_grad():
    for key, value in list(traced.named_parameters()) + list(traced.named_buffers()):
        if key in mixed and mixed[key].dtype == torch.float16:
            value.data = value.data.half()
    reference = CLIP(32, CLIPVisionCfg(layers=2, width=64, head_width=32, patch_size=8, image_size=32),
                     CLIPTextCfg(context_length=CONTEXT, vocab_size=VOCAB, width=32, heads=2, layers=2), quick_gelu=True).eval()
    reference.load_state_dict({k: v.float() for k, v in mixed.items()})
    image_features = reference.encode_image(images)
    text_features = reference.encode_text(tokens)
torch.jit.save(traced, str(out_dir / f"{name}.pt"))
dtypes = sorted({str(v.dtype) for v in torch.jit.load(str(out_dir / f"{name}.pt")).state_dict().values()})
record = {
    "reference": f"open_clip {open_clip.__version__}, torch {torch.__version__}",
    "architecture": {"visionHeads": 2, "textHeads": 2, "quickGELU": True, "vit": True, "embedDim": 32, "imageSize": 32,
                     "dtype": "mixed float16/float32"},
    "images": {"shape": list(images.shape), "data": images.flatten().tolist()},
    "tokens": tokens.tolist(),
    "imageFeatures": image_features.tolist(),
    "textFeatures": text_features.tolist(),
    "logitScale": float(reference.logit_scale.detach()),
}
(out_dir / f"{name}.json.gz").write_bytes(gzip.compress(json.dumps(record).encode(), 9, mtime=0))
print(f"{name}: TorchScript archive with dtypes {dtypes}, {(out_dir / (name + '.pt')).stat().st_size} bytes")
