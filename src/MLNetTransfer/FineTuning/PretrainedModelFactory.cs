using MLNetTransfer.Torch;
using MLNetTransfer.Torch.Modules;

namespace MLNetTransfer.FineTuning;

/// <summary>The starting network: which weights, which stem.</summary>
internal static class PretrainedModelFactory
{
    public static ResNet Create(ResNetFineTuneTrainer.Options options) =>
        NeedsNoWeights(options)
            ? Untrained(options.Architecture, options.Grayscale)
            : Create(options.WeightsPath, options.Architecture, options.AllowWeightsDownload, options.Grayscale, options.GrayscaleAdaptation);

    /// <summary>
    /// Training from scratch re-initialises every weight, so ResNet34–152 need no weights file for it (none ships with a
    /// package). ResNet18 keeps ML.NET's network, whose layout (three blocks in layer4) then matches the pretrained runs it
    /// is the baseline for; a given <see cref="ResNetFineTuneTrainer.Options.WeightsPath"/> still sets the layout.
    /// </summary>
    internal static bool NeedsNoWeights(ResNetFineTuneTrainer.Options options) =>
        options.Strategy.Kind == FreezeStrategyKind.FromScratch && options.WeightsPath is null && options.Architecture != ResNetArchitecture.ResNet18;

    /// <summary>
    /// torchvision's layout of <paramref name="architecture"/> with its random initialisation (the run re-initialises it
    /// again after seeding), RGB with ImageNet's normalisation, or gray with <see cref="InputNormalization.ImageNetGray"/>.
    /// </summary>
    private static ResNet Untrained(ResNetArchitecture architecture, bool grayscale)
    {
        var model = new ResNet(ResNetLayout.For(architecture), numClasses: 1000, inChannels: grayscale ? 1 : 3);
        if (grayscale)
        {
            model.Normalization = InputNormalization.ImageNetGray;
        }

        return model;
    }

    /// <summary>
    /// A weights file when given (its layout wins); otherwise ML.NET's ImageNet ResNet18 for ResNet18 and torchvision's
    /// file from the torch.hub cache for the others. The file's head (ImageNet's 1000 classes) is not loaded.
    /// </summary>
    public static ResNet Create(string? weightsPath, ResNetArchitecture architecture, bool allowDownload, bool grayscale, GrayscaleAdapt adaptation)
    {
        var pretrained = new PretrainedOptions
        {
            SkipHead = true,
            Grayscale = grayscale,
            GrayscaleAdaptation = adaptation,
        };

        if (weightsPath is { } path)
        {
            return PretrainedResNet.FromFile(path, pretrained);
        }

        return architecture == ResNetArchitecture.ResNet18
            ? MLNetResNet18.Load(pretrained)
            : PretrainedResNet.FromTorchvision(architecture, pretrained, allowDownload: allowDownload);
    }
}
