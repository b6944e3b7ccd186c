using System;
using System.Collections.Generic;
using System.Diagnostics;
using MLNetTransfer.Torch.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetTransfer.Bench.Training;

/// <summary>
/// Item 2's limit: the same network, freezing and optimizer as our fine-tune, stepped on one batch already in memory:
/// normalise, forward, cross-entropy, backward, gradient clipping at 1.0, AdamW step, a dispose scope per step.
/// Nothing is decoded, augmented, copied in or measured, so this is what libtorch does on this machine.
/// </summary>
internal static class BareLoop
{
    public static void Run(BenchArgs a)
    {
        string arch = a.Text("arch");
        int crop = a.Int("crop");
        int steps = a.Int("steps");
        // As many warm-up steps as are timed: our fine-tune warms up for a whole epoch (epoch 1), so the loop does too.
        int warmup = a.Int("warmup", steps);
        random.manual_seed(1);
        using var model = new ResNet(Architectures.Layout(arch), inChannels: 1);
        var (optimizer, frozenBatchNorms, trainable) = Freezing.LastTwoStages(model, classes: 2);
        model.train();
        foreach (var bn in frozenBatchNorms)
        {
            bn.eval();
        }

        using var x = rand(16, 1, crop, crop);
        using var y = randint(0, 2, new long[] { 16 });
        using var mean = tensor(new[] { 0f }, new long[] { 1, 1, 1, 1 });
        using var std = tensor(new[] { 1f }, new long[] { 1, 1, 1, 1 });
        var watch = new Stopwatch();
        var phases = new double[4];
        for (int i = 0; i < warmup + steps; i++)
        {
            if (i == warmup)
            {
                watch.Start();
            }

            using var scope = NewDisposeScope();
            long t0 = Stopwatch.GetTimestamp();
            var logits = model.call(x.sub(mean).div_(std));
            var loss = nn.functional.cross_entropy(logits, y);
            long t1 = Stopwatch.GetTimestamp();
            optimizer.zero_grad();
            loss.backward();
            long t2 = Stopwatch.GetTimestamp();
            nn.utils.clip_grad_norm_(trainable, 1.0);
            long t3 = Stopwatch.GetTimestamp();
            optimizer.step();
            if (i >= warmup)
            {
                // Phases on the CPU are synchronous, so wall time per phase is the phase's cost.
                phases[0] += Stopwatch.GetElapsedTime(t0, t1).TotalMilliseconds;
                phases[1] += Stopwatch.GetElapsedTime(t1, t2).TotalMilliseconds;
                phases[2] += Stopwatch.GetElapsedTime(t2, t3).TotalMilliseconds;
                phases[3] += Stopwatch.GetElapsedTime(t3).TotalMilliseconds;
            }
        }

        watch.Stop();
        optimizer.Dispose();
        Json.Emit(new Dictionary<string, object>
        {
            ["bench"] = "train",
            ["impl"] = "bare",
            ["arch"] = arch,
            ["crop"] = crop,
            ["images"] = steps * 16,
            ["images_per_s"] = steps * 16 / watch.Elapsed.TotalSeconds,
            ["step_ms"] = new Dictionary<string, double>
            {
                ["forward"] = phases[0] / steps, ["backward"] = phases[1] / steps, ["clip"] = phases[2] / steps, ["adamw"] = phases[3] / steps,
            },
            ["peak_rss_mib"] = ProcessMemory.PeakRssMiB,
            ["threads"] = torch.get_num_threads(),
        });
    }
}
