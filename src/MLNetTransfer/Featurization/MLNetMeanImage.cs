using MLNetTransfer.Torch;

namespace MLNetTransfer.Featurization;

/// <summary>
/// ML.NET's mean image, for the featurizer's graph where it applies. ML.NET's <c>DnnFeaturizeImage</c> with
/// <c>ResNet18</c> runs <c>ResNetPrepOnnx/ResNetPreprocess.onnx</c> before the network: Split the planar R, G, B input,
/// Concat as B, G, R, Sub a <c>[1, 3, 224, 224]</c> initializer <c>MeanImage</c> (0–255 scale). The library's copy of
/// that network reads RGB (conv1's input channels reversed, <see cref="MLNetResNet18"/>) with std 1/255, so subtracting
/// the same image, channels reversed and divided by 255, after the graph's division by 255 gives ML.NET's input.
/// </summary>
internal static class MLNetMeanImage
{
    /// <summary>The side of the mean image: ML.NET's ResNet18 featurizer takes 224x224 images only.</summary>
    public const int Size = 224;

    /// <summary>
    /// Whether the featurizer's network is ML.NET's ResNet18 (no weights file, ResNet18, the layout the package's file
    /// has) on RGB crops of <see cref="Size"/>. A gray network or another crop size cannot subtract a 3x224x224 image,
    /// so it keeps the image's per-channel means.
    /// </summary>
    public static bool Applies(ResNetFeaturizerOptions options, ResNetLayout layout) =>
        !options.ChannelMeansOnly
        && options.WeightsPath is null
        && options.Architecture == ResNetArchitecture.ResNet18
        && layout.Equals(ResNetLayout.MLNetResNet18)
        && !options.Grayscale
        && options.CropSize == Size;

    /// <summary>The mean image as <c>[3, 224, 224]</c>, R, G, B planes, on the [0, 1] scale.</summary>
    public static float[] Rgb()
    {
        var bgr = MLNetResNet18.MeanImageBgr();
        const int plane = Size * Size;
        var rgb = new float[bgr.Length];
        for (int c = 0; c < 3; c++)
        {
            for (int p = 0; p < plane; p++)
            {
                rgb[c * plane + p] = bgr[(2 - c) * plane + p] / 255f;
            }
        }

        return rgb;
    }
}
