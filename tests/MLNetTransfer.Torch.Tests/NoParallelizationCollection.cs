using Xunit;

namespace MLNetTransfer.Torch.Tests;

/// <summary>
/// Tests that use libtorch run one at a time: libtorch's thread pool, global RNG and dispose-scope statistics are
/// process-wide (TorchSharp's own tests do the same).
/// </summary>
[CollectionDefinition("NoParallelization", DisableParallelization = true)]
public sealed class NoParallelizationCollection
{
}
