using System;
using MLNetTransfer.Torch;

namespace MLNetTransfer.Bench.Training;

/// <summary>The two torchvision layouts benchmarked, by the names the PyTorch script uses.</summary>
internal static class Architectures
{
    public static ResNetLayout Layout(string name) => name switch
    {
        "resnet18" => ResNetLayout.ResNet18,
        "resnet50" => ResNetLayout.ResNet50,
        _ => throw new ArgumentException($"--arch is resnet18 or resnet50, not '{name}'."),
    };
}
