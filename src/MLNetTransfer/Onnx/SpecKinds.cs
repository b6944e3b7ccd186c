namespace MLNetTransfer.Onnx;

/// <summary>The residual block of the exported ResNet (torchvision/models/resnet.py).</summary>
internal enum ResidualBlockKind
{
    /// <summary>Two 3x3 convolutions, expansion 1 (ResNet18/34): <c>convK</c>/<c>bnK</c> for K = 1, 2.</summary>
    Basic,

    /// <summary>
    /// 1x1, 3x3 (carrying the stride, "ResNet v1.5"), 1x1 with expansion 4 (ResNet50/101/152): <c>convK</c>/<c>bnK</c>
    /// for K = 1, 2, 3.
    /// </summary>
    Bottleneck,
}

/// <summary>The classifier head that follows the pooled features (state_dict prefix <c>fc</c>).</summary>
internal enum ClassifierHeadKind
{
    /// <summary>One Linear layer: <c>fc.weight</c> <c>[K, F]</c>, <c>fc.bias</c> <c>[K]</c>.</summary>
    Linear,

    /// <summary>
    /// Linear(F, H) → ReLU → Dropout → Linear(H, K), as a PyTorch <c>Sequential</c>: <c>fc.0.*</c> and <c>fc.3.*</c>.
    /// Dropout is the identity at inference and is left out of the graph.
    /// </summary>
    Mlp,

    /// <summary>No head: the graph ends at the pooled, flattened features <c>[N, F]</c> (a featurizer). Needs <see cref="OutputActivation.None"/>.</summary>
    None,
}

/// <summary>What turns the head's logits into the graph's scores.</summary>
internal enum OutputActivation
{
    /// <summary>Softmax over the classes (axis 1): single-label tasks, binary (two outputs) or multiclass.</summary>
    Softmax,

    /// <summary>An independent sigmoid per output: multi-label tasks, or binary with one output.</summary>
    Sigmoid,

    /// <summary>No activation: the features of a head-less graph (<see cref="ClassifierHeadKind.None"/>).</summary>
    None,
}
