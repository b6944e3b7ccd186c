using System;
using System.IO;
using System.Linq;
using MLNetTransfer.Torch;
using MLNetTransfer.Torch.FineTuning;
using TorchSharp;
using TorchSharp.Modules;
using Xunit;
using static TorchSharp.torch;

namespace MLNetTransfer.Torch.Tests.FineTuning;

/// <summary>The checkpoint file on its own: what a round trip restores, and what it refuses.</summary>
[Collection("NoParallelization")]
public sealed class TrainingCheckpointTests : IDisposable
{
    private const string Fingerprint = "strategy LastStages(1); epochs 3";
    private readonly string _dir = Directory.CreateTempSubdirectory("mlnettransfer-ckpt-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void A_round_trip_restores_state_model_optimizer_rng_and_best_weights()
    {
        using var model = BestWeightsTests.SmallModel(seed: 1);
        using var optimizer = optim.AdamW(model.parameters(), lr: 0.01);
        Step(model, optimizer);
        using var best = new BestWeights(keep: true);
        best.Capture(model);
        var bestValues = BestWeightsTests.Values(model);
        Step(model, optimizer);
        var state = new CheckpointState
        {
            RunFingerprint = Fingerprint, CompletedEpochs = 2, GlobalStep = 40, BestEpoch = 1, BestScore = 0.25, EpochsWithoutImprovement = 1,
            TrainSeconds = 3.5, ImagesSeen = 640,
        };
        state.History.Add(new EpochMetrics(1, 0.7, 0.25, 0.9, double.NaN, new[] { double.NaN }, 1, 100, 1e-3, 50, 2, true));
        TrainingCheckpoint.Save(_dir, state, model, optimizer, best);
        var expectedRandom = TakeRandom();

        using var resumed = BestWeightsTests.SmallModel(seed: 2);
        using var resumedOptimizer = optim.AdamW(resumed.parameters(), lr: 0.01);
        var parameters = resumed.parameters().ToList();
        using var resumedBest = new BestWeights(keep: true);
        var loaded = TrainingCheckpoint.Load(TrainingCheckpoint.PathIn(_dir), Fingerprint, resumed, resumedOptimizer, resumedBest);

        Assert.Equal(expectedRandom, TakeRandom()); // the RNG continues where the checkpoint left it
        Assert.Equal((2, 40L, 1, 0.25, 1, 3.5, 640L), (loaded.CompletedEpochs, loaded.GlobalStep, loaded.BestEpoch, loaded.BestScore, loaded.EpochsWithoutImprovement, loaded.TrainSeconds, loaded.ImagesSeen));
        var epoch = Assert.Single(loaded.History);
        Assert.True(double.IsNaN(epoch.ValidationAuc) && double.IsNaN(epoch.PerClassAuc[0]));
        AssertSame(BestWeightsTests.Values(model), BestWeightsTests.Values(resumed));
        // Loaded in place: the optimizer still holds the model's parameters.
        Assert.True(parameters.Zip(resumed.parameters()).All(p => ReferenceEquals(p.First, p.Second)));

        // The optimizer's moments came along: the next step, on the same input, is the same on both.
        Step(model, optimizer, seed: 8);
        Step(resumed, resumedOptimizer, seed: 8);
        AssertSame(BestWeightsTests.Values(model), BestWeightsTests.Values(resumed));

        resumedBest.Restore(resumed);
        AssertSame(bestValues, BestWeightsTests.Values(resumed));
    }

    [Fact]
    public void Without_best_weights_the_checkpoint_brings_none()
    {
        using var model = BestWeightsTests.SmallModel(seed: 1);
        using var optimizer = optim.AdamW(model.parameters());
        using var none = new BestWeights(keep: true);
        TrainingCheckpoint.Save(_dir, new CheckpointState { RunFingerprint = Fingerprint, CompletedEpochs = 1 }, model, optimizer, none);

        using var resumedBest = new BestWeights(keep: true);
        var loaded = TrainingCheckpoint.Load(TrainingCheckpoint.PathIn(_dir), Fingerprint, model, optimizer, resumedBest);
        Assert.Equal(1, loaded.CompletedEpochs);
        Assert.False(resumedBest.HasValue);
    }

    [Fact]
    public void Another_runs_checkpoint_is_refused_naming_the_file_and_both_fingerprints_before_anything_is_read()
    {
        using var model = BestWeightsTests.SmallModel(seed: 1);
        using var optimizer = optim.AdamW(model.parameters());
        using var best = new BestWeights(keep: true);
        best.Capture(model);
        TrainingCheckpoint.Save(_dir, new CheckpointState { RunFingerprint = Fingerprint, CompletedEpochs = 1, BestEpoch = 1 }, model, optimizer, best);

        using var other = BestWeightsTests.SmallModel(seed: 2);
        using var otherOptimizer = optim.AdamW(other.parameters());
        using var otherBest = new BestWeights(keep: true);
        var before = BestWeightsTests.Values(other);
        string path = TrainingCheckpoint.PathIn(_dir);
        var e = Assert.Throws<InvalidOperationException>(() => TrainingCheckpoint.Load(path, "strategy LastStages(1); epochs 4", other, otherOptimizer, otherBest));
        Assert.Contains(path, e.Message);
        Assert.Contains("epochs 3", e.Message);
        Assert.Contains("epochs 4", e.Message);
        AssertSame(before, BestWeightsTests.Values(other));
        Assert.False(otherBest.HasValue);
    }

    [Fact]
    public void A_checkpoint_of_another_model_is_refused_naming_the_file_and_the_block()
    {
        using var model = BestWeightsTests.SmallModel(seed: 1);
        using var optimizer = optim.AdamW(model.parameters());
        using var best = new BestWeights(keep: true);
        TrainingCheckpoint.Save(_dir, new CheckpointState { RunFingerprint = Fingerprint }, model, optimizer, best);

        using var wider = nn.Sequential(("conv", nn.Conv2d(1, 8, 3)), ("bn", nn.BatchNorm2d(8)));
        using var widerOptimizer = optim.AdamW(wider.parameters());
        string path = TrainingCheckpoint.PathIn(_dir);
        var e = Assert.Throws<InvalidDataException>(() => TrainingCheckpoint.Load(path, Fingerprint, wider, widerOptimizer, best));
        Assert.Contains(path, e.Message);
        Assert.Contains("model", e.Message);
    }

    [Fact]
    public void A_file_that_is_not_a_checkpoint_is_refused_by_name()
    {
        string path = Path.Combine(_dir, TrainingCheckpoint.FileName);
        File.WriteAllText(path, "not a checkpoint at all");
        using var model = BestWeightsTests.SmallModel(seed: 1);
        using var optimizer = optim.AdamW(model.parameters());
        using var best = new BestWeights(keep: true);
        var e = Assert.Throws<InvalidDataException>(() => TrainingCheckpoint.Load(path, Fingerprint, model, optimizer, best));
        Assert.Contains(path, e.Message);
        Assert.Contains("signature", e.Message);
    }

    [Fact]
    public void A_save_that_fails_half_way_leaves_the_previous_checkpoint_loadable_and_no_temporary_file()
    {
        using var model = BestWeightsTests.SmallModel(seed: 1);
        using var optimizer = optim.AdamW(model.parameters(), lr: 0.01);
        using var best = new BestWeights(keep: true);
        TrainingCheckpoint.Save(_dir, new CheckpointState { RunFingerprint = Fingerprint, CompletedEpochs = 1 }, model, optimizer, best);
        string path = TrainingCheckpoint.PathIn(_dir);
        byte[] before = File.ReadAllBytes(path);

        // The next epoch's checkpoint, written through the same AtomicFile that Save uses, by a writer that fails
        // half-way through it (a full disk, a killed process).
        string next = Path.Combine(_dir, "next");
        Step(model, optimizer);
        TrainingCheckpoint.Save(next, new CheckpointState { RunFingerprint = Fingerprint, CompletedEpochs = 2 }, model, optimizer, best);
        byte[] nextBytes = File.ReadAllBytes(TrainingCheckpoint.PathIn(next));
        Directory.Delete(next, recursive: true);
        Assert.Throws<IOException>(() => AtomicFile.Write(path, stream =>
        {
            stream.Write(nextBytes, 0, nextBytes.Length / 2);
            throw new IOException("no space left on device (simulated)");
        }));

        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal(new[] { TrainingCheckpoint.FileName }, Directory.GetFiles(_dir).Select(Path.GetFileName));
        using var resumed = BestWeightsTests.SmallModel(seed: 3);
        using var resumedOptimizer = optim.AdamW(resumed.parameters(), lr: 0.01);
        using var resumedBest = new BestWeights(keep: true);
        Assert.Equal(1, TrainingCheckpoint.Load(path, Fingerprint, resumed, resumedOptimizer, resumedBest).CompletedEpochs);
        Assert.Equal(1, TrainingCheckpoint.ReadState(path).CompletedEpochs);
    }

    // One training step on an input drawn from the seed.
    private static void Step(Sequential model, OptimizerHelper optimizer, int seed = 7)
    {
        model.train();
        random.manual_seed(seed);
        using var scope = NewDisposeScope();
        optimizer.zero_grad();
        model.call(randn(2, 1, 6, 6)).square().mean().backward();
        optimizer.step();
    }

    private static float[] TakeRandom()
    {
        using var scope = NewDisposeScope();
        return rand(8).data<float>().ToArray();
    }

    private static void AssertSame(System.Collections.Generic.Dictionary<string, double[]> expected, System.Collections.Generic.Dictionary<string, double[]> actual)
    {
        Assert.Equal(expected.Keys.OrderBy(k => k, StringComparer.Ordinal), actual.Keys.OrderBy(k => k, StringComparer.Ordinal));
        foreach (var (name, values) in expected)
        {
            Assert.True(values.SequenceEqual(actual[name]), $"{name} differs");
        }
    }
}
