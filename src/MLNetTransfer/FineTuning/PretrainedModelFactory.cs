using MLNetTransfer.Torch;
using MLNetTransfer.Torch.Modules;

namespace MLNetTransfer.FineTuning;

/// <summary>The starting network: which weights, which stem.</summary>
internal static class PretrainedModelFactory
{
    public static ResNet Create(ResNetFineTuneTrainer.Options options) =>
        Create(options.WeightsPath, options.Architecture, options.AllowWeightsDownload, options.Grayscale, options.GrayscaleAdaptation);

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
