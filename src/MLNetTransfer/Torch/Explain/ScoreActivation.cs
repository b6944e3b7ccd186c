namespace MLNetTransfer.Torch.Explain;

/// <summary>How a head's logits become the model's scores: one softmax over the classes, or a sigmoid per label.</summary>
internal enum ScoreActivation
{
    /// <summary>Single-label: softmax over the classes.</summary>
    Softmax,

    /// <summary>Multi-label: a sigmoid per label.</summary>
    Sigmoid,
}
