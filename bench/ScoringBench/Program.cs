using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using Microsoft.ML;
using Microsoft.ML.OnnxRuntime;
using TorchSharp;

namespace MLNetTransfer.Bench.Scoring;

/// <summary>
/// Scoring benchmark (issue 4, item 8): the same model scored by ML.NET's chain (OnnxTransformer, one row per ONNX
/// Runtime call, on a cursor and through a PredictionEngine), by ApplyOnnxModel alone and by ONNX Runtime directly in
/// batches of 1, 16 and 64 on the pixel vectors ML.NET's ExtractPixels produced, and by TorchSharp's eval forward
/// (batch 16) as a peer. Prints a Markdown table with ratios.
/// </summary>
/// <remarks>
/// Usage: <c>dotnet run -c Release --project bench/ScoringBench -- [--quick] [--images N] [--image-size PX]
/// [--models resnet18,resnet50] [--rounds R] [--markdown FILE]</c>. <c>--markdown</c> writes (or replaces) the section
/// "## Scoring (issue 4, item 8)" in FILE.
/// </remarks>
internal static class Program
{
    public const string SectionHeading = "## Scoring (issue 4, item 8)";

    private const string Header =
        "# Benchmarks\n\n"
        + "Measured results of the programs under `bench/`. Each section is self-contained: the command that produced it, the machine "
        + "(`nproc`, CPU model), the date, the table, and ratios between peers measured in the same run. Benchmarks are not part of the "
        + "test command.\n";

    private static int Main(string[] args)
    {
        Settings settings;
        try
        {
            settings = Settings.Parse(args);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine(e.Message);
            Console.Error.WriteLine("Usage: ScoringBench [--quick] [--images N] [--image-size PX] [--models resnet18,resnet50] [--rounds R] [--markdown FILE]");
            return 2;
        }

#if DEBUG
        Console.Error.WriteLine("warning: a Debug build; run with -c Release for numbers worth writing down.");
#endif
        var wall = Stopwatch.StartNew();
        var machine = Machine.Describe();
        string loadStart = MachineInfo.LoadAverage();
        var cpuStart = MachineInfo.CpuTimes();
        Console.WriteLine(machine);
        var ml = new MLContext(seed: 1);
        Console.WriteLine("measuring the machine's convolution limit ...");
        var limit = ConvLimit.Measure();
        using var images = new ImageSet(settings.Images, settings.ImageSize, seed: 7);
        var sections = new List<string>();
        foreach (var name in settings.Models)
        {
            Console.WriteLine($"[{wall.Elapsed.TotalSeconds:F0}s] building {name} ...");
            using var model = name == "resnet18"
                ? BenchModel.ResNet18(ml, images, trainImages: Math.Min(16, settings.Images), log: m => Console.WriteLine("  " + m))
                : BenchModel.ResNet50(ml, images);
            Console.WriteLine($"[{wall.Elapsed.TotalSeconds:F0}s] scoring {settings.Images} images with {model.Name} ...");
            sections.Add(Run(ml, model, images, settings, limit, m => Console.WriteLine($"[{wall.Elapsed.TotalSeconds:F0}s]   {m}")));
        }

        string loadEnd = MachineInfo.LoadAverage();
        var cpuEnd = MachineInfo.CpuTimes();
        long totalTicks = cpuEnd.Total - cpuStart.Total;
        string steal = totalTicks > 0 ? FormattableString.Invariant($"{100.0 * (cpuEnd.Steal - cpuStart.Steal) / totalTicks:F1}%") : "unknown";
        string command = "dotnet run -c Release --project bench/ScoringBench --" + (args.Length == 0 ? "" : " " + string.Join(" ", args));
        var report = new StringBuilder()
            .AppendLine($"Command: `{command}`  ")
            .AppendLine(machine.Replace("\n", "  \n", StringComparison.Ordinal) + "  ")
            .AppendLine($"Load average (1, 5, 15 min) at the start: {loadStart}; at the end: {loadEnd}; CPU steal during the run (/proc/stat): {steal}")
            .AppendLine()
            .AppendLine($"{settings.Images} synthetic {settings.ImageSize}x{settings.ImageSize} gray PNGs (decoded as RGB by ML.NET's LoadImages). "
                + "Every path scores the same pixel vectors of ML.NET's ExtractPixels except the chain, which also decodes and resizes. "
                + "Latency is per call: one image, or one batch (an image waits for its whole batch); p50/p99 are nearest-rank. "
                + "Rows read through an ML.NET cursor show no latency: ML.NET runs a costly transform on parallel cursors and hands rows out in blocks, "
                + "so single-image latency through ML.NET is measured with a PredictionEngine (on at most 64 images). "
                + "max |Δ| is the largest difference from the chain's Score. "
                + $"Each method ran {settings.Rounds} time(s), interleaved with the others; the fastest run of each is shown.")
            .AppendLine()
            .AppendLine(FormattableString.Invariant($"The machine's convolution limit, measured at the start of this run (ConvLimit.cs: one 3×3 convolution, 256 → 256 channels, 28×28, batch 16, best of 3): libtorch (oneDNN, channels-last) {limit.Torch:F0} GFLOP/s, ONNX Runtime (MLAS) {limit.OnnxRuntime:F0} GFLOP/s. ")
                + "Each model's section gives the rate of its forward passes against the faster of the two, with the multiply-adds of one image counted by PyTorch forward hooks on the same layout.")
            .AppendLine();
        foreach (var s in sections)
        {
            report.AppendLine(s);
        }

        report.AppendLine($"Total run time {wall.Elapsed.TotalSeconds:F0} s.");
        Console.WriteLine();
        Console.WriteLine(report.ToString());

        if (settings.MarkdownPath is { } path)
        {
            WriteSection(path, report.ToString());
            Console.WriteLine($"Wrote the section '{SectionHeading}' of {path}.");
        }

        return 0;
    }

    private static string Run(MLContext ml, BenchModel model, ImageSet images, Settings settings, (double Torch, double OnnxRuntime) limit, Action<string> log)
    {
        var data = images.ScoringData(ml);

        // Every method runs once per round; the fastest round of each is kept (other work on the machine only slows a
        // run down), with its latencies.
        var best = new Dictionary<string, Measurement>();
        var order = new List<string>();
        void Keep(string key, Measurement m)
        {
            if (!best.TryGetValue(key, out var b))
            {
                order.Add(key);
                best[key] = m;
            }
            else if (m.ImagesPerSecond > b.ImagesPerSecond)
            {
                m.MaxDifference = b.MaxDifference;
                best[key] = m;
            }
        }

        var preprocessing = model.Preprocessing(ml, images);
        using var probe = new InferenceSession(model.Onnx);
        var outputs = probe.OutputMetadata.Keys.ToArray();
        using var session = new InferenceSession(model.Onnx);
        using var variants = new OrtVariants(model.Onnx);
        long multiplyAdds = 0;
        float[][] pixels = null!, chainScores = null!;
        for (int round = 1; round <= settings.Rounds; round++)
        {
            log($"round {round} of {settings.Rounds}");

            // ML.NET's own preprocessing (LoadImages → ResizeImages → ExtractPixels): the pixel vectors every direct path scores.
            Runners.Cursor("warm-up", preprocessing, images.ScoringData(ml, 4), BenchModel.PixelsColumn, Math.Min(4, settings.Images));
            var (prep, roundPixels) = Runners.Cursor("ML.NET preprocessing only (LoadImages, Resize, ExtractPixels)", preprocessing, data, BenchModel.PixelsColumn, settings.Images);
            pixels ??= roundPixels;
            Keep("prep", prep);
            log($"preprocessing {prep.ImagesPerSecond:F1} img/s");

            // (a) the chain: model.Transform + a cursor over Score.
            Runners.Cursor("warm-up", model.Chain, images.ScoringData(ml, 4), model.ChainScoreColumn, Math.Min(4, settings.Images));
            var (chain, roundChainScores) = Runners.Cursor("ML.NET chain (model.Transform, cursor over Score)", model.Chain, data, model.ChainScoreColumn, settings.Images);
            chainScores ??= roundChainScores;
            chain.MaxDifference = Runners.MaxDifference(roundChainScores, chainScores);
            Keep("chain", chain);
            log($"chain {chain.ImagesPerSecond:F1} img/s");

            // (a, latency) one image per call through PredictionEngine, on at most 64 images.
            var engine = Runners.PredictionEngine(ml, model.Chain, model.ChainScoreColumn, images.Rows.Take(Math.Min(64, settings.Images)).ToList(), chainScores[0].Length);
            Keep("engine", engine);
            log($"PredictionEngine {engine.ImagesPerSecond:F1} img/s, p50 {engine.P50:F1} ms");

            // (a') ML.NET's ApplyOnnxModel alone on the pixel vectors.
            var (onnxTransformer, otScores) = Runners.OnnxTransformerOnPixels(ml, model.Onnx, pixels, model.InputSize, outputs, BenchModel.ScoreColumn);
            onnxTransformer.MaxDifference = Runners.MaxDifference(otScores, chainScores);
            Keep("onnxtransformer", onnxTransformer);
            log($"ApplyOnnxModel on pixels {onnxTransformer.ImagesPerSecond:F1} img/s");

            // (b), (c) ONNX Runtime directly, one session with default options (as ML.NET makes its own).
            foreach (int batch in new[] { 1, 16, 64 })
            {
                var (m, scores) = Runners.OnnxRuntime(session, pixels, model.InputSize, batch, BenchModel.ScoreColumn);
                m.MaxDifference = Runners.MaxDifference(scores, chainScores);
                Keep($"ort{batch}", m);
                log($"ORT batch {batch} {m.ImagesPerSecond:F1} img/s");
            }

            // (b') ONNX Runtime with settings other than its defaults (a fixed batch dimension needs whole batches).
            foreach (var (key, label, variantSession) in variants.Sessions)
            {
                if (key == "fixed" && pixels.Length % OrtVariants.BatchSize != 0)
                {
                    continue;
                }

                var (m, scores) = Runners.OnnxRuntime(variantSession, pixels, model.InputSize, OrtVariants.BatchSize, BenchModel.ScoreColumn, $"ONNX Runtime direct, batch {OrtVariants.BatchSize}, {label}");
                m.MaxDifference = Runners.MaxDifference(scores, chainScores);
                Keep("ort-" + key, m);
                log($"ORT batch {OrtVariants.BatchSize}, {label}: {m.ImagesPerSecond:F1} img/s");
            }

            // (d) TorchSharp eval forward, batch 16, and batch 1 (on at most 64 images) for one image's latency.
            var (torchRun, torchScores) = Runners.TorchSharpEval(model.TorchPeer, pixels, model.InputSize, model.CropSize, 16);
            if (model.TorchHasSameWeights)
            {
                torchRun.MaxDifference = Runners.MaxDifference(torchScores, chainScores);
            }

            Keep("torch", torchRun);
            log($"TorchSharp batch 16 {torchRun.ImagesPerSecond:F1} img/s");
            var (torchSingle, _) = Runners.TorchSharpEval(model.TorchPeer, pixels.Take(Math.Min(64, pixels.Length)).ToArray(), model.InputSize, model.CropSize, 1);
            Keep("torch1", torchSingle);
            log($"TorchSharp batch 1 {torchSingle.ImagesPerSecond:F1} img/s, p50 {torchSingle.P50:F1} ms");

            // (e) PyTorch eval forward of the same layout (issue 6, item 4), batch 16 and batch 1, in a child process.
            if (Runners.PyTorchEval(model.TorchPeer, model.CropSize, settings.Images, log) is { } py)
            {
                Keep("pytorch16", py.Batch16);
                Keep("pytorch1", py.Batch1);
                multiplyAdds = py.MultiplyAdds;
                log($"PyTorch batch 16 {py.Batch16.ImagesPerSecond:F1} img/s; batch 1 p50 {py.Batch1.P50:F1} ms");
            }
        }

        var rows = order.Select(k => best[k]).ToList();
        var prepBest = best["prep"];
        var chainBest = best["chain"];
        var engineBest = best["engine"];
        var otBest = best["onnxtransformer"];
        var torchBest = best["torch"];
        var ort = new Dictionary<int, Measurement> { [1] = best["ort1"], [16] = best["ort16"], [64] = best["ort64"] };

        var table = new StringBuilder()
            .AppendLine($"### {model.Name}")
            .AppendLine()
            .AppendLine(model.Description + ".")
            .AppendLine()
            .AppendLine("| method | batch | images/s | p50 ms/call | p99 ms/call | max \\|Δ\\| vs chain |")
            .AppendLine("|---|---:|---:|---:|---:|---:|");
        foreach (var r in rows)
        {
            string diff = double.IsNaN(r.MaxDifference) ? "–" : r.MaxDifference.ToString("0.0e+0", CultureInfo.InvariantCulture);
            string p50 = r.LatencyMeaningful ? r.P50.ToString("F1", CultureInfo.InvariantCulture) : "–";
            string p99 = r.LatencyMeaningful ? r.P99.ToString("F1", CultureInfo.InvariantCulture) : "–";
            table.AppendLine(FormattableString.Invariant($"| {r.Method} | {r.BatchSize} | {r.ImagesPerSecond:F1} | {p50} | {p99} | {diff} |"));
        }

        double onnxPart = 1.0 / chainBest.ImagesPerSecond - 1.0 / prepBest.ImagesPerSecond;
        table.AppendLine()
            .AppendLine("Ratios (images/s over images/s, same run):")
            .AppendLine()
            .AppendLine(FormattableString.Invariant($"- ORT batch 16 ÷ ML.NET chain: **{ort[16].ImagesPerSecond / chainBest.ImagesPerSecond:F2}×**; ORT batch 64 ÷ ML.NET chain: **{ort[64].ImagesPerSecond / chainBest.ImagesPerSecond:F2}×** (the direct paths skip decoding and resizing, which the chain pays)"))
            .AppendLine(FormattableString.Invariant($"- ORT batch 16 ÷ ApplyOnnxModel on the same pixels: **{ort[16].ImagesPerSecond / otBest.ImagesPerSecond:F2}×**; batch 64: **{ort[64].ImagesPerSecond / otBest.ImagesPerSecond:F2}×**; batch 1: {ort[1].ImagesPerSecond / otBest.ImagesPerSecond:F2}× (ML.NET's per-row overhead)"))
            .AppendLine(FormattableString.Invariant($"- Batching alone, ORT batch 16 ÷ ORT batch 1: **{ort[16].ImagesPerSecond / ort[1].ImagesPerSecond:F2}×**; batch 64 ÷ batch 1: **{ort[64].ImagesPerSecond / ort[1].ImagesPerSecond:F2}×**"))
            .AppendLine(FormattableString.Invariant($"- ML.NET one image per call ÷ ML.NET cursor: PredictionEngine ÷ chain: {engineBest.ImagesPerSecond / chainBest.ImagesPerSecond:F2}× (the cursor runs rows on parallel cursors, each ORT call with ORT's own thread pool)"))
            .AppendLine(FormattableString.Invariant($"- One image: ORT batch 1 p50 {ort[1].P50:F1} ms against PredictionEngine p50 {engineBest.P50:F1} ms (which also decodes and resizes)"))
            .AppendLine(FormattableString.Invariant($"- ORT batch 16 ÷ TorchSharp batch 16: **{ort[16].ImagesPerSecond / torchBest.ImagesPerSecond:F2}×**; ORT batch 1 ÷ TorchSharp batch 16: {ort[1].ImagesPerSecond / torchBest.ImagesPerSecond:F2}×"))
            .AppendLine(best.TryGetValue("pytorch16", out var py16) && best.TryGetValue("pytorch1", out var py1)
                ? FormattableString.Invariant($"- ORT batch 16 ÷ PyTorch eval batch 16: **{ort[16].ImagesPerSecond / py16.ImagesPerSecond:F2}×**; TorchSharp batch 16 ÷ PyTorch batch 16: {torchBest.ImagesPerSecond / py16.ImagesPerSecond:F2}×; one image p50 / p99: ORT {ort[1].P50:F1} / {ort[1].P99:F1} ms, TorchSharp {best["torch1"].P50:F1} / {best["torch1"].P99:F1} ms, PyTorch {py1.P50:F1} / {py1.P99:F1} ms (PyTorch on random pixels of the same shape, in its own process)")
                : "- PyTorch eval: not measured (no /usr/bin/python3 with torch)")
            .AppendLine(FormattableString.Invariant($"- The chain's time per image: {1000.0 / chainBest.ImagesPerSecond:F1} ms, of which preprocessing {1000.0 / prepBest.ImagesPerSecond:F1} ms and the rest (ApplyOnnxModel and conversions) {1000.0 * onnxPart:F1} ms"));
        var variantRatios = variants.Sessions.Where(v => best.ContainsKey("ort-" + v.Key))
            .Select(v => FormattableString.Invariant($"{v.Label} {best["ort-" + v.Key].ImagesPerSecond / ort[OrtVariants.BatchSize].ImagesPerSecond:F2}×")).ToList();
        if (variantRatios.Count > 0)
        {
            table.AppendLine($"- ONNX Runtime's settings ÷ its defaults, batch {OrtVariants.BatchSize}: {string.Join("; ", variantRatios)}");
        }

        if (multiplyAdds > 0)
        {
            double limitGflops = Math.Max(limit.Torch, limit.OnnxRuntime);
            double Gflops(Measurement m) => m.ImagesPerSecond * 2.0 * multiplyAdds / 1e9;
            string Share(Measurement m) => FormattableString.Invariant($"{Gflops(m):F0} GFLOP/s, {100 * Gflops(m) / limitGflops:F0}%");
            var parts = new List<string> { $"ORT batch 16 {Share(ort[16])}", $"TorchSharp batch 16 {Share(torchBest)}" };
            if (best.TryGetValue("pytorch16", out var pyBest))
            {
                parts.Add($"PyTorch batch 16 {Share(pyBest)}");
            }

            table.AppendLine(FormattableString.Invariant($"- Against the machine's convolution limit ({limitGflops:F0} GFLOP/s; {multiplyAdds / 1e9:F3} G multiply-adds per image): {string.Join("; ", parts)}. ORT ≥ 1.5× TorchSharp would need TorchSharp at or below {100 * Gflops(ort[16]) / limitGflops / 1.5:F0}% of the limit"));
        }

        return table.ToString();
    }

    private static void WriteSection(string path, string body)
    {
        string section = SectionHeading + "\n\n" + body.TrimEnd() + "\n";
        string existing = File.Exists(path) ? File.ReadAllText(path) : Header;
        int start = existing.IndexOf(SectionHeading, StringComparison.Ordinal);
        string updated;
        if (start < 0)
        {
            updated = existing.TrimEnd() + "\n\n" + section;
        }
        else
        {
            int end = existing.IndexOf("\n## ", start + SectionHeading.Length, StringComparison.Ordinal);
            updated = existing[..start] + section + (end < 0 ? "" : "\n" + existing[(end + 1)..]);
        }

        File.WriteAllText(path, updated);
    }

    private sealed class Settings
    {
        public bool Quick { get; private set; }

        public int Images { get; private set; } = 256;

        public int ImageSize { get; private set; } = 320;

        public List<string> Models { get; private set; } = new() { "resnet18", "resnet50" };

        public string? MarkdownPath { get; private set; }

        /// <summary>Rounds of every measurement; the fastest of each is reported.</summary>
        public int Rounds { get; private set; } = 3;

        public static Settings Parse(string[] args)
        {
            var s = new Settings();
            bool imagesGiven = false, modelsGiven = false, roundsGiven = false;
            for (int i = 0; i < args.Length; i++)
            {
                string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
                switch (args[i])
                {
                    case "--quick":
                        s.Quick = true;
                        break;
                    case "--images":
                        s.Images = int.Parse(Next(), CultureInfo.InvariantCulture);
                        imagesGiven = true;
                        break;
                    case "--image-size":
                        s.ImageSize = int.Parse(Next(), CultureInfo.InvariantCulture);
                        break;
                    case "--models":
                        s.Models = Next().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(m => m.ToLowerInvariant()).ToList();
                        modelsGiven = true;
                        break;
                    case "--rounds":
                        s.Rounds = int.Parse(Next(), CultureInfo.InvariantCulture);
                        roundsGiven = true;
                        break;
                    case "--markdown":
                        s.MarkdownPath = Next();
                        break;
                    default:
                        throw new ArgumentException($"Unknown argument '{args[i]}'.");
                }
            }

            if (s.Quick)
            {
                s.Images = imagesGiven ? s.Images : 32;
                s.Models = modelsGiven ? s.Models : new List<string> { "resnet18" };
                s.Rounds = roundsGiven ? s.Rounds : 1;
            }

            if (s.Images < 4 || s.ImageSize < 32 || s.Rounds < 1 || s.Models.Count == 0 || s.Models.Any(m => m is not ("resnet18" or "resnet50")))
            {
                throw new ArgumentException("--images is at least 4, --image-size at least 32, --models a list of resnet18 and resnet50.");
            }

            return s;
        }
    }

    private static class Machine
    {
        private static string Version(Type type) =>
            (type.Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false).FirstOrDefault()
                as System.Reflection.AssemblyInformationalVersionAttribute)?.InformationalVersion.Split('+')[0] ?? type.Assembly.GetName().Version?.ToString() ?? "?";

        public static string Describe()
        {
            return string.Join("\n",
                $"Date: {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC",
                MachineInfo.MachineLine(),
                $"Libraries: ONNX Runtime {OrtEnv.Instance().GetVersionString()} (CPU, default session options), TorchSharp {Version(typeof(torch))} (libtorch threads {torch.get_num_threads()}), ML.NET {Version(typeof(MLContext))}");
        }
    }
}
