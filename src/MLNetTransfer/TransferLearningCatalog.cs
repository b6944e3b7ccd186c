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
    /// The input of a model trained with <see cref="ResNetFineTuneTrainer.Options.PixelReader"/>: each row's image file
    /// read by <paramref name="reader"/> into a float <see cref="ResNetFineTuneTransformer.PixelsColumnName"/> column of
    /// 3 × <paramref name="size"/>² values (<see cref="ImagePixelInput.LoadModelInput"/>), lazily, as a cursor reaches
    /// the row. Append the loaded model.zip after it. It is ML.NET's <c>CustomMapping</c> without a contract name, so it
    /// is not saved into a model: an app builds it again from <see cref="ModelFileCatalog.LoadPixelInput"/>.
    /// </summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="reader">The reader the model was trained with (its <see cref="IImagePixelReader.Description"/> is in <see cref="ModelPixelInput.ReaderDescription"/>).</param>
    /// <param name="size">The model's input size (<see cref="ModelPixelInput.Size"/>).</param>
    /// <param name="inputColumnName">The String column of image paths. Default "ImagePath".</param>
    /// <param name="imageFolder">Folder relative paths are relative to. Default null (as given).</param>
    public static IEstimator<ITransformer> LoadModelPixels(this TransformsCatalog catalog, IImagePixelReader reader, int size, string inputColumnName = "ImagePath", string? imageFolder = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        ArgumentException.ThrowIfNullOrWhiteSpace(inputColumnName);
        return Scoring.PixelColumnMapping.Estimator(catalog, inputColumnName, imageFolder, reader, size);
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
