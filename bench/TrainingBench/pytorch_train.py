"""PyTorch side of the training benchmark (issue 6, items 1 and 2): the same fine-tune as our engine's.

Run with Debian's /usr/bin/python3 (python3-torch 1.13, python3-torchvision 0.14). Prints one line
"RESULT {json}" as TrainingBench does.

  train: torchvision resnet18/resnet50, random init, conv1 made 1-channel, new Linear head; stem, layer1 and layer2
         frozen with their BatchNorm in eval mode (as BatchNormMode.Frozen); AdamW with layer3 + layer4 at 1e-4 and the
         head at 1e-3, no weight decay on 1-d parameters, weight decay 1e-4 elsewhere; cross-entropy; gradients clipped
         at 1.0; batch 16, last incomplete batch dropped. Images: the same PNGs, resized, then random crop, horizontal
         flip, rotation +-10 deg (bilinear) and +-0.1 brightness (additive) and contrast (about the mean), as
         AugmentationOptions, in a DataLoader with 2 worker processes. --cache true (the default): every PNG is read,
         decoded and resized once, in epoch 1 (timed with it), and the workers augment those resized images every epoch:
         the same work as our engine, whose loader keeps the resized images after epoch 1 (its default, and it has no
         public switch to turn that off). --cache false: the workers read, decode and resize every PNG every epoch,
         PyTorch's usual way. Epoch 1 is the warm-up; epochs 2..E are timed.
  bare:  the same network, freezing and optimizer stepped on one batch already in memory.
  script: the same network (random weights) scripted with torch.jit.script and saved to --out, for TrainingBench's
         bare loop to run torchvision's module on TorchSharp's libtorch ("bare --module torchscript").

--malloc reuse runs the measurement with glibc's malloc set as our engine sets it while it trains
(FineTuneOptions.ReuseNativeMemory): MALLOC_MMAP_THRESHOLD_ = 1 GiB and MALLOC_TRIM_THRESHOLD_ = 2^31 - 1, so that
freed buffers are reused instead of being mapped afresh every step. glibc reads them when the process starts, so the
script starts itself again with them set (the DataLoader workers inherit them); the result's impl gets "-malloc".
--channels-last true lays the model and every input batch out channels-last (model.to(memory_format=
torch.channels_last), x.contiguous(memory_format=...)), PyTorch's CPU tuning guide's advice for CNNs; our engine's
ResNet runs channels-last on the CPU by itself. The result's impl gets "-cl".
"""
import argparse
import json
import math
import os
import random
import resource
import sys
import time

import torch
import torch.nn as nn
import torchvision
import torchvision.transforms as T
import torchvision.transforms.functional as F
from PIL import Image


def build(arch, threads, channels_last=False):
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    model = getattr(torchvision.models, arch)(weights=None)
    model.conv1 = nn.Conv2d(1, 64, kernel_size=7, stride=2, padding=3, bias=False)
    model.fc = nn.Linear(model.fc.in_features, 2)
    if channels_last:
        model = model.to(memory_format=torch.channels_last)  # the same Parameter objects, their data re-laid
    trainable = ("layer3", "layer4", "fc")
    frozen_bn = [m for n, m in model.named_modules() if isinstance(m, nn.BatchNorm2d) and not n.startswith(trainable)]
    groups = []
    for prefix in trainable:
        params = [p for n, p in model.named_parameters() if n.startswith(prefix)]
        rate = 1e-3 if prefix == "fc" else 1e-4
        groups.append({"params": [p for p in params if p.dim() > 1], "lr": rate, "weight_decay": 1e-4})
        groups.append({"params": [p for p in params if p.dim() <= 1], "lr": rate, "weight_decay": 0.0})
    for n, p in model.named_parameters():
        p.requires_grad = n.startswith(trainable)
    params = [p for p in model.parameters() if p.requires_grad]
    return model, frozen_bn, torch.optim.AdamW(groups), params


def train_mode(model, frozen_bn):
    model.train()
    for bn in frozen_bn:
        bn.eval()


def step(model, optimizer, params, x, y):
    loss = nn.functional.cross_entropy(model(x), y)
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    nn.utils.clip_grad_norm_(params, 1.0)
    optimizer.step()
    return loss


class Jitter:
    """Additive brightness and contrast about the mean, clamped to [0, 1], as our ImageTransforms."""

    def __init__(self, brightness, contrast):
        self.brightness, self.contrast = brightness, contrast

    def __call__(self, x):
        c = 1 + random.uniform(-self.contrast, self.contrast)
        b = random.uniform(-self.brightness, self.brightness)
        return (x * c + ((1 - c) * x.mean() + b)).clamp_(0, 1)


class PngFolder(torch.utils.data.Dataset):
    def __init__(self, root, count, crop, cache):
        files = []
        for label, name in enumerate(("NORMAL", "OPACITY")):
            folder = os.path.join(root, name)
            files += [(os.path.join(folder, f), label) for f in os.listdir(folder) if f.endswith(".png")]
        files.sort(key=lambda f: os.path.basename(f[0]))  # by file name, as TrainingBench: the classes interleave
        self.files = files[:count]
        resize = round(crop * 256 / 224)
        self.resize = T.Resize(resize, interpolation=T.InterpolationMode.BILINEAR)
        self.cached = None
        if cache:
            # Decode and resize once, in the main process before the workers fork (they share it copy-on-write).
            self.cached = [self.load(i) for i in range(len(self.files))]
        self.transform = T.Compose([
            T.RandomCrop(crop),
            T.RandomHorizontalFlip(),
            T.RandomRotation(10, interpolation=T.InterpolationMode.BILINEAR),
            T.ToTensor(),
            Jitter(0.1, 0.1),
        ])

    def __len__(self):
        return len(self.files)

    def load(self, i):
        with Image.open(self.files[i][0]) as image:
            return self.resize(image.convert("L"))

    def __getitem__(self, i):
        image = self.cached[i] if self.cached is not None else self.load(i)
        return self.transform(image), self.files[i][1]


def peak_rss_mib():
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # the largest finished child
    return own, workers


def run_train(a):
    model, frozen_bn, optimizer, params = build(a.arch, a.threads, a.channels_last == "true")
    cache = a.cache == "true"
    decode_start = time.perf_counter()
    data = PngFolder(a.dir, a.images, a.crop, cache)
    decode_seconds = time.perf_counter() - decode_start  # the decode-once pass, counted in epoch 1
    loader = torch.utils.data.DataLoader(data, batch_size=16, shuffle=True, drop_last=True, num_workers=a.workers,
                                         persistent_workers=a.workers > 0)
    seconds, images, first = 0.0, 0, None
    for epoch in range(1, a.epochs + 1):
        train_mode(model, frozen_bn)
        start, seen = time.perf_counter(), 0
        for x, y in loader:
            if a.channels_last == "true":
                x = x.contiguous(memory_format=torch.channels_last)
            step(model, optimizer, params, x, y).item()
            seen += len(y)
        elapsed = time.perf_counter() - start
        if epoch == 1:
            first = seen / (elapsed + decode_seconds)
        else:
            seconds += elapsed
            images += seen
    del loader  # ends the persistent workers, so that their peak RSS is counted
    own, workers = peak_rss_mib()
    return {"impl": "pytorch" if cache else "pytorch-decode", "images": images, "images_per_s": images / seconds, "epoch1_images_per_s": first,
            "peak_rss_mib": own, "worker_peak_rss_mib": workers, "workers": a.workers,
            "decode_once_s": decode_seconds if cache else None}


def run_bare(a):
    model, frozen_bn, optimizer, params = build(a.arch, a.threads, a.channels_last == "true")
    train_mode(model, frozen_bn)
    x, y = torch.rand(16, 1, a.crop, a.crop), torch.randint(0, 2, (16,))
    if a.channels_last == "true":
        x = x.contiguous(memory_format=torch.channels_last)
    for _ in range(a.steps if a.warmup < 0 else a.warmup):  # default: as many steps as are timed (an epoch's worth)
        step(model, optimizer, params, x, y)
    phases = [0.0] * 4
    start = time.perf_counter()
    for _ in range(a.steps):
        t0 = time.perf_counter()
        loss = nn.functional.cross_entropy(model(x), y)
        t1 = time.perf_counter()
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        t2 = time.perf_counter()
        nn.utils.clip_grad_norm_(params, 1.0)
        t3 = time.perf_counter()
        optimizer.step()
        for k, (u, v) in enumerate(((t0, t1), (t1, t2), (t2, t3), (t3, time.perf_counter()))):
            phases[k] += (v - u) * 1000
    elapsed = time.perf_counter() - start
    names = ("forward", "backward", "clip", "adamw")
    return {"impl": "pytorch-bare", "images": a.steps * 16, "images_per_s": a.steps * 16 / elapsed,
            "step_ms": {n: p / a.steps for n, p in zip(names, phases)}, "peak_rss_mib": peak_rss_mib()[0]}


def run_script(a):
    model, _, _, _ = build(a.arch, a.threads)
    torch.jit.script(model).save(a.out)
    return {"impl": "script", "path": a.out}


MALLOC_REUSE = {"MALLOC_MMAP_THRESHOLD_": str(1 << 30), "MALLOC_TRIM_THRESHOLD_": str(2**31 - 1)}


def mkldnn_version():
    """The oneDNN (MKL-DNN) version PyTorch was built with, from torch.__config__.show(), or None."""
    for line in torch.__config__.show().splitlines():
        if "MKL-DNN" in line or "oneDNN" in line:
            return line.strip(" -") if torch.backends.mkldnn.is_available() else None
    return None


def main():
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=("train", "bare", "script"))
    p.add_argument("--arch", required=True, choices=("resnet18", "resnet50"))
    p.add_argument("--crop", type=int, required=True)
    p.add_argument("--dir")
    p.add_argument("--images", type=int, default=0)
    p.add_argument("--epochs", type=int, default=2)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--threads", type=int, default=os.cpu_count())
    p.add_argument("--steps", type=int, default=0)
    p.add_argument("--warmup", type=int, default=-1)
    p.add_argument("--cache", choices=("true", "false"), default="true")
    p.add_argument("--malloc", choices=("default", "reuse"), default="default")
    p.add_argument("--channels-last", choices=("true", "false"), default="false")
    p.add_argument("--out")
    a = p.parse_args()
    if a.malloc == "reuse" and any(os.environ.get(k) != v for k, v in MALLOC_REUSE.items()):
        os.execve(sys.executable, [sys.executable] + sys.argv, dict(os.environ, **MALLOC_REUSE))
    default_threads = torch.get_num_threads()
    random.seed(1)
    result = {"train": run_train, "bare": run_bare, "script": run_script}[a.mode](a)
    if a.malloc == "reuse":
        result["impl"] += "-malloc"
    if a.channels_last == "true":
        result["impl"] += "-cl"
    result.update({"malloc": a.malloc, "channels_last": a.channels_last == "true", "bench": "train", "arch": a.arch, "crop": a.crop, "threads": torch.get_num_threads(),
                   "torch": torch.__version__, "torchvision": torchvision.__version__,
                   "default_threads": default_threads, "mkldnn": mkldnn_version(), "mkl": torch.backends.mkl.is_available(),
                   "openmp": torch.backends.openmp.is_available(), "load_average": " ".join(open("/proc/loadavg").read().split()[:3])})
    print("RESULT " + json.dumps(result))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
