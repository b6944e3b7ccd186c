using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using MLNetTransfer.Torch.Data;
using MLNetTransfer.Torch.FineTuning;
using MLNetTransfer.Torch.Tests.FineTuning;
using Xunit;

namespace MLNetTransfer.Torch.Tests;

/// <summary>
/// NativeMemoryReuse, checked against the kernel's count of this thread's page faults (getrusage(RUSAGE_THREAD)): under
/// a lease, a freed 40 MiB buffer (above glibc's largest dynamic mmap threshold, 32 MiB, so glibc alone maps it afresh
/// at every malloc, and within a secondary arena's 64 MiB heap, so the result is the same on any thread) comes back
/// without page faults. Without the raised trim threshold it did not (checked by removing it once).
/// </summary>
[Collection("NoParallelization")]
public sealed class NativeMemoryReuseTests
{
    private const int BufferBytes = 40 << 20;
    private const int Pages = BufferBytes / 4096;

    [Fact]
    public void Linux_with_glibc_is_supported()
    {
        Assert.Equal(OperatingSystem.IsLinux(), NativeMemoryReuse.IsSupported);
    }

    [Fact]
    public void Under_a_lease_a_freed_buffer_is_reused_without_page_faults()
    {
        if (!NativeMemoryReuse.IsSupported)
        {
            return; // nothing to observe: Lease is a no-op there (the test above pins where it is supported)
        }

        using (NativeMemoryReuse.Lease())
        {
            long[] faults = AllocateTouchFree(4);
            // The first allocation maps new pages; the next ones get the same memory back.
            Assert.All(faults[1..], f => Assert.True(f < Pages / 20, $"page faults per allocation: {string.Join(", ", faults)}"));
        }
    }

    [Fact]
    public void Leases_nest_and_the_last_one_leaves_glibc_where_its_own_thresholds_settle()
    {
        if (!NativeMemoryReuse.IsSupported)
        {
            return;
        }

        var outer = NativeMemoryReuse.Lease();
        var inner = NativeMemoryReuse.Lease();
        Assert.Equal(2, NativeMemoryReuse.ActiveLeases);
        Assert.Equal((1 << 30, int.MaxValue), NativeMemoryReuse.Applied);
        inner.Dispose();
        inner.Dispose(); // twice is once
        Assert.Equal(1, NativeMemoryReuse.ActiveLeases);
        Assert.All(AllocateTouchFree(3)[1..], f => Assert.True(f < Pages / 20, $"still leased, yet {f} page faults"));
        outer.Dispose();
        Assert.Equal(0, NativeMemoryReuse.ActiveLeases);
        // glibc has no call that reads its thresholds, and whether a free() without a lease unmaps depends on what else
        // the thread's heap holds (a chunk below a live one stays), so the restore is checked by what was set.
        Assert.Equal((32 << 20, 64 << 20), NativeMemoryReuse.Applied); // where glibc's dynamic thresholds settle
    }

    [Fact]
    public void A_cpu_training_holds_a_lease_while_it_runs_unless_told_not_to()
    {
        if (!NativeMemoryReuse.IsSupported)
        {
            return;
        }

        Assert.Equal(new[] { 1 }, LeasesSeenBySteps(reuse: true));
        Assert.Equal(new[] { 0 }, LeasesSeenBySteps(reuse: false));
        Assert.Equal(0, NativeMemoryReuse.ActiveLeases);
    }

    private static int[] LeasesSeenBySteps(bool reuse)
    {
        var seen = new SortedSet<int>();
        var (images, labels) = SyntheticBlobs.Make(32, 32, seed: 7);
        using var model = new Modules.ResNet(ResNetLayout.ResNet18, inChannels: 1);
        FineTuneTrainer.Train(model, FineTuneData.SingleLabel(images, labels, 2), null, new FineTuneOptions
        {
            Strategy = FreezeStrategy.FeatureExtraction,
            Epochs = 1,
            BatchSize = 16,
            CacheFeatures = false,
            ReuseNativeMemory = reuse,
            Augmentation = AugmentationOptions.EvalOnly(32, 32),
            StepCallback = _ => seen.Add(NativeMemoryReuse.ActiveLeases),
        });
        return [.. seen];
    }

    // Page faults of each malloc of the buffer, with one byte written per 4 KiB page, then free.
    private static long[] AllocateTouchFree(int times)
    {
        var faults = new long[times];
        for (int i = 0; i < times; i++)
        {
            long before = ThreadMinorFaults();
            IntPtr buffer = Marshal.AllocHGlobal(BufferBytes); // malloc on Unix
            try
            {
                for (int offset = 0; offset < BufferBytes; offset += 4096)
                {
                    Marshal.WriteByte(buffer, offset, 1);
                }
            }
            finally
            {
                Marshal.FreeHGlobal(buffer);
            }

            faults[i] = ThreadMinorFaults() - before;
        }

        return faults;
    }

    private static long ThreadMinorFaults()
    {
        // struct rusage: ru_utime, ru_stime (two longs each), ru_maxrss, ru_ixrss, ru_idrss, ru_isrss, ru_minflt, ...
        var usage = new long[18];
        Assert.Equal(0, getrusage(RusageThread, usage));
        return usage[8];
    }

    private const int RusageThread = 1; // Linux <sys/resource.h>

#pragma warning disable SA1300, IDE1006 // C name
    [DllImport("libc", ExactSpelling = true, SetLastError = true)]
    private static extern int getrusage(int who, [Out] long[] usage);
#pragma warning restore SA1300, IDE1006
}
