namespace MLNetTransfer;

/// <summary>The ResNet depths of He et al. 2015, as torchvision names them.</summary>
public enum ResNetArchitecture
{
    /// <summary>BasicBlock, [2, 2, 2, 2], 512 features.</summary>
    ResNet18,
    /// <summary>BasicBlock, [3, 4, 6, 3], 512 features.</summary>
    ResNet34,
    /// <summary>Bottleneck, [3, 4, 6, 3], 2048 features.</summary>
    ResNet50,
    /// <summary>Bottleneck, [3, 4, 23, 3], 2048 features.</summary>
    ResNet101,
    /// <summary>Bottleneck, [3, 8, 36, 3], 2048 features.</summary>
    ResNet152,
}
