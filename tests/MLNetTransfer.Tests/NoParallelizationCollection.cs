using Xunit;

namespace MLNetTransfer.Tests;

/// <summary>Tests that train run one at a time: libtorch's threads and RNG are process-wide.</summary>
[CollectionDefinition("NoParallelization", DisableParallelization = true)]
public sealed class NoParallelizationCollection
{
}
