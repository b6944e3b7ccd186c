using System;
using System.Collections.Generic;
using MLNetTransfer.Explain;

namespace MLNetTransfer;

/// <summary>
/// A Grad-CAM heatmap (Selvaraju et al., ICCV 2017) for one image and one class: where in the image the chosen ResNet
/// stage's activations raised the class's logit, at the network's input resolution, and the image it lies over.
/// Made by <see cref="GradCamExplainer"/>.
/// </summary>
public sealed class GradCamMap
{
    private readonly float[] _values;
    private readonly float[] _image;
    private readonly int _imageChannels;

    internal GradCamMap(string imagePath, int classIndex, string className, string stage, float score, float[] values, int width, int height, float[] image, int imageChannels)
    {
        ImagePath = imagePath;
        ClassIndex = classIndex;
        ClassName = className;
        Stage = stage;
        Score = score;
        _values = values;
        Width = width;
        Height = height;
        _image = image;
        _imageChannels = imageChannels;
    }

    /// <summary>The image explained (the path it was read from, or a caller's name for pixels handed in).</summary>
    public string ImagePath { get; }

    /// <summary>The class (single-label) or label (multi-label) explained, as an index into <see cref="GradCamExplainer.ClassNames"/>.</summary>
    public int ClassIndex { get; }

    /// <summary>The name of <see cref="ClassIndex"/>.</summary>
    public string ClassName { get; }

    /// <summary>The ResNet stage whose activations the map is made of (<c>layer1</c>..<c>layer4</c>).</summary>
    public string Stage { get; }

    /// <summary>The model's score for the class on this image, as the saved model scores it: the calibrated probability (softmax or per-label sigmoid).</summary>
    public float Score { get; }

    /// <summary>Width of the map: the width of the network's input (after the model's centre crop).</summary>
    public int Width { get; }

    /// <summary>Height of the map.</summary>
    public int Height { get; }

    /// <summary>
    /// The map, row-major <c>[Height, Width]</c>, in [0, 1]: ReLU(Σ_k α_k A_k) upsampled bilinearly and divided by its
    /// maximum. All zeros when no location raised the class's logit.
    /// </summary>
    public IReadOnlyList<float> Values => _values;

    /// <summary>
    /// The image the network saw, the map's background: planar R, G, B values <c>[3, Height, Width]</c> on the 0–255 scale
    /// of the model's input (resized and centre-cropped as the model does).
    /// </summary>
    public IReadOnlyList<float> ImagePixels => _image;

    /// <summary>The map's value at a row and column.</summary>
    /// <param name="row">0 to <see cref="Height"/> - 1.</param>
    /// <param name="column">0 to <see cref="Width"/> - 1.</param>
    public float this[int row, int column] => (uint)row < (uint)Height && (uint)column < (uint)Width
        ? _values[row * Width + column]
        : throw new ArgumentOutOfRangeException(row < 0 || row >= Height ? nameof(row) : nameof(column), $"The map is {Height} x {Width}.");

    /// <summary>
    /// The map over the image as a PNG of <see cref="Width"/> x <see cref="Height"/> pixels: a jet colormap (blue low,
    /// red high) alpha-blended over <see cref="ImagePixels"/>.
    /// </summary>
    /// <param name="opacity">The map's weight in the blend, 0 (image only) to 1 (map only). Default 0.45.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="opacity"/> is outside [0, 1].</exception>
    public byte[] ToOverlayPng(float opacity = 0.45f)
    {
        if (!(opacity >= 0 && opacity <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(opacity), opacity, "The opacity lies in [0, 1].");
        }

        return HeatmapOverlay.Png(_image, _imageChannels, _values, Width, Height, opacity);
    }
}
