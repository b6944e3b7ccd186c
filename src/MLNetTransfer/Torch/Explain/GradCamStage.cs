using System;
using System.Collections.Generic;
using System.Linq;

namespace MLNetTransfer.Torch.Explain;

/// <summary>The ResNet stages Grad-CAM can look at, by torchvision's module names <c>layer1</c>..<c>layer4</c>.</summary>
internal static class GradCamStage
{
    /// <summary>The last stage: the coarsest, most class-specific activations (Selvaraju et al. 2017, section 3).</summary>
    public const string Default = "layer4";

    /// <summary>The valid names, in network order.</summary>
    public static IReadOnlyList<string> Names { get; } = new[] { "layer1", "layer2", "layer3", "layer4" };

    /// <summary>The 0-based index of <paramref name="stage"/> in <see cref="Names"/>.</summary>
    /// <param name="stage">A stage name.</param>
    /// <param name="option">The option or parameter it came from, named in the error.</param>
    /// <exception cref="ArgumentException">Not one of <see cref="Names"/>; the message names the option and the valid names.</exception>
    public static int Index(string? stage, string option)
    {
        int index = stage is null ? -1 : Names.ToList().IndexOf(stage);
        return index >= 0
            ? index
            : throw new ArgumentException($"{option} '{stage}' is not a ResNet stage; use one of {string.Join(", ", Names)}.", option);
    }
}
