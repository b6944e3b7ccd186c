using System.Linq;

namespace MLNetTransfer.Onnx;

/// <summary>
/// The preprocessing nodes at the head of the graph (docs/pitfalls.md, "Preprocessing must travel with the model": what
/// training did to the pixels travels with the model): centre crop, channel conversion, /255, per-channel
/// normalisation (or a mean image, <see cref="ResNetOnnxSpec.MeanImage"/>). See <see cref="ResNetOnnxSpec"/>.
/// </summary>
internal static class Preprocessing
{
    /// <summary>Appends the nodes after <paramref name="input"/> and returns the normalised <c>[N, C, crop, crop]</c> value.</summary>
    public static string Add(GraphBuilder g, ResNetOnnxSpec spec, string input)
    {
        string x = input;

        // Crop first: every later step is per pixel, so cropping early does the same with less work.
        if (spec.CropSize < spec.InputSize)
        {
            long top = spec.CropOffset;
            long end = top + spec.CropSize;
            x = g.AddNode("Slice", "preprocess.crop", new[]
            {
                x,
                g.AddInt64Initializer("preprocess.crop_starts", top, top),
                g.AddInt64Initializer("preprocess.crop_ends", end, end),
                g.AddInt64Initializer("preprocess.crop_axes", 2, 3),
            });
        }

        if (spec.InputChannels == 3 && spec.NetworkChannels == 1)
        {
            var luma = g.AddInitializer("preprocess.luma", new long[] { 1, 3, 1, 1 }, ResNetOnnxWriter.LumaWeights);
            x = g.AddNode("Conv", "preprocess.to_gray", new[] { x, luma }, null,
                GraphBuilder.Ints("kernel_shape", 1, 1), GraphBuilder.Ints("strides", 1, 1), GraphBuilder.Ints("pads", 0, 0, 0, 0));
        }
        else if (spec.InputChannels == 1 && spec.NetworkChannels == 3)
        {
            x = g.AddNode("Concat", "preprocess.to_rgb", new[] { x, x, x }, null, GraphBuilder.Int("axis", 1));
        }

        var channelShape = new long[] { 1, spec.NetworkChannels, 1, 1 };
        x = g.AddNode("Div", "preprocess.scale", new[] { x, g.AddInitializer("preprocess.pixel_scale", System.Array.Empty<long>(), new[] { 255f }) });
        spec.ValidateMeanImage();
        string mean = spec.MeanImage is { } image
            ? g.AddInitializer("preprocess.mean", new long[] { 1, spec.NetworkChannels, spec.CropSize, spec.CropSize }, image.ToArray())
            : g.AddInitializer("preprocess.mean", channelShape, spec.Mean.ToArray());
        x = g.AddNode("Sub", "preprocess.sub_mean", new[] { x, mean });
        return g.AddNode("Div", "preprocess.div_std", new[] { x, g.AddInitializer("preprocess.std", channelShape, spec.Std.ToArray()) });
    }
}
