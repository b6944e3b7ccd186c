namespace MLNetTransfer.Onnx;

/// <summary>
/// The nodes of test-time augmentation with a horizontal flip (see <see cref="ResNetOnnxSpec.TestTimeFlip"/>): the
/// preprocessed batch and its mirror go through the network as one batch, and each image's two probability rows are
/// averaged. One batch of 2N rather than two passes keeps the network's nodes once in the graph.
/// </summary>
internal static class TestTimeFlip
{
    /// <summary>
    /// <c>[N, C, H, W]</c> → <c>[2N, C, H, W]</c>: the images, then their mirrors along the width axis (a Slice with step
    /// -1 from the last column; ONNX's Slice documents <c>INT64_MIN</c> as the end that reaches index 0 going backwards).
    /// </summary>
    public static string StackWithMirror(GraphBuilder g, string x)
    {
        string mirror = g.AddNode("Slice", "flip.mirror", new[]
        {
            x,
            g.AddInt64Initializer("flip.mirror_starts", -1),
            g.AddInt64Initializer("flip.mirror_ends", long.MinValue),
            g.AddInt64Initializer("flip.mirror_axes", 3),
            g.AddInt64Initializer("flip.mirror_steps", -1),
        });
        return g.AddNode("Concat", "flip.stack", new[] { x, mirror }, null, GraphBuilder.Int("axis", 0));
    }

    /// <summary><c>[2N, K]</c> → <c>[2, N, K]</c>: index 0 holds the images' rows, index 1 their mirrors' (Concat's order).</summary>
    public static string Split(GraphBuilder g, string logits, long outputs) =>
        g.AddNode("Reshape", "flip.split", new[] { logits, g.AddInt64Initializer("flip.split_shape", 2, -1, outputs) });

    /// <summary>The unmirrored images' rows of a <see cref="Split"/> value, <c>[N, K]</c>, named <paramref name="output"/>.</summary>
    public static string Unmirrored(GraphBuilder g, string split, string output) =>
        g.AddNode("Gather", "flip.unmirrored", new[] { split, g.AddInt64Scalar("flip.unmirrored_index", 0) }, output, GraphBuilder.Int("axis", 0));

    /// <summary>The mean of each image's two probability rows, <c>[2, N, K]</c> → <c>[N, K]</c>, named <paramref name="output"/>.</summary>
    public static string Mean(GraphBuilder g, string probabilities, string output) =>
        g.AddNode("ReduceMean", "flip.mean", new[] { probabilities }, output, GraphBuilder.Ints("axes", 0), GraphBuilder.Int("keepdims", 0));

    /// <summary>
    /// <c>ln(p_image + p_mirror)</c> per class, <c>[N, K]</c>, from the calibrated logits <c>[2, N, K]</c> of a softmax
    /// head: LogSoftmax, then ReduceLogSumExp over the two copies. Both stay finite where a probability underflows to 0
    /// in float, so the log-odds of the averaged probabilities (the ln 2 of the mean cancels in their difference) are
    /// finite whenever the logits are.
    /// </summary>
    public static string LogSummedProbabilities(GraphBuilder g, string calibrated)
    {
        string logProbabilities = g.AddNode("LogSoftmax", "flip.log_softmax", new[] { calibrated }, null, GraphBuilder.Int("axis", 2));
        return g.AddNode("ReduceLogSumExp", "flip.log_sum", new[] { logProbabilities }, null,
            GraphBuilder.Ints("axes", 0), GraphBuilder.Int("keepdims", 0));
    }
}
