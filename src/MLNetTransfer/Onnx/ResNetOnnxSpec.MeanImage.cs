using System;
using System.Collections.Generic;
using System.Linq;

namespace MLNetTransfer.Onnx;

/// <summary>The optional per-pixel mean that replaces <see cref="Mean"/> in the graph's Sub node.</summary>
internal sealed partial class ResNetOnnxSpec
{
    private float[]? _meanImage;

    /// <summary>
    /// A mean image subtracted in place of the per-channel <see cref="Mean"/>: <c>[NetworkChannels, CropSize,
    /// CropSize]</c>, network channel order, on the [0, 1] scale like <see cref="Mean"/>, so the graph computes
    /// <c>(x / 255 - MeanImage[c, y, x]) / Std[c]</c>. This is how ML.NET's <c>ResNetPreprocess.onnx</c> prepares
    /// the input of its ResNet18 (a Sub of a <c>[1, 3, 224, 224]</c> initializer). <see cref="Mean"/> is still written
    /// to the metadata (as the image's channel means, when the caller sets it so). Default null: per-channel means.
    /// </summary>
    public IReadOnlyList<float>? MeanImage
    {
        get => _meanImage;
        init => _meanImage = value?.ToArray();
    }

    /// <summary>Throws an <see cref="ArgumentException"/> when <see cref="MeanImage"/> does not fit the crop and channels.</summary>
    internal void ValidateMeanImage()
    {
        if (_meanImage is null)
        {
            return;
        }

        long expected = (long)NetworkChannels * CropSize * CropSize;
        if (_meanImage.Length != expected)
        {
            throw new ArgumentException(
                $"ResNetOnnxSpec.MeanImage has {_meanImage.Length} values; NetworkChannels x CropSize x CropSize is {NetworkChannels} x {CropSize} x {CropSize} = {expected}.",
                "spec");
        }

        if (_meanImage.Any(m => !float.IsFinite(m)))
        {
            throw new ArgumentException("ResNetOnnxSpec.MeanImage must hold finite values.", "spec");
        }
    }
}
