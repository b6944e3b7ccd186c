namespace MLNetTransfer.Torch.FineTuning;

/// <summary>
/// The restored model's raw logits on the validation set, row-major <c>[Rows, Outputs]</c> in the validation set's row
/// order; with the test-time flip, also those of each image's mirror. Calibration and the operating threshold are fitted
/// on them (after the best epoch is restored, never on test data).
/// </summary>
internal sealed class ValidationLogits
{
    public ValidationLogits(int rows, int outputs, float[] logits, float[]? mirrored)
    {
        Rows = rows;
        Outputs = outputs;
        Logits = logits;
        Mirrored = mirrored;
    }

    public int Rows { get; }

    public int Outputs { get; }

    public float[] Logits { get; }

    /// <summary>The mirrored images' logits; null without the test-time flip.</summary>
    public float[]? Mirrored { get; }
}
