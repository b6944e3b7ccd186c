namespace MLNetTransfer;

/// <summary>How single-label losses weight the classes (class imbalance).</summary>
public enum ClassWeighting
{
    /// <summary>Every example counts the same. The default.</summary>
    None,

    /// <summary>Weights n / (classes × count), from the training labels (scikit-learn's "balanced").</summary>
    Balanced,
}
