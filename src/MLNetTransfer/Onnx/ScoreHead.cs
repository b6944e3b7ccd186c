using System.Linq;

namespace MLNetTransfer.Onnx;

/// <summary>The values <see cref="ScoreHead.Add"/> makes, for the outputs that follow.</summary>
/// <param name="Score">The scores, <c>[N, K]</c>, named <see cref="ResNetOnnxSpec.OutputName"/>.</param>
/// <param name="RawLogits">The uncalibrated logits <c>[N, K]</c> named <see cref="ResNetOnnxSpec.LogitsName"/>, when
/// <see cref="ResNetOnnxSpec.IncludeLogits"/> is set.</param>
/// <param name="Calibrated">The logits divided by the temperatures: <c>[N, K]</c>, or <c>[2, N, K]</c> with test-time flip.</param>
/// <param name="Flipped">Whether <see cref="Calibrated"/> holds two copies (see <see cref="TestTimeFlip.Split"/>).</param>
internal sealed record ScoreValues(string Score, string? RawLogits, string Calibrated, bool Flipped);

/// <summary>
/// From the head's logits to the graph's scores: temperature scaling (Guo et al., "On Calibration of Modern Neural
/// Networks", ICML 2017: the logits divided by T before the softmax or sigmoid), the activation, and with test-time flip
/// the mean of each image's two probability rows. Without calibration and flip it adds only the activation node, as
/// graphs had before either existed.
/// </summary>
internal static class ScoreHead
{
    public static ScoreValues Add(GraphBuilder g, ResNetOnnxSpec spec, string logits, long outputs)
    {
        string x = logits;
        string? raw = spec.IncludeLogits ? logits : null;
        if (spec.TestTimeFlip)
        {
            x = TestTimeFlip.Split(g, x, outputs);
            raw = spec.IncludeLogits ? TestTimeFlip.Unmirrored(g, x, spec.LogitsName) : null;
        }

        if (spec.HasTemperature)
        {
            // One value broadcasts over every logit; one per label ([K]) over the rows (and copies).
            var temperatures = spec.Temperatures.ToArray();
            string t = g.AddInitializer("calibrate.temperatures", new long[] { temperatures.Length }, temperatures);
            x = g.AddNode("Div", "calibrate.temperature", new[] { x, t });
        }

        string? activated = spec.TestTimeFlip ? null : spec.OutputName;
        long classAxis = spec.TestTimeFlip ? 2 : 1;
        string scores = spec.Activation switch
        {
            OutputActivation.Softmax => g.AddNode("Softmax", "softmax", new[] { x }, activated, GraphBuilder.Int("axis", classAxis)),
            OutputActivation.Sigmoid => g.AddNode("Sigmoid", "sigmoid", new[] { x }, activated),
            _ => g.AddNode("Identity", "features", new[] { x }, activated),
        };
        if (spec.TestTimeFlip)
        {
            scores = TestTimeFlip.Mean(g, scores, spec.OutputName);
        }

        return new ScoreValues(scores, raw, x, spec.TestTimeFlip);
    }
}
