using System;
using System.Collections.Generic;
using System.Linq;
using MLNetTransfer.Torch.Data;
using MLNetTransfer.Torch.FineTuning;
using MLNetTransfer.Torch.Modules;
using TorchSharp;

namespace MLNetTransfer.Bench.Training;

/// <summary>
/// Item 5: a ResNet50 fine-tune (LastStages(2), PNGs from disk, augmentation, a validation set) for E epochs, with the
/// live TorchSharp tensors of the training thread (DisposeScopeManager, as the engine's tests count them), the process's
/// resident memory and its peak after every epoch. Growth between epoch 2 and the last would be a leak.
/// </summary>
internal static class MemoryRun
{
    public static void Run(BenchArgs a)
    {
        string arch = a.Text("arch", "resnet50");
        int crop = a.Int("crop");
        int count = a.Int("images");
        int epochs = a.Int("epochs", 10);
        var all = PngFolder.Read(a.Text("dir"), count + count / 4);
        var train = FineTuneData.SingleLabel(all.Images.Take(count).ToList(), all.Labels!.Take(count).ToList(), 2);
        var validation = FineTuneData.SingleLabel(all.Images.Skip(count).ToList(), all.Labels!.Skip(count).ToList(), 2);
        using var model = new ResNet(Architectures.Layout(arch), inChannels: 1);
        var live = new List<long>();
        var rss = new List<double>();
        var managed = new List<double>();
        FineTuneTrainer.Train(model, train, validation, new FineTuneOptions
        {
            Strategy = FreezeStrategy.LastStages(2),
            Epochs = epochs,
            BatchSize = 16,
            Augmentation = new AugmentationOptions { ResizeTo = PngFolder.ResizeFor(crop), CropSize = crop },
            MetricsCallback = e =>
            {
                live.Add(DisposeScopeManager.Statistics.ThreadTotalLiveCount);
                rss.Add(ProcessMemory.RssMiB);
                // The managed heap's committed memory: tells .NET's share of RSS (byte[] snapshots, batch arrays) from libtorch's.
                managed.Add(GC.GetGCMemoryInfo().TotalCommittedBytes / 1048576.0);
                Console.Error.WriteLine(FormattableString.Invariant($"epoch {e.Epoch}: live tensors {live[^1]}, RSS {rss[^1]:F0} MiB, managed committed {managed[^1]:F0} MiB, best {e.IsBest}"));
            },
        });

        Json.Emit(new Dictionary<string, object>
        {
            ["bench"] = "memory",
            ["arch"] = arch,
            ["crop"] = crop,
            ["images"] = count,
            ["epochs"] = epochs,
            ["live_tensors"] = live,
            ["rss_mib"] = rss,
            ["managed_mib"] = managed,
            ["peak_rss_mib"] = ProcessMemory.PeakRssMiB,
        });
    }
}
