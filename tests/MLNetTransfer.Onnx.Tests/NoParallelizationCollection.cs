using Xunit;

namespace MLNetTransfer.Onnx.Tests;

/// <summary>
/// Tests that use libtorch run one at a time: libtorch's thread pool and global RNG are process-wide (TorchSharp's own
/// tests do the same).
/// </summary>
[CollectionDefinition("NoParallelization", DisableParallelization = true)]
public sealed class NoParallelizationCollection
{
}
