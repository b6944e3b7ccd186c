namespace MLNetTransfer;

/// <summary>What a classifier predicts, which decides its head's outputs, its loss and its metrics.</summary>
public enum TaskKind
{
    /// <summary>
    /// Two classes, one label per image. The head has two outputs (softmax) and trains with cross-entropy; the AUC is
    /// that of the positive class (index 1).
    /// </summary>
    Binary,

    /// <summary>
    /// Three or more classes, one label per image. Softmax outputs, cross-entropy, macro one-vs-rest AUC.
    /// </summary>
    Multiclass,

    /// <summary>
    /// Any number of independent yes/no labels per image (e.g. chest X-ray findings). One sigmoid output per label,
    /// binary cross-entropy with missing labels masked out, AUC per label.
    /// </summary>
    MultiLabel,
}
