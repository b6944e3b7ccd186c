"""PyTorch eval forward for ScoringBench (issue 6, item 4): the same ResNet layout as the TorchSharp peer, in eval mode
under no_grad, on random [N, 3, crop, crop] batches (speed does not depend on the pixel values), normalised and
softmaxed like the TorchSharp runner. Debian's python3-torch 1.13 (/usr/bin/python3); threads set to the CPU count,
since its default on the 2-core machine measured is 1. Prints one JSON line: per batch size, the total seconds and
each call's milliseconds; and "macs", the multiply-adds of one image through the network's convolutions and linear
layers, counted by forward hooks (torchvision's published 1.81 G for resnet18 and 4.09 G for resnet50 at 224 px).
"""
import argparse
import json
import os
import time

import torch
import torchvision.models.resnet as R


def multiply_adds(model, crop):
    """Multiply-adds of one crop x crop image: each Conv2d's output elements x in_channels / groups x kernel area, and
    each Linear's in x out features."""
    total = [0]

    def hook(module, inputs, output):
        if isinstance(module, torch.nn.Conv2d):
            kh, kw = module.kernel_size
            total[0] += output[0].numel() * module.in_channels // module.groups * kh * kw
        else:
            total[0] += module.in_features * module.out_features

    handles = [m.register_forward_hook(hook) for m in model.modules() if isinstance(m, (torch.nn.Conv2d, torch.nn.Linear))]
    with torch.no_grad():
        model(torch.zeros(1, 3, crop, crop))
    for h in handles:
        h.remove()
    return total[0]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--block", choices=("basic", "bottleneck"), required=True)
    p.add_argument("--layers", required=True)  # e.g. 2,2,2,3
    p.add_argument("--crop", type=int, default=224)
    p.add_argument("--images", type=int, required=True)
    p.add_argument("--single-images", type=int, default=64)
    a = p.parse_args()
    torch.set_num_threads(os.cpu_count())
    torch.manual_seed(1)
    block = R.BasicBlock if a.block == "basic" else R.Bottleneck
    model = R.ResNet(block, [int(x) for x in a.layers.split(",")], num_classes=2).eval()
    mean = torch.tensor([0.485, 0.456, 0.406]).reshape(1, 3, 1, 1)
    std = torch.tensor([0.229, 0.224, 0.225]).reshape(1, 3, 1, 1)
    out = {"torch": torch.__version__, "threads": torch.get_num_threads(), "macs": multiply_adds(model, a.crop)}
    with torch.no_grad():
        for batch, count in ((16, a.images), (1, min(a.images, a.single_images))):
            x = torch.rand(batch, 3, a.crop, a.crop) * 255
            for _ in range(2):  # warm-up
                model((x / 255 - mean) / std).softmax(1)
            calls, start = [], time.perf_counter()
            for _ in range(0, count, batch):
                t0 = time.perf_counter()
                model((x / 255 - mean) / std).softmax(1)
                calls.append((time.perf_counter() - t0) * 1000)
            out[str(batch)] = {"images": len(calls) * batch, "seconds": time.perf_counter() - start, "calls_ms": calls}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
