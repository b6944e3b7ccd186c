#!/usr/bin/python3
"""Small valid weights files made by PyTorch, the seeds the engine's fuzzers mutate (tests/MLNetTransfer.Torch.Tests/Fuzzing).

Usage: /usr/bin/python3 make_fuzz_seeds.py OUTDIR

Needs Debian's python3-torch; nothing is downloaded. Written to OUTDIR:

  tiny.pth          torch.save of a state_dict: float32 matrix and vector, a float16 and a float64 tensor, an int64
                    scalar (BatchNorm's num_batches_tracked), an empty tensor and a transposed (non-contiguous) view
  tiny.safetensors  the float32/float16/float64/int64 tensors of tiny.pth in the safetensors layout: 8-byte little-endian
                    header length, JSON header of dtype, shape and data_offsets, then the raw bytes
                    (https://github.com/huggingface/safetensors, "Format"; the safetensors package is not installed)
  tiny_resnet.onnx  torch.onnx.export (eval mode) of a ResNet with torchvision's graph (7x7/2 stem, BatchNorm, max pool,
                    four stages of two BasicBlocks, a projection shortcut at the start of stages 2-4, average pool, fc)
                    but 4-16 channels instead of 64-512, so the file is a few hundred KiB
"""
import json
import os
import struct
import sys

import torch
from torch import nn


class BasicBlock(nn.Module):
    # torchvision.models.resnet.BasicBlock, with its attribute names so the exported graph has the same shape.
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.downsample = None
        if stride != 1 or cin != cout:
            self.downsample = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return self.relu(out + identity)


class TinyResNet(nn.Module):
    def __init__(self, widths=(4, 8, 12, 16), classes=3):
        super().__init__()
        self.conv1 = nn.Conv2d(3, widths[0], 7, 2, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(widths[0])
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        stages = []
        cin = widths[0]
        for i, w in enumerate(widths):
            stride = 1 if i == 0 else 2
            stages.append(nn.Sequential(BasicBlock(cin, w, stride), BasicBlock(w, w, 1)))
            cin = w
        self.layer1, self.layer2, self.layer3, self.layer4 = stages
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(cin, classes)

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(torch.flatten(self.avgpool(x), 1))


def safetensors(path, tensors):
    names = {torch.float32: "F32", torch.float16: "F16", torch.float64: "F64", torch.int64: "I64"}
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        data = t.contiguous().numpy().tobytes()
        header[name] = {"dtype": names[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


def main(out):
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(0)
    state = {
        "conv.weight": torch.randn(4, 3, 3, 3),
        "conv.bias": torch.randn(4),
        "half": torch.randn(5).half(),
        "double": torch.randn(2, 3).double(),
        "bn.num_batches_tracked": torch.tensor(7, dtype=torch.int64),
        "empty": torch.zeros(0, 3),
        "transposed": torch.arange(12, dtype=torch.float32).reshape(3, 4).t(),
    }
    torch.save(state, os.path.join(out, "tiny.pth"))
    safetensors(os.path.join(out, "tiny.safetensors"), {k: state[k] for k in ("conv.weight", "conv.bias", "half", "double", "bn.num_batches_tracked")})

    model = TinyResNet()
    # BatchNorm's identity initialisation folds to equal all-zero biases, which the exporter shares; random statistics
    # give every conv its own, as in a trained network.
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.weight.uniform_(0.5, 1.5)
                m.bias.normal_(0, 0.1)
                m.running_mean.normal_(0, 0.1)
                m.running_var.uniform_(0.5, 1.5)
    model.eval()
    torch.onnx.export(model, torch.randn(1, 3, 64, 64), os.path.join(out, "tiny_resnet.onnx"), opset_version=13,
                      input_names=["input"], output_names=["logits"])
    with open(os.path.join(out, "meta.json"), "w") as f:
        json.dump({"torch": torch.__version__,
                   "bytes": {n: os.path.getsize(os.path.join(out, n)) for n in ("tiny.pth", "tiny.safetensors", "tiny_resnet.onnx")}}, f, indent=1)


if __name__ == "__main__":
    main(sys.argv[1])
