using System;
using System.Runtime.InteropServices;

namespace MLNetTransfer.Torch;

/// <summary>
/// While a CPU training runs, keeps libtorch's large buffers in the C heap between steps instead of handing them back
/// to the kernel; Linux with glibc only, elsewhere a no-op.
/// </summary>
/// <remarks>
/// libtorch's CPU allocator is <c>posix_memalign</c> and <c>free</c> (c10/core/impl/alloc_cpu.cpp). glibc serves a
/// request above its mmap threshold with a fresh <c>mmap</c> and unmaps it on <c>free</c>; the threshold adapts, but
/// never above 32 MiB on 64-bit systems (mallopt(3), M_MMAP_THRESHOLD). A ResNet's activations for 16 images at
/// 224 px are larger than that (the stem's output is 51 MB), so every step maps them again and the kernel zero-fills
/// them a page at a time: about a million page faults in 16 ResNet18 steps, and 12–21% of the step time on the benchmark
/// machine (BENCHMARKS.md). Raising the mmap threshold and the trim threshold keeps freed buffers in the heap for the
/// next step; the resident memory stays at the step's peak, which the next step needs again anyway.
/// <para>
/// mallopt is process-wide, and it switches glibc's dynamic threshold off for good (there is no call that switches it
/// back on). The first lease raises both thresholds; the last one sets them to where glibc's dynamic adjustment itself
/// settles in a process that has freed buffers of 32 MiB or more, as any libtorch training has: an mmap threshold of
/// 32 MiB and a trim threshold of twice that (malloc.c, free: <c>mp_.mmap_threshold = chunksize (p)</c> up to
/// DEFAULT_MMAP_THRESHOLD_MAX). glibc's start values, 128 KiB, would instead map every buffer above 128 KiB afresh
/// for the rest of the process: a ResNet18 eval forward of one image at 224 px took 43 ms instead of 15. Then
/// <c>malloc_trim</c> returns the freed heap to the system. A process that configured malloc itself (the
/// <c>MALLOC_*_</c> variables or <c>GLIBC_TUNABLES</c>) is left alone. Threads other than the process's first use
/// glibc's secondary arenas, whose heaps hold at most 64 MiB: there, a larger buffer is mapped whatever the threshold.
/// </para>
/// </remarks>
internal static class NativeMemoryReuse
{
    // <malloc.h>
    private const int MTrimThreshold = -1;
    private const int MMmapThreshold = -3;

    /// <summary>glibc's DEFAULT_MMAP_THRESHOLD_MAX on 64-bit systems (malloc/malloc.c): where its dynamic threshold stops.</summary>
    private const int SettledMmapThreshold = 32 << 20;

    /// <summary>glibc sets the trim threshold to twice the dynamic mmap threshold (malloc/malloc.c, free).</summary>
    private const int SettledTrimThreshold = 2 * SettledMmapThreshold;

    /// <summary>Requests above 1 GiB are still mapped: a single buffer that large is rare and mapping it is cheap by comparison.</summary>
    private const int RaisedMmapThreshold = 1 << 30;

    /// <summary>Older glibc refuses a threshold above HEAP_MAX_SIZE / 2 (malloc.c, do_set_mmap_threshold): 32 MiB on 64-bit systems.</summary>
    private const int FallbackMmapThreshold = 32 << 20;

    private static readonly object Gate = new();
    private static readonly Lazy<bool> Supported = new(IsGlibcWithDefaultMallocSettings);
    private static int _leases;

    /// <summary>Whether leases change anything here: Linux, glibc, and no malloc settings of the process's own.</summary>
    public static bool IsSupported => Supported.Value;

    /// <summary>Leases not yet disposed (on a supported system).</summary>
    internal static int ActiveLeases
    {
        get
        {
            lock (Gate)
            {
                return _leases;
            }
        }
    }

    /// <summary>The mmap and trim thresholds last given to mallopt; null before the first lease.</summary>
    internal static (int MmapThreshold, int TrimThreshold)? Applied { get; private set; }

    /// <summary>Raises the thresholds unless another lease already has; dispose to release.</summary>
    public static IDisposable Lease()
    {
        if (!IsSupported)
        {
            return NoLease.Instance;
        }

        lock (Gate)
        {
            if (_leases++ == 0)
            {
                int mmapThreshold = mallopt(MMmapThreshold, RaisedMmapThreshold) != 0 ? RaisedMmapThreshold
                    : mallopt(MMmapThreshold, FallbackMmapThreshold) != 0 ? FallbackMmapThreshold : 0;
                mallopt(MTrimThreshold, int.MaxValue);
                Applied = (mmapThreshold, int.MaxValue);
            }
        }

        return new LeaseHandle();
    }

    private static void Release()
    {
        lock (Gate)
        {
            if (--_leases == 0)
            {
                mallopt(MMmapThreshold, SettledMmapThreshold);
                mallopt(MTrimThreshold, SettledTrimThreshold);
                Applied = (SettledMmapThreshold, SettledTrimThreshold);
                malloc_trim(0);
            }
        }
    }

    private static bool IsGlibcWithDefaultMallocSettings()
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        foreach (var name in new[] { "MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "MALLOC_TOP_PAD_", "MALLOC_MMAP_MAX_" })
        {
            if (Environment.GetEnvironmentVariable(name) is not null)
            {
                return false;
            }
        }

        if (Environment.GetEnvironmentVariable("GLIBC_TUNABLES") is { } tunables && tunables.Contains("glibc.malloc.", StringComparison.Ordinal))
        {
            return false;
        }

        try
        {
            return gnu_get_libc_version() != IntPtr.Zero; // glibc only: musl has no such function
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

#pragma warning disable SA1300, IDE1006 // C names
    [DllImport("libc", ExactSpelling = true)]
    private static extern int mallopt(int param, int value);

    [DllImport("libc", ExactSpelling = true)]
    private static extern int malloc_trim(nuint pad);

    [DllImport("libc", ExactSpelling = true)]
    private static extern IntPtr gnu_get_libc_version();
#pragma warning restore SA1300, IDE1006

    private sealed class LeaseHandle : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (System.Threading.Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                Release();
            }
        }
    }

    private sealed class NoLease : IDisposable
    {
        public static readonly NoLease Instance = new();

        public void Dispose()
        {
        }
    }
}
