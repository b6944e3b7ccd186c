using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using MLNetTransfer.Torch;
using MLNetTransfer.Torch.FineTuning;
using MLNetTransfer.Torch.Modules;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNetTransfer.Bench.Training;

/// <summary>
/// Item 2's limit: the same network, freezing and optimizer as our fine-tune, stepped on one batch already in memory:
/// normalise, forward, cross-entropy, backward, gradient clipping at 1.0, AdamW step, a dispose scope per step.
/// Nothing is decoded, augmented, copied in or measured, so this is what libtorch does on this machine. It allocates
/// as the engine does (NativeMemoryReuse leased, as FineTuneOptions.ReuseNativeMemory's default), unless
/// "--reuse-native-memory false".
/// </summary>
/// <remarks>
/// "--module torchscript --script FILE" steps torchvision's own ResNet instead of ours, scripted by PyTorch
/// (pytorch_train.py script) and run by the same libtorch through TorchSharp: against our module, it tells what our
/// module costs; against PyTorch's bare loop, what the library version does.
/// </remarks>
internal static class BareLoop
{
    public static void Run(BenchArgs a)
    {
        string arch = a.Text("arch");
        int crop = a.Int("crop");
        int steps = a.Int("steps");
        // As many warm-up steps as are timed: our fine-tune warms up for a whole epoch (epoch 1), so the loop does too.
        int warmup = a.Int("warmup", steps);
        string module = a.Text("module", "ours");
        bool reuse = a.Bool("reuse-native-memory", fallback: true);
        using var memory = reuse ? NativeMemoryReuse.Lease() : null;
        random.manual_seed(1);
        var (model, forward, optimizer, trainable) = module switch
        {
            "ours" => Ours(arch),
            "torchscript" => TorchScript(a.Text("script")),
            _ => throw new ArgumentException($"--module is ours or torchscript, not '{module}'."),
        };

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
            var logits = forward(x.sub(mean).div_(std));
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
        model.Dispose();
        Json.Emit(new Dictionary<string, object>
        {
            ["bench"] = "train",
            ["impl"] = (module == "ours" ? "bare" : "bare-torchscript") + (reuse ? "" : "-no-reuse"),
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

    // Our module, frozen by the engine's own plan: FreezeStrategy.LastStages(2) with BatchNormMode.Frozen, a new
    // 2-class Linear head, the engine's AdamW groups at its default rates.
    private static (nn.Module Model, Func<Tensor, Tensor> Forward, optim.Optimizer Optimizer, List<Parameter> Trainable) Ours(string arch)
    {
        var model = new ResNet(Architectures.Layout(arch), inChannels: 1);
        var defaults = new FineTuneOptions();
        var plan = new FreezePlan(model, FreezeStrategy.LastStages(2), outputs: 2, BatchNormMode.Frozen, defaults.LearningRate,
            defaults.BackboneLearningRateRatio, defaults.WeightDecay);
        var optimizer = optim.AdamW(plan.Groups.Select(g => new AdamW.ParamGroup(g.Parameters, lr: g.LearningRate, weight_decay: g.WeightDecay)));
        model.train(); // the plan keeps the frozen part's BatchNorm in eval mode
        return (model, x => model.call(x), optimizer, plan.Groups.SelectMany(g => g.Parameters).ToList());
    }

    // torchvision's ResNet as pytorch_train.py builds it (1-channel conv1, 2-class head), frozen the same way by name:
    // FreezePlan works on our module only. AdamW groups as the plan's: layer3 + layer4 at a tenth of the head's rate, no
    // weight decay on 1-d parameters.
    private static (nn.Module Model, Func<Tensor, Tensor> Forward, optim.Optimizer Optimizer, List<Parameter> Trainable) TorchScript(string path)
    {
        var model = torch.jit.load<Tensor, Tensor>(path);
        var defaults = new FineTuneOptions();
        static bool Trains(string name) => name.StartsWith("layer3.", StringComparison.Ordinal) || name.StartsWith("layer4.", StringComparison.Ordinal)
            || name.StartsWith("fc.", StringComparison.Ordinal);
        var groups = new List<AdamW.ParamGroup>();
        var trainable = new List<Parameter>();
        foreach (var (name, p) in model.named_parameters())
        {
            p.requires_grad = Trains(name);
        }

        foreach (var prefix in new[] { "layer3.", "layer4.", "fc." })
        {
            var members = model.named_parameters().Where(np => np.name.StartsWith(prefix, StringComparison.Ordinal)).Select(np => np.parameter).ToList();
            double rate = prefix == "fc." ? defaults.LearningRate : defaults.LearningRate * defaults.BackboneLearningRateRatio;
            groups.Add(new AdamW.ParamGroup(members.Where(p => p.dim() > 1), lr: rate, weight_decay: defaults.WeightDecay));
            groups.Add(new AdamW.ParamGroup(members.Where(p => p.dim() <= 1), lr: rate, weight_decay: 0));
            trainable.AddRange(members);
        }

        model.train();
        // The frozen part's BatchNorm layers (bn1, bnN, downsample.1 of the stem, layer1, layer2) back in eval mode.
        foreach (var (name, submodule) in model.named_modules())
        {
            string last = name.Split('.')[^1];
            bool batchNorm = last.StartsWith("bn", StringComparison.Ordinal) || name.EndsWith("downsample.1", StringComparison.Ordinal);
            if (batchNorm && !Trains(name + "."))
            {
                submodule.eval();
            }
        }

        return (model, x => model.call(x), optim.AdamW(groups), trainable);
    }
}
