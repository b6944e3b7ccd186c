#!/usr/bin/python3
"""Weights files made by PyTorch that declare far more memory than they hold (tests/MLNetTransfer.Torch.Tests/Weights/HostileWeightsTests.cs).

Usage: /usr/bin/python3 make_hostile_weights.py OUTDIR

Needs Debian's python3-torch; nothing is downloaded. Written to OUTDIR:

  zero_stride.pth   eight float32 tensors "w0".."w7", each torch.zeros(1).expand(2**27): one stored element each,
                    512 MiB each once copied out contiguously (torch.save keeps the stride-0 view)
  overlapping.pth   "grid": a storage of 2**17 + 999 float32 (about 0.5 MiB) viewed with as_strided(size=(2**17, 1000),
                    stride=(1, 1)), each row overlapping the next by 999 elements: 500 MiB once copied out
  deflated.pth      a genuine state_dict {"zeros": torch.zeros(2**25)} (128 MiB) whose zip records are re-packed with
                    deflate, so the file is a fraction of a MiB while its storage record unpacks to 128 MiB
  meta.json         the torch version and the file sizes
"""
import json
import os
import sys
import zipfile

import torch


def main(out):
    os.makedirs(out, exist_ok=True)

    zero_stride = {f"w{i}": torch.zeros(1).expand(2**27) for i in range(8)}
    assert zero_stride["w0"].stride() == (0,)
    torch.save(zero_stride, os.path.join(out, "zero_stride.pth"))

    base = torch.arange(2**17 + 999, dtype=torch.float32)
    grid = base.as_strided((2**17, 1000), (1, 1))
    torch.save({"grid": grid}, os.path.join(out, "overlapping.pth"))

    plain = os.path.join(out, "plain.pth")
    torch.save({"zeros": torch.zeros(2**25)}, plain)
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(os.path.join(out, "deflated.pth"), "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, source.read(info.filename))
    os.remove(plain)

    # What torch.load gives back for the stride-0 file, to show the file is genuine: every tensor keeps its 2**27 elements.
    loaded = torch.load(os.path.join(out, "zero_stride.pth"))
    sizes = {name: os.path.getsize(os.path.join(out, name)) for name in ("zero_stride.pth", "overlapping.pth", "deflated.pth")}
    with open(os.path.join(out, "meta.json"), "w") as f:
        json.dump({"torch": torch.__version__, "bytes": sizes, "zero_stride_numel": {k: v.numel() for k, v in loaded.items()}}, f, indent=1)


if __name__ == "__main__":
    main(sys.argv[1])
