using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using MLNetTransfer.Torch.FineTuning;
using TorchSharp;
using TorchSharp.Modules;
using Xunit;
using static TorchSharp.torch;

namespace MLNetTransfer.Torch.Tests.FineTuning;

/// <summary>The one copy of the best epoch's weights: what it restores, what it costs in tensors, and its file layout.</summary>
[Collection("NoParallelization")]
public sealed class BestWeightsTests
{
    [Fact]
    public void Restores_exactly_the_captured_epoch_with_one_tensor_per_state_entry_and_none_per_capture()
    {
        using var model = SmallModel(seed: 1);
        var parameters = model.parameters().ToList();
        int entries = model.state_dict().Count;
        long before = Live();
        using var best = new BestWeights(keep: true);

        Perturb(model, 0.5f); // "epoch 1", a best epoch
        best.Capture(model);
        Assert.Equal(entries, Live() - before);

        Perturb(model, 0.25f); // "epoch 2", a new best: overwritten in place
        best.Capture(model);
        Assert.Equal(entries, Live() - before);
        var epoch2 = Values(model);

        Perturb(model, 1f); // "epoch 3", worse: not captured
        Assert.NotEqual(epoch2["conv.weight"], Values(model)["conv.weight"]);
        best.Restore(model);

        var restored = Values(model);
        foreach (var (name, values) in epoch2)
        {
            Assert.Equal(values, restored[name]); // bit for bit, parameters and buffers alike
        }

        Assert.Equal(entries, Live() - before);
        // In place: the model keeps its Parameter objects, the ones an optimizer holds.
        Assert.True(parameters.Zip(model.parameters()).All(p => ReferenceEquals(p.First, p.Second)));
        best.Dispose();
        Assert.Equal(0, Live() - before);
    }

    [Fact]
    public void A_run_that_keeps_no_copy_allocates_nothing()
    {
        using var model = SmallModel(seed: 1);
        long before = Live();
        using var best = new BestWeights(keep: false);
        best.Capture(model);
        Assert.False(best.HasValue);
        Assert.Equal(0, Live() - before);
        Assert.Throws<InvalidOperationException>(() => best.Restore(model));
    }

    [Fact]
    public void Writes_what_TorchSharp_Module_save_writes_and_reads_it_back_into_another_model()
    {
        using var source = SmallModel(seed: 1);
        Perturb(source, 0.5f);
        using var best = new BestWeights(keep: true);
        best.Capture(source);

        // The layout is TorchSharp's own: the same bytes as Module.save of the model holding those weights.
        byte[] ours = Bytes(best.Write), torchSharp = Bytes(w => source.save(w));
        Assert.Equal(torchSharp, ours);

        using var target = SmallModel(seed: 2);
        using var read = new BestWeights(keep: true);
        using (var reader = new BinaryReader(new MemoryStream(ours)))
        {
            read.Read(reader, target);
        }

        read.Restore(target);
        var expected = Values(source);
        var actual = Values(target);
        foreach (var (name, values) in expected)
        {
            Assert.Equal(values, actual[name]);
        }
    }

    [Fact]
    public void Reading_the_weights_of_another_model_is_refused()
    {
        using var source = SmallModel(seed: 1);
        using var best = new BestWeights(keep: true);
        best.Capture(source);
        byte[] bytes = Bytes(best.Write);

        using var other = nn.Sequential(("conv", nn.Conv2d(1, 8, 3)), ("bn", nn.BatchNorm2d(8)));
        using var read = new BestWeights(keep: true);
        using var reader = new BinaryReader(new MemoryStream(bytes));
        // TorchSharp's own shape check, as Module.load would fail.
        var e = Assert.Throws<ArgumentException>(() => read.Read(reader, other));
        Assert.Contains("shape", e.Message);

        using var fewer = nn.Sequential(("conv", nn.Conv2d(1, 4, 3)));
        using var read2 = new BestWeights(keep: true);
        using var reader2 = new BinaryReader(new MemoryStream(bytes));
        var count = Assert.Throws<InvalidDataException>(() => read2.Read(reader2, fewer));
        Assert.Contains("tensors", count.Message);
    }

    internal static Sequential SmallModel(int seed)
    {
        random.manual_seed(seed);
        // Parameters and buffers: weights, BatchNorm's float statistics and its int64 batch counter.
        return nn.Sequential(("conv", nn.Conv2d(1, 4, 3)), ("bn", nn.BatchNorm2d(4)));
    }

    // Changes every parameter and the BatchNorm statistics, as a training step would.
    internal static void Perturb(Sequential model, float amount)
    {
        model.train();
        using var scope = NewDisposeScope();
        using (no_grad())
        {
            foreach (var p in model.parameters())
            {
                p.add_(amount);
            }
        }

        model.call(randn(2, 1, 6, 6)); // a forward in train mode moves running mean, var and the batch counter
    }

    // Read in a dispose scope, so that reading adds no live tensors.
    internal static Dictionary<string, double[]> Values(nn.Module model)
    {
        using var scope = NewDisposeScope();
        return model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.to_type(ScalarType.Float64).data<double>().ToArray());
    }

    private static long Live() => DisposeScopeManager.Statistics.ThreadTotalLiveCount;

    private static byte[] Bytes(Action<BinaryWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            write(writer);
        }

        return buffer.ToArray();
    }
}
