using MLNetTransfer.Torch;
using MLNetTransfer.Torch.Modules;

namespace MLNetTransfer.FineTuning;

/// <summary>The starting network for <see cref="ResNetFineTuneOptions"/>: which weights, which stem.</summary>
internal static class PretrainedModelFactory
{
    public static ResNet Create(ResNetFineTuneOptions options)
    {
        // The head is replaced by the fine-tuning plan anyway; the file's head (ImageNet's 1000 classes) is not needed.
        var pretrained = new PretrainedOptions
        {
            SkipHead = true,
            Grayscale = options.Grayscale,
            GrayscaleAdaptation = options.GrayscaleAdaptation,
        };

        if (options.WeightsPath is { } path)
        {
            return PretrainedResNet.FromFile(path, pretrained);
        }

        return options.Architecture == ResNetArchitecture.ResNet18
            ? MLNetResNet18.Load(pretrained)
            : PretrainedResNet.FromTorchvision(options.Architecture, pretrained, allowDownload: options.AllowWeightsDownload);
    }
}
