#!/usr/bin/python3
"""Reference outputs of torchvision's image transforms for the engine's data pipeline tests
(src/MLNetTransfer/Torch/Data/).

Usage: /usr/bin/python3 make_transform_references.py OUTDIR

Needs Debian's python3-torchvision (torchvision 0.14 with PIL 9.4) and numpy; nothing is downloaded. Images are
made from a fixed numpy seed, so two runs write the same files. For each case NAME, OUTDIR gets:

  NAME.png      the input image, 8-bit PNG written by PIL
  NAME.f32      torchvision's output as raw little-endian float32 [C, H, W] in [0, 1] (ToTensor scale)
  NAME.json     {"shape": [C, H, W], "pipeline": "..."}

Cases:
  rgb_down      500x375 RGB (texture + gradient): Resize(256), CenterCrop(224), ToTensor (PIL's antialiased bilinear)
  gray_up       150x200 gray: Resize(256), CenterCrop(224), ToTensor (enlarging: plain bilinear)
  rgb_luma      rgb_down.png converted by PIL convert("L") (ITU-R 601 luma), then Resize(256), CenterCrop(224)
  rotate10      64x64 RGB as a tensor: F.rotate(t, 10, BILINEAR) (fill None: grid_sample zero padding)
"""

import json
import os
import sys

import numpy as np
import torch
import torchvision
import torchvision.transforms as T
import torchvision.transforms.functional as F
from PIL import Image


def texture(h, w, channels, rng):
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)
    planes = []
    for c in range(channels):
        smooth = 127 + 60 * np.sin(x / (7 + 3 * c)) * np.cos(y / (11 + 2 * c)) + 50 * (x / w - y / h)
        noise = rng.normal(0, 20, size=(h, w))
        planes.append(np.clip(smooth + noise, 0, 255))
    img = np.stack(planes, axis=-1).round().astype(np.uint8)
    return img[..., 0] if channels == 1 else img


def save(outdir, name, tensor, pipeline):
    t = tensor.detach().to(torch.float32).contiguous()
    t.numpy().astype("<f4").tofile(os.path.join(outdir, name + ".f32"))
    with open(os.path.join(outdir, name + ".json"), "w") as f:
        json.dump({"shape": list(t.shape), "pipeline": pipeline,
                   "torch": torch.__version__, "torchvision": torchvision.__version__}, f)


def main():
    outdir = sys.argv[1]
    os.makedirs(outdir, exist_ok=True)
    rng = np.random.default_rng(20240611)
    eval_tf = T.Compose([T.Resize(256), T.CenterCrop(224), T.ToTensor()])
    pipeline = "Resize(256), CenterCrop(224), ToTensor()"

    rgb = Image.fromarray(texture(375, 500, 3, rng), mode="RGB")
    rgb.save(os.path.join(outdir, "rgb_down.png"))
    save(outdir, "rgb_down", eval_tf(rgb), pipeline)

    gray = Image.fromarray(texture(200, 150, 1, rng), mode="L")
    gray.save(os.path.join(outdir, "gray_up.png"))
    save(outdir, "gray_up", eval_tf(gray), pipeline)

    save(outdir, "rgb_luma", eval_tf(rgb.convert("L")), 'convert("L"), ' + pipeline)

    small = Image.fromarray(texture(64, 64, 3, rng), mode="RGB")
    small.save(os.path.join(outdir, "rotate10.png"))
    rotated = F.rotate(F.to_tensor(small), 10.0, interpolation=T.InterpolationMode.BILINEAR)
    save(outdir, "rotate10", rotated, "ToTensor(), F.rotate(10, BILINEAR, fill=None)")


if __name__ == "__main__":
    main()
