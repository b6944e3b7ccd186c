#!/usr/bin/python3
"""Reference files for the engine's weight readers (src/MLNetTransfer/Torch/Weights/) and ResNet parity tests.

Usage: /usr/bin/python3 make_torchvision_references.py OUTDIR

Needs Debian's python3-torch and python3-torchvision (PyTorch 1.13, torchvision 0.14); nothing is downloaded.
Everything is seeded, so two runs write the same values. Written to OUTDIR:

  <arch>.pth, <arch>.safetensors  torchvision <arch>(weights=None) state_dict, every BatchNorm randomised
                                  (weight, bias, running_mean, running_var, num_batches_tracked) so a
                                  mis-mapped key cannot hide behind BN's identity initialisation
  input.f32                       x = torch.randn(2, 3, 64, 64), raw little-endian float32, C order
  <arch>_logits.f32               model.eval()(x), raw float32 [2, 1000]
  resnet18.onnx                   torch.onnx.export of that resnet18 (BatchNorm folded into the convs, Gemm head)
  dtypes.pth, dtypes.safetensors  small tensors of every supported dtype, a transposed (non-contiguous) view,
                                  an expanded (stride 0) view and views sharing one storage at an offset
  dtypes.json                     expected values of those: {"order": [...], "tensors": {name: {dtype, shape, values}}}
  checkpoint.pth, checkpoint.json a training checkpoint {"epoch", "state_dict" (with an nn.Parameter), "optimizer"}
  torch2_forms.pth, .json         the pickle forms newer torch writes (torch 2.x _rebuild_tensor_v3 with an
                                  UntypedStorage and a dtype, _rebuild_from_type_v2, _rebuild_parameter_with_state,
                                  metadata argument), pickled here by hand since torch 1.13 does not write them
  protocol4.pth                   dtypes.pth's tensors saved with pickle_protocol=4 (FRAME, MEMOIZE, STACK_GLOBAL)
  legacy.pth                      a small state_dict in the pre-1.6 (non-zip) torch.save format, which is not read
  evil.pth                        a torch.save whose pickle calls os.system; readers must refuse it unrun
  meta.json                       torch/torchvision versions and the file list

The .safetensors files are written by hand (the safetensors package is not installed): 8-byte little-endian
header length N, N bytes of JSON {name: {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {...}}
padded with spaces to a multiple of 8, then the tensors' bytes (https://github.com/huggingface/safetensors).
"""

import collections
import io
import json
import os
import pickle
import struct
import sys
import zipfile

import torch
import torchvision

ARCHS = ["resnet18", "resnet50"]

# torch dtype -> (safetensors dtype name, name used in dtypes.json)
DTYPES = {
    torch.float32: ("F32", "float32"),
    torch.float64: ("F64", "float64"),
    torch.float16: ("F16", "float16"),
    torch.bfloat16: ("BF16", "bfloat16"),
    torch.int64: ("I64", "int64"),
    torch.int32: ("I32", "int32"),
    torch.int16: ("I16", "int16"),
    torch.int8: ("I8", "int8"),
    torch.uint8: ("U8", "uint8"),
    torch.bool: ("BOOL", "bool"),
}

written = []


def out_path(outdir, name):
    written.append(name)
    return os.path.join(outdir, name)


def tensor_bytes(t):
    """Little-endian bytes of t in C order (a contiguous copy; bool and bfloat16 go through a uint8 view)."""
    flat = t.detach().contiguous().reshape(-1)
    return flat.view(torch.uint8).numpy().tobytes() if flat.numel() > 0 else b""


def write_safetensors(path, tensors, metadata=None):
    """Writes an ordered name -> tensor mapping in the safetensors layout, data in the same order as the header."""
    header = collections.OrderedDict()
    if metadata:
        header["__metadata__"] = metadata
    chunks = []
    offset = 0
    for name, t in tensors.items():
        data = tensor_bytes(t)
        header[name] = {
            "dtype": DTYPES[t.dtype][0],
            "shape": list(t.shape),
            "data_offsets": [offset, offset + len(data)],
        }
        chunks.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    # The reference writer pads the header with spaces so the byte buffer starts 8-byte aligned.
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for c in chunks:
            f.write(c)


def write_f32(path, t):
    with open(path, "wb") as f:
        f.write(tensor_bytes(t.to(torch.float32)))


def expected(tensors):
    """JSON expectations: shape and row-major values as floats, in mapping order."""
    return {
        "order": list(tensors.keys()),
        "tensors": {
            name: {
                "dtype": DTYPES[t.dtype][1],
                "shape": list(t.shape),
                "values": [float(v) for v in t.detach().reshape(-1).to(torch.float64).tolist()],
            }
            for name, t in tensors.items()
        },
    }


def randomize_batchnorms(model):
    """Gives every BatchNorm distinct, non-identity statistics and affine parameters."""
    with torch.no_grad():
        for i, m in enumerate(mm for mm in model.modules() if isinstance(mm, torch.nn.BatchNorm2d)):
            m.weight.uniform_(0.5, 1.5)
            m.bias.normal_(0.0, 0.2)
            m.running_mean.normal_(0.0, 0.2)
            m.running_var.uniform_(0.5, 2.0)
            m.num_batches_tracked.fill_(i + 1)


def make_resnets(outdir):
    models = {}
    for arch in ARCHS:
        model = getattr(torchvision.models, arch)(weights=None)
        randomize_batchnorms(model)
        model.eval()
        models[arch] = model
    x = torch.randn(2, 3, 64, 64)
    write_f32(out_path(outdir, "input.f32"), x)
    for arch, model in models.items():
        state = model.state_dict()
        torch.save(state, out_path(outdir, f"{arch}.pth"))
        write_safetensors(out_path(outdir, f"{arch}.safetensors"), state, {"format": "pt", "arch": arch})
        with torch.no_grad():
            logits = model(x)
        assert logits.shape == (2, 1000)
        write_f32(out_path(outdir, f"{arch}_logits.f32"), logits)
    # torch.onnx.export in eval mode folds each BatchNorm into its Conv (a bias) and ends in Flatten + Gemm: the
    # other ONNX form of a ResNet the importer reads. Same weights, so the same logits.
    torch.onnx.export(models["resnet18"], x, out_path(outdir, "resnet18.onnx"), opset_version=13,
                      input_names=["input"], output_names=["logits"], dynamic_axes={"input": {0: "batch"}})


def make_dtypes(outdir):
    base = torch.arange(10, dtype=torch.float32) * 0.5 - 1.0
    grid = torch.arange(12, dtype=torch.float32).reshape(3, 4)
    tensors = collections.OrderedDict()
    tensors["f32"] = torch.tensor([[1.5, -2.25, 3.0], [0.1, 1e-30, -7e20]], dtype=torch.float32)
    tensors["f64"] = torch.tensor([1.0 / 3.0, -2.5e-300, 6.02e23], dtype=torch.float64)
    tensors["f16"] = torch.tensor([[0.1, -65504.0], [6.1e-5, 2.0]], dtype=torch.float16)
    tensors["bf16"] = torch.tensor([1.0, -3.140625, 1e30, 0.0078125], dtype=torch.bfloat16)
    tensors["i64"] = torch.tensor([-(2 ** 40), 0, 123456789], dtype=torch.int64)
    tensors["i32"] = torch.tensor([[-2147483648, 7], [2147483647, -1]], dtype=torch.int32)
    tensors["i16"] = torch.tensor([-32768, 12, 32767], dtype=torch.int16)
    tensors["i8"] = torch.tensor([-128, -1, 0, 127], dtype=torch.int8)
    tensors["u8"] = torch.tensor([0, 128, 255], dtype=torch.uint8)
    tensors["bool"] = torch.tensor([True, False, False, True], dtype=torch.bool)
    tensors["scalar"] = torch.tensor(42.5, dtype=torch.float32)
    tensors["empty"] = torch.zeros(0, 3, dtype=torch.float32)
    # Views that torch.save keeps as views (storage, offset, size, stride), so the reader must honour them.
    tensors["transposed"] = grid.t()  # shape [4, 3], stride (1, 4)
    tensors["expanded"] = torch.tensor([1.0, 2.0, 3.0]).expand(2, 3)  # stride (0, 1)
    tensors["shared_base"] = base
    tensors["shared_tail"] = base[2:]  # same storage, offset 2
    tensors["shared_window"] = base[3:9].view(2, 3)  # same storage, offset 3
    tensors["strided"] = base[1::3]  # offset 1, stride 3
    torch.save(tensors, out_path(outdir, "dtypes.pth"))
    torch.save(tensors, out_path(outdir, "protocol4.pth"), pickle_protocol=4)
    # safetensors has no views: every tensor is its own contiguous copy.
    write_safetensors(out_path(outdir, "dtypes.safetensors"),
                      collections.OrderedDict((k, v.contiguous()) for k, v in tensors.items()))
    with open(out_path(outdir, "dtypes.json"), "w") as f:
        json.dump(expected(tensors), f, indent=1)


def make_checkpoint(outdir):
    """A training checkpoint, the other common shape of a .pth: the state_dict sits under "state_dict"."""
    weight = torch.nn.Parameter(torch.arange(6, dtype=torch.float32).reshape(2, 3) - 2.0)
    state = collections.OrderedDict()
    state["linear.weight"] = weight  # pickled through torch._utils._rebuild_parameter
    state["linear.bias"] = torch.tensor([0.5, -0.5])
    checkpoint = {
        "epoch": 3,
        "best_auc": 0.875,
        "state_dict": state,
        "optimizer": {"state": {}, "param_groups": [{"lr": 0.001, "params": [0, 1]}]},
        "tags": ["resnet", None, True],
    }
    torch.save(checkpoint, out_path(outdir, "checkpoint.pth"))
    with open(out_path(outdir, "checkpoint.json"), "w") as f:
        json.dump(expected(state), f, indent=1)


class Evil:
    """Unpickling this runs a shell command: what a .pth reader must never do."""

    def __reduce__(self):
        return (os.system, ("echo pwned",))


def make_evil(outdir):
    torch.save({"weight": torch.zeros(2), "payload": Evil()}, out_path(outdir, "evil.pth"))


class _Call:
    """Pickles as func(*args) (pickle's REDUCE)."""

    def __init__(self, func, *args):
        self.func, self.args = func, args

    def __reduce__(self):
        return (self.func, self.args)


class _Storage:
    """Pickles as torch's persistent id ('storage', storage_type, key, location, numel) (torch/serialization.py)."""

    def __init__(self, storage_type, key, numel):
        self.pid = ("storage", storage_type, key, "cpu", numel)


class _StoragePickler(pickle.Pickler):
    def persistent_id(self, obj):
        return obj.pid if isinstance(obj, _Storage) else None


def _named(module, name):
    """A stand-in for a function torch 1.13 lacks, importable under torch 2.x's name so pickle writes that GLOBAL."""

    def fn(*args):
        raise RuntimeError(f"{module}.{name} is a stand-in")

    fn.__module__, fn.__name__, fn.__qualname__ = module.__name__, name, name
    if not hasattr(module, name):
        setattr(module, name, fn)
    return getattr(module, name)


def make_torch2_forms(outdir):
    """The calls newer torch pickles for tensors (torch/_tensor.py __reduce_ex__, torch/_utils.py), in a zip laid out as torch.save's."""
    rebuild_v3 = _named(torch._utils, "_rebuild_tensor_v3")
    rebuild_param_state = _named(torch._utils, "_rebuild_parameter_with_state")
    hooks = collections.OrderedDict()
    bf16 = torch.tensor([1.0, 2.0, 3.0, 4.0], dtype=torch.bfloat16)
    f32 = torch.tensor([0.25, -1.5, 8.0, 3.0], dtype=torch.float32)
    raw = _Storage(torch.UntypedStorage, "0", 8)  # 8 bytes: four bfloat16
    typed = _Storage(torch.FloatStorage, "1", 4)
    v2 = torch._utils._rebuild_tensor_v2
    state = collections.OrderedDict()
    # torch >= 2.3 for dtypes without a typed storage: (untyped storage, offset, size, stride, requires_grad, hooks, dtype)
    state["v3_bf16"] = _Call(rebuild_v3, raw, 1, (2,), (1,), False, hooks, torch.bfloat16)
    # A tensor with Python attributes: _rebuild_from_type_v2(func, type, args, state)
    state["from_type"] = _Call(torch._tensor._rebuild_from_type_v2, v2, torch.Tensor,
                               (typed, 0, (2, 2), (1, 2), False, hooks), {"note": "x"})
    # An nn.Parameter with attributes: _rebuild_parameter_with_state(data, requires_grad, hooks, state)
    state["param_state"] = _Call(rebuild_param_state, _Call(v2, typed, 1, (3,), (1,), True, hooks), True, hooks, {"tag": 3})
    # _rebuild_tensor_v2 with the optional metadata argument (torch._utils.get_tensor_metadata)
    state["with_metadata"] = _Call(v2, typed, 3, (), (), False, hooks, {"conj": False})
    buffer = io.BytesIO()
    _StoragePickler(buffer, protocol=2).dump(state)
    with zipfile.ZipFile(out_path(outdir, "torch2_forms.pth"), "w", zipfile.ZIP_STORED) as z:
        z.writestr("torch2_forms/data.pkl", buffer.getvalue())
        z.writestr("torch2_forms/byteorder", "little")
        z.writestr("torch2_forms/data/0", tensor_bytes(bf16))
        z.writestr("torch2_forms/data/1", tensor_bytes(f32))
        z.writestr("torch2_forms/version", "3\n")
    expect = collections.OrderedDict()
    expect["v3_bf16"] = bf16[1:3]
    expect["from_type"] = f32.as_strided((2, 2), (1, 2))
    expect["param_state"] = f32[1:4]
    expect["with_metadata"] = f32[3]
    with open(out_path(outdir, "torch2_forms.json"), "w") as f:
        json.dump(expected(expect), f, indent=1)


def make_legacy(outdir):
    state = collections.OrderedDict(weight=torch.ones(2, 2))
    torch.save(state, out_path(outdir, "legacy.pth"), _use_new_zipfile_serialization=False)


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: make_torchvision_references.py OUTDIR")
    outdir = sys.argv[1]
    os.makedirs(outdir, exist_ok=True)
    torch.manual_seed(0)
    torch.set_num_threads(1)  # deterministic float sums in the logits
    make_resnets(outdir)
    make_dtypes(outdir)
    make_checkpoint(outdir)
    make_torch2_forms(outdir)
    make_legacy(outdir)
    make_evil(outdir)
    meta = {
        "torch": torch.__version__,
        "torchvision": torchvision.__version__,
        "seed": 0,
        "archs": ARCHS,
        "files": sorted(written + ["meta.json"]),
    }
    with open(out_path(outdir, "meta.json"), "w") as f:
        json.dump(meta, f, indent=1)
    for name in written:
        print(f"wrote {os.path.join(outdir, name)} ({os.path.getsize(os.path.join(outdir, name))} bytes)")


if __name__ == "__main__":
    main()
