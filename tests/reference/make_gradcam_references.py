"""Grad-CAM references computed by PyTorch on torchvision's resnet18 (Selvaraju et al. 2017, eq. 1 and 2).

Writes, into the folder given as the only argument:
  <case>.pth        the state_dict (seeded random weights, randomised BatchNorm statistics), read by the C# side
  <case>.f32        the normalised input [1, C, 96, 96], raw little-endian float32
  gradcam.json      per case: weights, input, channels, target, stage, the stage-resolution map (ReLU of the
                    alpha-weighted sum, not normalised), the map upsampled bilinearly (align_corners=False) to the
                    input and divided by its maximum, and the logits.
Grad-CAM here is the textbook one with hooks: the stage's output A from a forward hook, dY/dA from a tensor hook,
alpha_k = mean over H, W of dY/dA_k, cam = relu(sum_k alpha_k A_k).
"""
import json
import os
import sys

import torch
import torch.nn.functional as F
import torchvision

SIZE = 96


def make_model(seed, classes, channels):
    torch.manual_seed(seed)
    model = torchvision.models.resnet18(num_classes=classes)
    if channels == 1:
        model.conv1 = torch.nn.Conv2d(1, 64, kernel_size=7, stride=2, padding=3, bias=False)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.2, 0.2)
                m.running_mean.uniform_(-0.2, 0.2)
                m.running_var.uniform_(0.5, 2.0)
    return model.eval()


def grad_cam(model, x, target, stage):
    saved = {}

    def forward_hook(module, inputs, output):
        saved["a"] = output
        output.register_hook(lambda g: saved.__setitem__("g", g))

    handle = getattr(model, stage).register_forward_hook(forward_hook)
    try:
        logits = model(x)
        model.zero_grad()
        logits[0, target].backward()
    finally:
        handle.remove()
    a, g = saved["a"].detach(), saved["g"].detach()
    alpha = g.mean(dim=(2, 3), keepdim=True)
    cam = torch.relu((alpha * a).sum(dim=1, keepdim=True))
    up = F.interpolate(cam, size=x.shape[2:], mode="bilinear", align_corners=False)
    peak = up.max()
    if peak > 0:
        up = up / peak
    return cam, up, logits.detach()


def main(out):
    os.makedirs(out, exist_ok=True)
    torch.set_num_threads(1)
    # name, seed, classes, channels, target, stage; "single" and "single_layer3" share weights and input.
    cases = [
        ("single", 1, 3, 3, 2, "layer4"),
        ("multilabel", 2, 4, 3, 1, "layer4"),
        ("single_layer3", 1, 3, 3, 0, "layer3"),
        ("gray_layer2", 3, 2, 1, 1, "layer2"),
    ]
    result = {"torch": torch.__version__, "torchvision": torchvision.__version__, "cases": []}
    for name, seed, classes, channels, target, stage in cases:
        model = make_model(seed, classes, channels)
        torch.manual_seed(100 + seed)
        x = torch.randn(1, channels, SIZE, SIZE)
        weights = f"seed{seed}.pth"
        inputs = f"seed{seed}.f32"
        torch.save(model.state_dict(), os.path.join(out, weights))
        x.numpy().astype("<f4").tofile(os.path.join(out, inputs))
        cam, up, logits = grad_cam(model, x, target, stage)
        result["cases"].append({
            "name": name,
            "weights": weights,
            "input": inputs,
            "channels": channels,
            "size": SIZE,
            "classes": classes,
            "target": target,
            "stage": stage,
            "stage_shape": list(cam.shape[2:]),
            "stage_map": cam.flatten().tolist(),
            "map": up.flatten().tolist(),
            "logits": logits.flatten().tolist(),
        })
    with open(os.path.join(out, "gradcam.json"), "w") as f:
        json.dump(result, f)


if __name__ == "__main__":
    main(sys.argv[1])
