using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using TorchSharp;

namespace MLNetTransfer.Bench.Training;

/// <summary>
/// Turns the results file of bench/run.sh into the "## Training (issue 6)" section of BENCHMARKS.md (replacing it when
/// present) and prints it. Every number is one measured; the best of the rounds is shown, with the spread of the
/// round-by-round ratios next to it.
/// </summary>
internal static class Report
{
    public const string SectionHeading = "## Training (issue 6)";

    public static void Write(BenchArgs a)
    {
        var results = new Results(a.Text("results"));
        var text = new StringBuilder();
        Header(text, a, results);
        Throughput(text, results);
        Breakdown(text, results);
        Cache(text, results);
        Memory(text, results);
        string section = text.ToString();
        Console.WriteLine();
        Console.WriteLine(section);
        WriteSection(a.Text("markdown"), section);
    }

    private static void Header(StringBuilder s, BenchArgs a, Results r)
    {
        long[] start = Jiffies(a.Text("cpu-start")), end = Jiffies(a.Text("cpu-end"));
        long total = start.Length >= 8 && end.Length >= 8 ? end.Take(8).Sum() - start.Take(8).Sum() : 0;
        string steal = total > 0 ? F($"{100.0 * (end[7] - start[7]) / total:F1}%") : "unknown";
        int rounds = r.Where("train").Select(x => x.GetProperty("round").GetInt32()).DefaultIfEmpty(0).Max();
        s.AppendLine(SectionHeading).AppendLine()
            .AppendLine($"Command: `{a.Text("command")}` (training part: {a.Text("seconds")} s; the scoring section below comes from the same command)  ")
            .AppendLine($"Date: {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC  ")
            .AppendLine(MachineInfo.MachineLine() + "  ")
            .AppendLine($"Libraries: TorchSharp {typeof(torch).Assembly.GetName().Version} (TorchSharp-cpu, libtorch {LibTorchVersion()}, threads {r.Text("train", "threads") ?? "?"}); "
                + $"{PyTorchLibraries(r)}  ")
            .AppendLine($"Load average (1, 5, 15 min) at the start: {a.Text("load-start")}; at the end: {a.Text("load-end")}; CPU steal during the run (/proc/stat): {steal}")
            .AppendLine()
            .AppendLine($"Each measurement is a fresh process. {rounds} round(s); in each, ours and PyTorch ran back to back (who goes first alternates), "
                + "then the bare loops. The machine is shared with other developers' builds, so the fastest round of each is shown (other work only slows a run down), "
                + "and the ratio column also gives the range of the round-by-round ratios. Every row's load average is in the results the run printed.")
            .AppendLine();
    }

    // The libtorch package TorchSharp-cpu brought in, as the bench's deps.json names it.
    private static string LibTorchVersion()
    {
        string deps = Path.Combine(AppContext.BaseDirectory, "TrainingBench.deps.json");
        var match = File.Exists(deps) ? System.Text.RegularExpressions.Regex.Match(File.ReadAllText(deps), "\"libtorch-cpu-[a-z0-9-]+/([0-9.]+)\"") : null;
        return match is { Success: true } ? match.Groups[1].Value : "version unknown";
    }

    // PyTorch's version, build (oneDNN, MKL, OpenMP) and threads, as pytorch_train.py reported them.
    private static string PyTorchLibraries(Results r)
    {
        var row = r.Where("train").Cast<JsonElement?>().FirstOrDefault(x => x!.Value.TryGetProperty("torch", out _));
        if (row is null)
        {
            return "PyTorch: no results";
        }

        string P(string name) => row.Value.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null ? v.ToString() : "?";
        string mkldnn = row.Value.TryGetProperty("mkldnn", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString()! : "no oneDNN";
        string mkl = P("mkl") == "True" ? "MKL" : "no MKL";
        string openmp = P("openmp") == "True" ? "OpenMP" : "no OpenMP";
        return $"PyTorch {P("torch")} with torchvision {P("torchvision")} (`/usr/bin/python3`; {mkldnn}, {mkl}, {openmp}; `torch.set_num_threads({P("threads")})`, its default here being {P("default_threads")})";
    }

    private static void Throughput(StringBuilder s, Results r)
    {
        s.AppendLine("### Training throughput (items 1 and 2)").AppendLine()
            .AppendLine("Fine-tune of a randomly initialised torchvision-layout ResNet with a 1-channel conv1 and a 2-class Linear head: `FreezeStrategy.LastStages(2)` "
                + "(stem, layer1, layer2 frozen, their BatchNorm in eval mode, `BatchNormMode.Frozen`), AdamW (layer3 + layer4 at 0.1× the head's 1e-3, no decay on 1-d "
                + "parameters), gradient clipping at 1.0, batch 16, CPU, no validation. Images: synthetic 320 px gray PNGs on disk, resized to 256 (crop 224) or 146 (crop 128), "
                + "random crop, horizontal flip, ±10° rotation, ±0.1 brightness/contrast. Epoch 1 is the warm-up; images/s are over epoch 2. "
                + "**Ours**: `FineTuneTrainer` reading the PNG paths, with its defaults: its loader decodes and resizes each PNG once, in epoch 1, keeps the resized images in memory "
                + "(there is no public option to turn that off) and augments them on worker threads every epoch; `ReuseNativeMemory` raises glibc's mmap and trim "
                + "thresholds while it trains, so that libtorch's large buffers are reused instead of mapped afresh at every step; the ResNet's activations are "
                + "channels-last from the stem on (on the CPU, for batches of two or more). "
                + "**PyTorch, same work**: `bench/TrainingBench/pytorch_train.py --cache true`: each PNG read, decoded and resized once (counted in epoch 1), "
                + "then a `DataLoader` with 2 persistent worker processes augments those images every epoch; as installed (the primary comparison), and tuned as our "
                + "engine is with `--malloc reuse --channels-last true`: glibc's malloc given the same settings through `MALLOC_MMAP_THRESHOLD_` and "
                + "`MALLOC_TRIM_THRESHOLD_`, the model and each batch channels-last (`model.to(memory_format=torch.channels_last)`, PyTorch's CPU tuning advice for CNNs). "
                + "**Round 1 only**: ours with `ReuseNativeMemory = false`, and PyTorch's `DataLoader` reading, decoding and resizing every PNG every epoch, PyTorch's usual way.")
            .AppendLine()
            .AppendLine("| model | crop | ours img/s | PyTorch, same work img/s | **ours ÷ PyTorch** (rounds) | PyTorch, same work, tuned as ours img/s | **ours ÷ that** (rounds) | ours, ReuseNativeMemory off img/s | PyTorch decoding every epoch img/s | peak RSS MiB: ours / PyTorch (+ largest worker) |")
            .AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var (arch, crop) in r.TrainConfigs())
        {
            var ours = r.Best(arch, crop, "ours");
            var py = r.Best(arch, crop, "pytorch");
            var pyTuned = r.Best(arch, crop, "pytorch-malloc-cl");
            s.AppendLine(F($"| {arch} | {crop} | {Num(ours)} | {Num(py)} | **{Ratio(ours, py)}** ({Range(r.PairedRatios(arch, crop, "ours", "pytorch"))}) | ")
                + F($"{Num(pyTuned)} | **{Ratio(ours, pyTuned)}** ({Range(r.PairedRatios(arch, crop, "ours", "pytorch-malloc-cl"))}) | ")
                + F($"{Num(r.Best(arch, crop, "ours-no-reuse"))} | {Num(r.Best(arch, crop, "pytorch-decode"))} | {Rss(ours)} / {Rss(py)} (+ {Worker(py)}) |"));
        }

        s.AppendLine();
        Verdict(s, r, "pytorch", "Training ≥ 1.0× PyTorch as installed");
        Verdict(s, r, "pytorch-malloc-cl", "Against PyTorch tuned as our engine is (malloc settings, channels-last)");
        s.AppendLine()
            .AppendLine("Pipeline efficiency: the engine against its bare loop. **Bare**: our ResNet module (`MLNetTransfer.Torch.Modules`) frozen by the engine's own "
                + "`FreezePlan`, with the same loss, clipping and AdamW, stepped on one batch already in memory, warmed up for as many steps as it times (one epoch's worth), "
                + "with the engine's malloc settings. **Ours, in memory**: `FineTuneTrainer` on pixels already at the crop size with no augmentation. "
                + "The engine cannot run faster than its bare loop, so an efficiency above 1.00× is noise: read it as ≈1.0.")
            .AppendLine()
            .AppendLine("| model | crop | ours img/s | bare TorchSharp img/s | **efficiency: ours ÷ bare** (rounds) | ours, in memory img/s | PyTorch tuned as ours ÷ its bare loop |")
            .AppendLine("|---|---:|---:|---:|---:|---:|---:|");
        foreach (var (arch, crop) in r.TrainConfigs())
        {
            var ours = r.Best(arch, crop, "ours");
            var bare = r.Best(arch, crop, "bare");
            s.AppendLine(F($"| {arch} | {crop} | {Num(ours)} | {Num(bare)} | **{Ratio(ours, bare)}** ({Range(r.PairedRatios(arch, crop, "ours", "bare"))}) | ")
                + F($"{Num(r.Best(arch, crop, "ours-memory"))} | {Ratio(r.Best(arch, crop, "pytorch-malloc-cl"), r.Best(arch, crop, "pytorch-bare-malloc-cl"))} |"));
        }

        s.AppendLine();
    }

    // Met only if every model reaches 1.0×: a target met for one configuration and missed for the others is missed.
    private static void Verdict(StringBuilder s, Results r, string peer, string label)
    {
        var ratios = r.TrainConfigs().Select(c => (Ours: r.Best(c.Arch, c.Crop, "ours"), Peer: r.Best(c.Arch, c.Crop, peer)))
            .Where(p => p.Ours is not null && p.Peer is not null).Select(p => p.Ours!.Value.ImagesPerSecond / p.Peer!.Value.ImagesPerSecond).ToList();
        if (ratios.Count > 0)
        {
            s.AppendLine(F($"{label}: **{(ratios.All(v => v >= 1.0) ? "met" : "missed")}** on equal data work ({ratios.Min():F2}–{ratios.Max():F2}×, best rounds).  "));
        }
    }

    private static void Breakdown(StringBuilder s, Results r)
    {
        s.AppendLine("### Where the time goes (item 2)").AppendLine()
            .AppendLine("Milliseconds per training image, from the best runs above: the bare step; what the engine's loop adds on pixels in memory (copying the batch "
                + "into a tensor, the loss read each step, the schedule, dispose scopes); what the PNG data path adds on top (crop, rotation and jitter of every "
                + "image on the loader's worker threads, which share the 2 cores with libtorch's 2 threads, and any wait for a batch). Epoch 1 also decodes and "
                + "resizes every PNG once, on both sides (its images/s are in the last two columns).")
            .AppendLine()
            .AppendLine("| model | crop | bare ms/img | + engine loop ms/img | + data path ms/img | ours ms/img | ours epoch 1 img/s | PyTorch epoch 1 img/s |")
            .AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var (arch, crop) in r.TrainConfigs())
        {
            var ours = r.Best(arch, crop, "ours");
            var bare = r.Best(arch, crop, "bare");
            var mem = r.Best(arch, crop, "ours-memory");
            var py = r.Best(arch, crop, "pytorch");
            if (ours is null || bare is null || mem is null)
            {
                continue;
            }

            double b = 1000 / bare.Value.ImagesPerSecond, m = 1000 / mem.Value.ImagesPerSecond, o = 1000 / ours.Value.ImagesPerSecond;
            s.AppendLine(F($"| {arch} | {crop} | {b:F2} | {m - b:+0.00;-0.00} | {o - m:+0.00;-0.00} | {o:F2} | {ours.Value.Row.GetProperty("epoch1_images_per_s").GetDouble():F1} | ")
                + F($"{(py is null ? "–" : py.Value.Row.GetProperty("epoch1_images_per_s").GetDouble().ToString("F1", CultureInfo.InvariantCulture))} |"));
        }

        s.AppendLine()
            .AppendLine("The bare loops' step, phase by phase (ms per batch of 16, best run of each, all with the engine's malloc settings): (a) our ResNet "
                + $"module, channels-last from the stem on, and (b) torchvision's (scripted by PyTorch {r.Text("train", "torch") ?? "?"}, loaded with `torch.jit.load`, NCHW), "
                + $"both on TorchSharp's libtorch {LibTorchVersion()}; torchvision's on PyTorch (c) NCHW and (d) channels-last. (a) against (b) is our module's doing, "
                + "(b) against (c) the library's (the same module and memory format), (c) against (d) what channels-last does for PyTorch.")
            .AppendLine()
            .AppendLine("| model | crop | step: (a) / (b) / (c) / (d) | forward + loss | backward | clip | AdamW step |")
            .AppendLine("|---|---:|---:|---:|---:|---:|---:|");
        foreach (var (arch, crop) in r.TrainConfigs())
        {
            var rows = new[] { r.Best(arch, crop, "bare"), r.Best(arch, crop, "bare-torchscript"), r.Best(arch, crop, "pytorch-bare-malloc"), r.Best(arch, crop, "pytorch-bare-malloc-cl") };
            if (rows.Any(x => x is null || !x.Value.Row.TryGetProperty("step_ms", out _)))
            {
                continue;
            }

            string Phase(string name) => string.Join(" / ", rows.Select(x => F($"{x!.Value.Row.GetProperty("step_ms").GetProperty(name).GetDouble():F0}")));
            string Step() => string.Join(" / ", rows.Select(x => F($"{16000 / x!.Value.ImagesPerSecond:F0}")));
            s.AppendLine($"| {arch} | {crop} | {Step()} | {Phase("forward")} | {Phase("backward")} | {Phase("clip")} | {Phase("adamw")} |");
        }

        s.AppendLine();
    }

    private static void Cache(StringBuilder s, Results r)
    {
        var rows = r.Where("cache").ToList();
        if (rows.Count == 0)
        {
            return;
        }

        s.AppendLine("### Feature-extraction cache (item 3)").AppendLine()
            .AppendLine("`FreezeStrategy.FeatureExtraction`, BatchNorm frozen, no random augmentation (`AugmentationOptions.EvalOnly`): the engine runs the frozen "
                + "backbone once over the training images (before epoch 1) and trains the MLP head on the stored features. Epoch 1 counts the run's setup and that pass; "
                + "`CacheFeatures = false` runs the backbone every epoch. Randomly initialised ResNet18, 1 channel, batch 16, PNGs from disk.")
            .AppendLine()
            .AppendLine("| run | model | crop | images | epochs | used the cache | epoch 1 s | epochs 2..N, s each | epoch 1 ÷ later epoch |")
            .AppendLine("|---|---|---:|---:|---:|---|---:|---:|---:|");
        foreach (var x in rows)
        {
            double first = x.GetProperty("epoch1_s").GetDouble(), later = x.GetProperty("later_epoch_s").GetDouble();
            s.AppendLine(F($"| {x.GetProperty("impl").GetString()} | {x.GetProperty("arch").GetString()} | {x.GetProperty("crop").GetInt32()} | {x.GetProperty("images").GetInt32()} | ")
                + F($"{x.GetProperty("epochs").GetInt32()} | {x.GetProperty("used_cache").GetBoolean()} | {first:F2} | {later:F3} | {first / later:F0}× |"));
        }

        s.AppendLine();
    }

    private static void Memory(StringBuilder s, Results r)
    {
        var x = r.Where("memory").Cast<JsonElement?>().FirstOrDefault();
        if (x is null)
        {
            return;
        }

        var live = x.Value.GetProperty("live_tensors").EnumerateArray().Select(e => e.GetInt64()).ToList();
        var rss = x.Value.GetProperty("rss_mib").EnumerateArray().Select(e => e.GetDouble()).ToList();
        s.AppendLine("### Memory (item 5)").AppendLine()
            .AppendLine(F($"A {x.Value.GetProperty("arch").GetString()} fine-tune (LastStages(2), 1 channel, PNGs from disk with augmentation, crop {x.Value.GetProperty("crop").GetInt32()}, ")
                + F($"{x.Value.GetProperty("images").GetInt32()} training and a quarter as many validation images, batch 16, {live.Count} epochs). After each epoch: the training thread's live ")
                + "TorchSharp tensors (`DisposeScopeManager.Statistics.ThreadTotalLiveCount`, as the engine's tests count them) and the process's resident memory (VmRSS).")
            .AppendLine()
            .AppendLine("| after epoch | " + string.Join(" | ", Enumerable.Range(1, live.Count)) + " |")
            .AppendLine("|---|" + string.Concat(Enumerable.Repeat("---:|", live.Count)))
            .AppendLine("| live tensors | " + string.Join(" | ", live) + " |")
            .AppendLine("| RSS MiB | " + string.Join(" | ", rss.Select(v => v.ToString("F0", CultureInfo.InvariantCulture))) + " |")
            .AppendLine("| .NET heap committed MiB | " + string.Join(" | ", x.Value.GetProperty("managed_mib").EnumerateArray().Select(v => v.GetDouble().ToString("F0", CultureInfo.InvariantCulture))) + " |")
            .AppendLine()
            .AppendLine(F($"Epoch 2 → {live.Count}: live tensors {live[1]} → {live[^1]} ({live[^1] - live[1]:+0;-0}), RSS {rss[1]:F0} → {rss[^1]:F0} MiB ({rss[^1] - rss[1]:+0;-0} MiB); ")
                + F($"peak RSS of the run {x.Value.GetProperty("peak_rss_mib").GetDouble():F0} MiB."))
            .AppendLine();
        if (live.Count >= 3)
        {
            var later = rss.Skip(2).ToList();
            s.AppendLine(F($"No growth in live tensors from epoch 2 on: **{(live.Skip(1).All(v => v <= live[1]) ? "met" : "missed")}** (largest after epoch 2: {live.Skip(1).Max()}). ")
                    + F($"RSS after epochs 3..{live.Count}: {later.Min():F0}–{later.Max():F0} MiB; last minus epoch 3: {rss[^1] - rss[2]:+0;-0} MiB."))
                .AppendLine();
        }
    }

    private static void WriteSection(string path, string section)
    {
        string existing = File.Exists(path) ? File.ReadAllText(path) : "# Benchmarks\n";
        int start = existing.IndexOf(SectionHeading, StringComparison.Ordinal);
        string updated;
        if (start < 0)
        {
            // Before the scoring section, if any: training first, as in the issue.
            int scoring = existing.IndexOf("\n## ", StringComparison.Ordinal);
            updated = scoring < 0 ? existing.TrimEnd() + "\n\n" + section : existing[..(scoring + 1)] + section + "\n" + existing[(scoring + 1)..];
        }
        else
        {
            int end = existing.IndexOf("\n## ", start + SectionHeading.Length, StringComparison.Ordinal);
            updated = existing[..start] + section + (end < 0 ? "" : "\n" + existing[(end + 1)..]);
        }

        File.WriteAllText(path, updated);
    }

    private static long[] Jiffies(string statLine) =>
        statLine.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(f => long.Parse(f, CultureInfo.InvariantCulture)).ToArray();

    private static string Num((double ImagesPerSecond, JsonElement Row)? m) => m is null ? "–" : F($"{m.Value.ImagesPerSecond:F1}");

    private static string Ratio((double ImagesPerSecond, JsonElement Row)? a, (double ImagesPerSecond, JsonElement Row)? b) =>
        a is null || b is null ? "–" : F($"{a.Value.ImagesPerSecond / b.Value.ImagesPerSecond:F2}×");

    private static string Range(IReadOnlyList<double> ratios) =>
        ratios.Count == 0 ? "–" : ratios.Count == 1 ? F($"{ratios[0]:F2}") : F($"{ratios.Min():F2}–{ratios.Max():F2}");

    private static string Rss((double ImagesPerSecond, JsonElement Row)? m) =>
        m is null ? "–" : F($"{m.Value.Row.GetProperty("peak_rss_mib").GetDouble():F0}");

    private static string Worker((double ImagesPerSecond, JsonElement Row)? m) =>
        m is not null && m.Value.Row.TryGetProperty("worker_peak_rss_mib", out var w) ? F($"{w.GetDouble():F0}") : "–";

    private static string F(FormattableString s) => FormattableString.Invariant(s);
}
