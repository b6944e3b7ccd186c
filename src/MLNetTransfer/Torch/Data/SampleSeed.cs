namespace MLNetTransfer.Torch.Data;

/// <summary>
/// Stable seeds for per-sample and per-epoch random numbers, mixed with SplitMix64's finaliser (Steele, Lea and
/// Flood, "Fast splittable pseudorandom number generators", OOPSLA 2014; the constants of Java's SplittableRandom).
/// </summary>
/// <remarks>
/// Not <see cref="System.HashCode"/> or <c>string.GetHashCode</c>, which are randomised per process: the same
/// (seed, epoch, position) must give the same augmentation in every run, on every machine, with any number of worker
/// threads, so that training is reproducible and a resumed run matches an uninterrupted one.
/// </remarks>
internal static class SampleSeed
{
    /// <summary>A seed for <see cref="System.Random"/> from any number of integers, order-sensitive.</summary>
    public static int Mix(params long[] values)
    {
        ulong state = 0x9E3779B97F4A7C15UL;
        foreach (long value in values)
        {
            state = Finalize(state ^ (ulong)value) + 0x9E3779B97F4A7C15UL;
        }

        return (int)(Finalize(state) >> 33);
    }

    private static ulong Finalize(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
