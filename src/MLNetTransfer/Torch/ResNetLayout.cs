using System;
using System.Linq;

namespace MLNetTransfer.Torch;

/// <summary>The residual block type of a ResNet.</summary>
internal enum ResNetBlockKind
{
    /// <summary>Two 3x3 convolutions (expansion 1): ResNet18/34.</summary>
    Basic,
    /// <summary>1x1, 3x3 (strided, "ResNet v1.5" as in torchvision), 1x1 with expansion 4: ResNet50/101/152.</summary>
    Bottleneck,
}

/// <summary>
/// The shape of a ResNet: block type and the number of blocks in each of the four stages
/// (<c>layer1</c>..<c>layer4</c>). torchvision's <c>ResNet(block, layers)</c> in <c>torchvision/models/resnet.py</c>.
/// </summary>
/// <remarks>
/// Besides the five standard depths there is <see cref="MLNetResNet18"/>: the ImageNet network that ML.NET ships in
/// <c>Microsoft.ML.DnnImageFeaturizer.ResNet18</c> has three blocks in <c>layer4</c> (22 convolutions), so it is not
/// torchvision's resnet18 and is named for what it is (docs/design.md, "Pretrained weights").
/// </remarks>
internal sealed class ResNetLayout : IEquatable<ResNetLayout>
{
    /// <summary>Creates a layout.</summary>
    /// <param name="name">A display name, e.g. <c>resnet18</c>.</param>
    /// <param name="block">The block type.</param>
    /// <param name="blocksPerStage">Blocks in layer1..layer4; four positive numbers.</param>
    public ResNetLayout(string name, ResNetBlockKind block, params int[] blocksPerStage)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(blocksPerStage);
        if (blocksPerStage.Length != 4 || blocksPerStage.Any(b => b < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(blocksPerStage),
                $"A ResNet has four stages of at least one block each; got [{string.Join(", ", blocksPerStage)}].");
        }

        Name = name;
        Block = block;
        BlocksPerStage = (int[])blocksPerStage.Clone();
    }

    /// <summary>torchvision resnet18.</summary>
    public static ResNetLayout ResNet18 { get; } = new("resnet18", ResNetBlockKind.Basic, 2, 2, 2, 2);

    /// <summary>torchvision resnet34.</summary>
    public static ResNetLayout ResNet34 { get; } = new("resnet34", ResNetBlockKind.Basic, 3, 4, 6, 3);

    /// <summary>torchvision resnet50.</summary>
    public static ResNetLayout ResNet50 { get; } = new("resnet50", ResNetBlockKind.Bottleneck, 3, 4, 6, 3);

    /// <summary>torchvision resnet101.</summary>
    public static ResNetLayout ResNet101 { get; } = new("resnet101", ResNetBlockKind.Bottleneck, 3, 4, 23, 3);

    /// <summary>torchvision resnet152.</summary>
    public static ResNetLayout ResNet152 { get; } = new("resnet152", ResNetBlockKind.Bottleneck, 3, 8, 36, 3);

    /// <summary>
    /// The ImageNet "ResNet18" of ML.NET's DnnImageFeaturizer: <c>ResNet(BasicBlock, [2, 2, 2, 3])</c>.
    /// </summary>
    public static ResNetLayout MLNetResNet18 { get; } = new("resnet18-mlnet", ResNetBlockKind.Basic, 2, 2, 2, 3);

    /// <summary>A display name.</summary>
    public string Name { get; }

    /// <summary>The block type.</summary>
    public ResNetBlockKind Block { get; }

    /// <summary>Blocks in layer1..layer4.</summary>
    public int[] BlocksPerStage { get; }

    /// <summary>Output channels of a block relative to its width: 1 for basic blocks, 4 for bottlenecks.</summary>
    public int Expansion => Block == ResNetBlockKind.Basic ? 1 : 4;

    /// <summary>Width of the pooled feature vector that feeds the head (512 or 2048).</summary>
    public int FeatureCount => 512 * Expansion;

    /// <summary>The torchvision layout of <paramref name="architecture"/>.</summary>
    public static ResNetLayout For(ResNetArchitecture architecture) => architecture switch
    {
        ResNetArchitecture.ResNet18 => ResNet18,
        ResNetArchitecture.ResNet34 => ResNet34,
        ResNetArchitecture.ResNet50 => ResNet50,
        ResNetArchitecture.ResNet101 => ResNet101,
        ResNetArchitecture.ResNet152 => ResNet152,
        _ => throw new ArgumentOutOfRangeException(nameof(architecture), architecture, "Unknown ResNet architecture."),
    };

    /// <summary>The named layout with this block type and these blocks per stage, or a "resnet-custom" one.</summary>
    public static ResNetLayout Identify(ResNetBlockKind block, int[] blocksPerStage)
    {
        var layout = new ResNetLayout("resnet-custom", block, blocksPerStage);
        return new[] { ResNet18, ResNet34, ResNet50, ResNet101, ResNet152, MLNetResNet18 }.FirstOrDefault(k => k.Equals(layout)) ?? layout;
    }

    /// <inheritdoc/>
    public bool Equals(ResNetLayout? other) =>
        other is not null && Block == other.Block && BlocksPerStage.SequenceEqual(other.BlocksPerStage);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as ResNetLayout);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Block, BlocksPerStage[0], BlocksPerStage[1], BlocksPerStage[2], BlocksPerStage[3]);

    /// <inheritdoc/>
    public override string ToString() => $"{Name}: {Block}Block [{string.Join(", ", BlocksPerStage)}]";
}
