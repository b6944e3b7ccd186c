using System;
using MLNetTransfer.Torch.Data;

namespace MLNetTransfer.Scoring;

/// <summary>
/// Gives training each image file as the saved model's graph will receive it, scaled to [0, 1]: through ML.NET's 8-bit
/// image steps (<see cref="ScoringPixelLoader"/>) or through a full-precision <see cref="IImagePixelReader"/>
/// (<see cref="ReaderPixelLoader"/>). Either way one function feeds both training and scoring.
/// </summary>
internal interface IModelPixelLoader : IDisposable
{
    /// <summary>The side of the square every image is resized to.</summary>
    int Size { get; }

    /// <summary>
    /// The image at <paramref name="path"/> as the saved chain hands it to its graph: R, G, B planes of
    /// <see cref="Size"/>² values on the 0–255 scale (for the explainer, which runs the graph's own steps after them).
    /// </summary>
    float[] LoadPlanes(string path);

    /// <summary>The image at <paramref name="path"/>: 3 planes of <see cref="Size"/>² values in [0, 1] (<see cref="LoadPlanes"/> divided by 255, as the graph's first step).</summary>
    DecodedImage Load(string path) => ScoringPixelLoader.FromPixels(LoadPlanes(path), Size);

    /// <summary>The image gate's verdict on a file before epoch 1, or null when it passes.</summary>
    string? Problem(string path, long maxPixels, int minimumSide);
}
