using Microsoft.ML;
using Microsoft.ML.Transforms.Image;

namespace MLNetTransfer.Scoring;

/// <summary>
/// The image steps in front of every exported graph, as ML.NET transformers: <c>LoadImages</c> (path columns),
/// <c>ResizeImages</c> to a <c>resizeTo</c> square (IsoCrop, centre anchor: the shorter side becomes <c>resizeTo</c> and
/// the longer one is centre-cropped) and <c>ExtractPixels</c> (R, G, B planes as 0-255 floats). One definition, used by
/// the saved scoring chain (<see cref="OnnxChainBuilder.AddImagePreprocessing"/>) and by training
/// (<see cref="ScoringPixelLoader"/>), so that the model is trained and validated on the very pixels it is scored on
/// (docs/design.md, "One preprocessing").
/// </summary>
internal static class ImagePreprocessing
{
    /// <summary><c>LoadImages</c>: the file at the path in <paramref name="pathColumn"/> (relative to <paramref name="imageFolder"/> if set).</summary>
    public static IEstimator<ITransformer> Load(MLContext ml, string outputColumn, string? imageFolder, string pathColumn) =>
        ml.Transforms.LoadImages(outputColumn, imageFolder, pathColumn);

    /// <summary><c>ResizeImages</c> to <paramref name="resizeTo"/> x <paramref name="resizeTo"/>, IsoCrop with the centre anchor.</summary>
    public static IEstimator<ITransformer> Resize(MLContext ml, string outputColumn, int resizeTo, string imageColumn) =>
        ml.Transforms.ResizeImages(outputColumn, resizeTo, resizeTo, imageColumn, ImageResizingEstimator.ResizingKind.IsoCrop, ImageResizingEstimator.Anchor.Center);

    /// <summary><c>ExtractPixels</c> with ML.NET's defaults: planar R, G, B, unscaled 0-255 floats.</summary>
    public static IEstimator<ITransformer> Extract(MLContext ml, string outputColumn, string imageColumn) =>
        ml.Transforms.ExtractPixels(outputColumn, imageColumn);
}
