#!/usr/bin/env python3
"""Writes the small seed inputs of the fuzz targets to Fuzz/Seeds/TARGET/ (committed; a few KB in all).

The image decoders are also seeded from the fixture folders of Tests/SkyImagingTests (Scripts/fuzz.sh points
libFuzzer at them); the seeds here cover the annotation formats and the checkpoint formats, whose real fixtures
are too big to be useful seeds. Needs only the standard library: the torch zip is written by hand in the layout
torch.save uses (archive/data.pkl with persistent storages, archive/data/N stored records).
"""
import collections
import io
import json
import pickle
import struct
import sys
import types
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "Fuzz" / "Seeds"


def write(target, name, data):
    folder = ROOT / target
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data.encode() if isinstance(data, str) else data)


VOC = """<?xml version="1.0" encoding="utf-8"?>
<annotation verified="yes">
  <filename>00001.jpg</filename>
  <size><width>80</width><height>60</height><depth>3</depth></size>
  <!-- a comment -->
  <object><name>Expressway-Service-area</name><truncated>1</truncated><difficult>0</difficult>
    <bndbox><xmin>5</xmin><ymin>6</ymin><xmax>25</xmax><ymax>30</ymax></bndbox></object>
  <object><name>ship &amp; boat</name><robndbox><cx>50</cx><cy>40</cy><w>20</w><h>10</h><angle>1.57</angle></robndbox></object>
  <object><name><![CDATA[windmill]]></name><robndbox><x_left_top>2</x_left_top><y_left_top>2</y_left_top>
    <x_right_top>12</x_right_top><y_right_top>4</y_right_top><x_right_bottom>10</x_right_bottom>
    <y_right_bottom>14</y_right_bottom><x_left_bottom>0</x_left_bottom><y_left_bottom>12</y_left_bottom></robndbox></object>
</annotation>
"""
HRSC = """<HRSC_Image><Img_FileName>100000001</Img_FileName><Img_FileFmt>bmp</Img_FileFmt>
<Img_SizeWidth>100</Img_SizeWidth><Img_SizeHeight>100</Img_SizeHeight>
<HRSC_Objects><HRSC_Object><difficult>0</difficult><box_xmin>10</box_xmin><box_ymin>20</box_ymin>
<box_xmax>60</box_xmax><box_ymax>40</box_ymax><mbox_cx>35</mbox_cx><mbox_cy>30</mbox_cy><mbox_w>50</mbox_w>
<mbox_h>20</mbox_h><mbox_ang>0.5</mbox_ang></HRSC_Object></HRSC_Objects></HRSC_Image>
"""
COCO = {
    "images": [{"id": 1, "file_name": "a.png", "width": 100, "height": 100}, {"id": 2, "file_name": "b/c.jpg"}],
    "annotations": [
        {"id": 1, "image_id": 1, "category_id": 5, "bbox": [10, 20, 30, 40], "area": 1200, "iscrowd": 0},
        {"id": 2, "image_id": 1, "category_id": 7, "segmentation": [[0, 0, 20, 0, 20, 10, 0, 10]], "iscrowd": 0},
        {"id": 3, "image_id": 2, "category_id": 5, "segmentation": {"size": [4, 3], "counts": [5, 3, 4]}, "iscrowd": 1},
        {"id": 4, "image_id": 2, "category_id": 7, "segmentation": {"size": [8, 8], "counts": "04L4000"}},
    ],
    "categories": [{"id": 5, "name": "small-vehicle"}, {"id": 7, "name": "plane"}],
}


def torch_zip(tensors):
    """A torch.save-style zip of a dict of float32 tensors {name: (shape, values)}."""
    torch = types.ModuleType("torch")
    utils = types.ModuleType("torch._utils")
    sys.modules.setdefault("torch", torch)
    sys.modules.setdefault("torch._utils", utils)

    def _rebuild_tensor_v2(*args):
        return args

    _rebuild_tensor_v2.__module__ = "torch._utils"
    _rebuild_tensor_v2.__qualname__ = "_rebuild_tensor_v2"
    sys.modules["torch._utils"]._rebuild_tensor_v2 = _rebuild_tensor_v2

    class FloatStorage:
        pass

    FloatStorage.__module__ = "torch"
    FloatStorage.__qualname__ = "FloatStorage"
    sys.modules["torch"].FloatStorage = FloatStorage

    class Storage:
        def __init__(self, key, count):
            self.key, self.count = key, count

    class Tensor:
        def __init__(self, storage, shape):
            self.storage, self.shape = storage, shape

        def __reduce__(self):
            strides, step = [], 1
            for size in reversed(self.shape):
                strides.insert(0, step)
                step *= size
            return (_rebuild_tensor_v2, (self.storage, 0, tuple(self.shape), tuple(strides), False,
                                         collections.OrderedDict()))

    class Pickler(pickle.Pickler):
        def persistent_id(self, obj):
            if isinstance(obj, Storage):
                return ("storage", FloatStorage, obj.key, "cpu", obj.count)
            return None

    state = collections.OrderedDict()
    records = {}
    for index, (name, (shape, values)) in enumerate(tensors.items()):
        state[name] = Tensor(Storage(str(index), len(values)), shape)
        records[str(index)] = struct.pack(f"<{len(values)}f", *values)
    buffer = io.BytesIO()
    Pickler(buffer, protocol=2).dump(state)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("archive/data.pkl", buffer.getvalue())
        for key, data in records.items():
            archive.writestr(f"archive/data/{key}", data)
        archive.writestr("archive/version", "3\n")
    return out.getvalue(), buffer.getvalue()


def safetensors(tensors, dtype="F32"):
    header, data, offset = {"__metadata__": {"format": "pt"}}, b"", 0
    for name, (shape, values) in tensors.items():
        raw = struct.pack(f"<{len(values)}f", *values) if dtype == "F32" else struct.pack(f"<{len(values)}e", *values)
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + len(raw)]}
        data += raw
        offset += len(raw)
    text = json.dumps(header).encode()
    return struct.pack("<Q", len(text)) + text + data


def main():
    write("xml", "voc.xml", VOC)
    write("xml", "hrsc.xml", HRSC)
    write("xml", "doctype.xml", '\ufeff<?xml version="1.0"?>\n<!DOCTYPE a [<!ENTITY x "y">]>\n<a b=\'&#x41;&#66;\'><?pi x?>t&lt;</a>')
    write("voc", "voc.xml", VOC)
    write("voc", "hrsc.xml", HRSC)
    write("dota", "P0001.txt", "imagesource:GoogleEarth\ngsd:0.146343590398\n"
          "2753 2408 2861 2385 2888 2468 2805 2502 plane 0\n1 1 5 1 5 5 1 5 small-vehicle 2\r\n10.5 3 9 9 3 9 3 3 ship 1\n")
    write("coco", "instances.json", json.dumps(COCO))
    write("yolo", "labels.txt", "0 0.5 0.5 0.2 0.3\n1 0.1 0.1 0.4 0.1 0.3 0.5\n")
    write("yolo", "data.yaml", "nc: 2\nnames:\n  0: plane\n  1: 'ship'\ntrain: images/train\n")
    write("yolo", "inline.yaml", "names: [plane, 'ship', \"car\"]\n")
    write("visdrone", "0000001.txt", "684,8,273,116,0,0,0,0\n406,119,265,70,1,4,0,1\n1,2,3,4,1,11,1,2,\n")
    write("visdrone", "nwpu.txt", "(563,478),(630,573),1\n(10,20),(30,40),10\n")
    write("visdrone", "carpk.txt", "1 2 30 40 1\n")
    karpathy = {"images": [{"filename": "a.jpg", "filepath": "images", "split": "train",
                            "sentences": [{"raw": "many planes are parked ."}, {"raw": "an airport ."}]}]}
    write("captions", "karpathy.json", json.dumps(karpathy))
    write("captions", "coco_captions.json", json.dumps({"images": [{"id": 7, "file_name": "a.jpg", "width": 10}],
                                                        "annotations": [{"image_id": 7, "caption": "one"}]}))
    write("captions", "lines.jsonl", '{"filename": "a.jpg", "captions": ["x", "y"]}\n{"filename": "b.jpg", "captions": []}\n')
    write("captions", "names.txt", "a.jpg\nb.jpg\n")
    write("change", "train.txt", "A/1.png  B/1.png  label/1.png\ntest_113_0256.png\n")
    write("change", "tiff_header.tif", b"II*\x00\x08\x00\x00\x00\x02\x00\x00\x01\x03\x00\x01\x00\x00\x00\x10\x00\x00\x00"
          b"\x01\x01\x03\x00\x01\x00\x00\x00\x08\x00\x00\x00\x00\x00\x00\x00")
    write("change", "bmp_header.bmp", b"BM" + struct.pack("<IHHIIiiHH", 70, 0, 0, 54, 40, 2, -2, 1, 24) + bytes(24))
    tensors = {"visual.proj": ([2, 3], [0.5, -1, 2, 3, 4, 5]), "logit_scale": ([], [4.6])}
    archive, data_pkl = torch_zip(tensors)
    write("zip", "checkpoint.pt", archive)
    write("pickle", "data.pkl", data_pkl)
    write("pickle", "plain.pkl", pickle.dumps({"a": [1, 2.5, "x", (None, True)], "b": b"\x00\x01"}, protocol=2))
    write("pickle", "proto4.pkl", pickle.dumps({"state_dict": {"k": [1, 2, 3]}, "n": 2**40}, protocol=4))
    write("checkpoint", "checkpoint.pt", archive)
    write("checkpoint", "model.safetensors", safetensors(tensors))
    write("safetensors", "f32.safetensors", safetensors(tensors))
    write("safetensors", "f16.safetensors", safetensors({"module.w": ([2, 2], [1, 2, 3, 4])}, dtype="F16"))
    write("checkpoint", "f16.safetensors", safetensors({"module.w": ([2, 2], [1, 2, 3, 4])}, dtype="F16"))
    write("recipe", "small.yaml", "datasets:\n  - {name: d, path: data, format: dota, protect: [test], priority: 2}\n"
          "steps:\n  m2b:\n  caption: {seed: 7, per_image: 5}\n  dedup: {threshold: 2, report: dups.csv}\n"
          "  prompts:\n    - {classes: [plane, ship], dataset: d}\n"
          "exports:\n  - {format: webdataset, out: shards, shard_size: 10}\n  - {format: csv, out: t.csv, splits: [train]}\n")
    write("recipe", "sources.yaml", "# comment\ndatasets:\n  - name: rsicd\n    sources:\n      - {path: a, format: auto}\n"
          "      - path: b.json\n        format: captions\n    split: train\nsteps: {changes: {per_pair: 3}, ingest: ~}\n")
    write("recipe", "anchors.yaml", "base: &b {format: csv}\ndatasets: [{name: x, path: '.'}]\nexports: [*b]\n")
    total = sum(path.stat().st_size for path in ROOT.rglob("*") if path.is_file())
    print(f"wrote {sum(1 for p in ROOT.rglob('*') if p.is_file())} seeds, {total} bytes, to {ROOT}")


if __name__ == "__main__":
    main()
