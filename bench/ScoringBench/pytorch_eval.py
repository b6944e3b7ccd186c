"""PyTorch eval forward for ScoringBench (issue 6, item 4): the same ResNet layout as the TorchSharp peer, in eval mode
under no_grad, on random [N, 3, crop, crop] batches (speed does not depend on the pixel values), normalised and
softmaxed like the TorchSharp runner. Debian's python3-torch 1.13 (/usr/bin/python3); threads set to the CPU count,
since its default on the 2-core machine measured is 1. Prints one JSON line: per batch size, the total seconds and
each call's milliseconds.
"""
import argparse
import json
import os
import time

import torch
import torchvision.models.resnet as R


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
    out = {"torch": torch.__version__, "threads": torch.get_num_threads()}
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
