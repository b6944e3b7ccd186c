using MLNetTransfer.Torch;

namespace MLNetTransfer;

/// <summary>Options of <see cref="ResNetFeaturizingEstimator"/>. Every member has a documented default.</summary>
public sealed class ResNetFeaturizerOptions
{
    /// <summary>The features column written. Default "Features".</summary>
    public string OutputColumnName { get; set; } = "Features";

    /// <summary>The images: an Image column (LoadImages) or a String column of file paths. Default "Image".</summary>
    public string ImageColumnName { get; set; } = "Image";

    /// <summary>Folder that relative paths of a String image column are relative to. Default null.</summary>
    public string? ImageFolder { get; set; }

    /// <summary>
    /// The depth. Default ResNet18 (ML.NET's ImageNet network, layer4 with three blocks): on RGB 224 px crops its features
    /// equal ML.NET's <c>DnnFeaturizeImage</c> ResNet18 features (see <see cref="ResNetFeaturizingEstimator"/>).
    /// </summary>
    public ResNetArchitecture Architecture { get; set; } = ResNetArchitecture.ResNet18;

    /// <summary>A weights file (torchvision .pth, .safetensors, ResNet ONNX); its layout wins. Default null.</summary>
    public string? WeightsPath { get; set; }

    /// <summary>Download torchvision's weights into the torch.hub cache when they are missing. Default false.</summary>
    public bool AllowWeightsDownload { get; set; }

    /// <summary>
    /// Adapt conv1 to one channel (summed RGB kernels, normalisation folded in): features of a gray image equal the RGB
    /// network's features of the same image copied to three channels, away from the border (docs/design.md, "Grayscale
    /// inputs"). ML.NET's 3x224x224 mean image cannot be subtracted from one channel, so a gray network subtracts
    /// its channel means (see <see cref="ResNetFeaturizingEstimator"/> for how far that is from ML.NET). Default false.
    /// </summary>
    public bool Grayscale { get; set; }

    /// <summary>How the grayscale conv1 is made. Default <see cref="GrayscaleAdapt.Sum"/>.</summary>
    public GrayscaleAdapt GrayscaleAdaptation { get; set; } = GrayscaleAdapt.Sum;

    /// <summary>
    /// Images are resized (shorter side, then centre-cropped to a square) to this size. Default 256. 224 resizes as
    /// ML.NET's <c>DnnFeaturizeImage</c> sample does (<c>ResizeImages(224, 224)</c>).
    /// </summary>
    public int ResizeTo { get; set; } = 256;

    /// <summary>
    /// Then centre-cropped to this size in the graph. Default 224, the size of ML.NET's mean image; at other sizes
    /// ML.NET's ResNet18 subtracts that image's channel means instead.
    /// </summary>
    public int CropSize { get; set; } = 224;

    /// <summary>CUDA device for ONNX Runtime; null = CPU. Default null.</summary>
    public int? GpuDeviceId { get; set; }

    /// <summary>Use the CPU when the GPU cannot be used. Default false.</summary>
    public bool FallbackToCpu { get; set; }

    /// <summary>
    /// Subtract the mean image's per-channel means even where ML.NET's mean image applies, as gray inputs and other crop
    /// sizes must; the featurizer's tests measure with it how far that is from <c>DnnFeaturizeImage</c>. Default false.
    /// </summary>
    internal bool ChannelMeansOnly { get; set; }
}
