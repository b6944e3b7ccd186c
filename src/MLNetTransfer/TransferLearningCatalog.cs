using System;
using Microsoft.ML;
using MLNetTransfer.Featurization;
using MLNetTransfer.FineTuning;
using MLNetTransfer.Torch.FineTuning;

namespace MLNetTransfer;

/// <summary>MLNetTransfer's entry points on ML.NET's catalogs: <c>mlContext.Transforms.FineTuneResNet(...)</c>.</summary>
public static class TransferLearningCatalog
{
    /// <summary>
    /// Fine-tunes an ImageNet-pretrained ResNet on <paramref name="imageColumnName"/> and
    /// <paramref name="labelColumnName"/> with the defaults of <see cref="ResNetFineTuneTrainer.Options"/>.
    /// </summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="labelColumnName">A key (MapValueToKey), Boolean, or Single vector (multi-label) label.</param>
    /// <param name="imageColumnName">An Image (LoadImages) or file path column.</param>
    /// <param name="architecture">ResNet18 … ResNet152.</param>
    /// <param name="strategy">Which parts train; null = <see cref="FreezeStrategy.Auto"/>.</param>
    /// <param name="grayscale">One input channel, conv1 adapted from the RGB weights by summation.</param>
    /// <param name="epochs">Training epochs.</param>
    public static ResNetFineTuneTrainer FineTuneResNet(
        this TransformsCatalog catalog,
        string labelColumnName = "Label",
        string imageColumnName = "Image",
        ResNetArchitecture architecture = ResNetArchitecture.ResNet18,
        FreezeStrategy? strategy = null,
        bool grayscale = false,
        int epochs = FineTuneDefaults.Epochs) =>
        catalog.FineTuneResNet(new ResNetFineTuneTrainer.Options
        {
            LabelColumnName = labelColumnName,
            ImageColumnName = imageColumnName,
            Architecture = architecture,
            Strategy = strategy ?? FreezeStrategy.Auto(),
            Grayscale = grayscale,
            Epochs = epochs,
        });

    /// <summary>Fine-tunes an ImageNet-pretrained ResNet as <paramref name="options"/> say.</summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="options">All settings, with documented defaults.</param>
    public static ResNetFineTuneTrainer FineTuneResNet(this TransformsCatalog catalog, ResNetFineTuneTrainer.Options options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new ResNetFineTuneTrainer(options);
    }

    /// <summary>
    /// Pretrained ResNet features (512 or 2048 wide) of <paramref name="imageColumnName"/> for any ML.NET trainer; with
    /// <paramref name="grayscale"/>, conv1 is adapted to one channel by summing its RGB kernels. ResNet18 in RGB
    /// subtracts ML.NET's mean image and gives <c>DnnFeaturizeImage</c>'s features of the centre 224 crop; see
    /// <see cref="ResNetFeaturizingEstimator"/> for when that parity holds.
    /// </summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="outputColumnName">The features column.</param>
    /// <param name="imageColumnName">An Image (LoadImages) or path column.</param>
    /// <param name="architecture">ResNet18 … ResNet152.</param>
    /// <param name="grayscale">Adapt conv1 to gray images.</param>
    public static ResNetFeaturizingEstimator FeaturizeResNet(
        this TransformsCatalog catalog,
        string outputColumnName = "Features",
        string imageColumnName = "Image",
        ResNetArchitecture architecture = ResNetArchitecture.ResNet18,
        bool grayscale = false) =>
        catalog.FeaturizeResNet(new ResNetFeaturizerOptions
        {
            OutputColumnName = outputColumnName,
            ImageColumnName = imageColumnName,
            Architecture = architecture,
            Grayscale = grayscale,
        });

    /// <summary>Pretrained ResNet features as <paramref name="options"/> say.</summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="options">All settings, with documented defaults.</param>
    public static ResNetFeaturizingEstimator FeaturizeResNet(this TransformsCatalog catalog, ResNetFeaturizerOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new ResNetFeaturizingEstimator(options);
    }
}
