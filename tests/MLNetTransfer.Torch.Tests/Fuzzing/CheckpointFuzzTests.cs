using System;
using System.IO;
using MLNetTransfer.Tests.Shared.Fuzzing;
using MLNetTransfer.Torch.FineTuning;
using MLNetTransfer.Torch.Tests.FineTuning;
using Xunit;
using Xunit.Abstractions;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetTransfer.Torch.Tests.Fuzzing;

/// <summary>
/// <see cref="TrainingCheckpoint.Load"/> on seeded mutations of a checkpoint our engine saved for a small network with
/// an AdamW optimizer and best weights: it restores, or throws what it documents (<see cref="InvalidDataException"/>,
/// or <see cref="InvalidOperationException"/> for another run's fingerprint), naming the file, and leaves no tensor alive.
/// </summary>
[Collection("NoParallelization")]
public sealed class CheckpointFuzzTests : IDisposable
{
    private const string Fingerprint = "fuzz; epochs 2";
    private readonly string _folder = Directory.CreateTempSubdirectory("mlnettransfer-fuzz-ckpt-").FullName;
    private readonly ITestOutputHelper _output;

    public CheckpointFuzzTests(ITestOutputHelper output) => _output = output;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void A_checkpoint_whose_rng_state_is_not_a_valid_mt19937_state_is_refused_instead_of_ending_the_process()
    {
        // Found by the long form of the fuzzer below: libtorch's set_state threw through TorchSharp and
        // terminated the test host. Here the state's 'left' counter (int32 at byte 8 of the state) is set to 0.
        using var model = BestWeightsTests.SmallModel(seed: 1);
        using var optimizer = optim.AdamW(model.parameters(), lr: 0.01);
        using var best = new BestWeights(keep: true);
        string saved = Path.Combine(_folder, "rng");
        TrainingCheckpoint.Save(saved, new CheckpointState { RunFingerprint = Fingerprint, CompletedEpochs = 1 }, model, optimizer, best);
        string path = TrainingCheckpoint.PathIn(saved);
        byte[] bytes = File.ReadAllBytes(path);
        long at = 8 + 4;
        at += 4 + BitConverter.ToInt32(bytes, (int)at); // the state's JSON
        at += 8 + BitConverter.ToInt64(bytes, (int)at); // the model
        at += 8 + BitConverter.ToInt64(bytes, (int)at); // the optimizer
        long rngStart = at + 8;
        BitConverter.GetBytes(0).CopyTo(bytes, rngStart + 8);
        File.WriteAllBytes(path, bytes);

        var e = Assert.Throws<InvalidDataException>(() => TrainingCheckpoint.Load(path, Fingerprint, model, optimizer, best));

        Assert.Contains($"'{path}'", e.Message);
        Assert.Contains("mt19937", e.Message);
    }

    [Fact]
    public void Mutated_checkpoints_load_or_are_invalid_data_naming_the_file()
    {
        using var model = BestWeightsTests.SmallModel(seed: 1);
        using var optimizer = optim.AdamW(model.parameters(), lr: 0.01);
        using var best = new BestWeights(keep: true);
        best.Capture(model);
        var state = new CheckpointState { RunFingerprint = Fingerprint, CompletedEpochs = 1, GlobalStep = 4 };
        string saved = Path.Combine(_folder, "saved");
        TrainingCheckpoint.Save(saved, state, model, optimizer, best);
        byte[] seed = File.ReadAllBytes(TrainingCheckpoint.PathIn(saved));
        Assert.Equal(1, TrainingCheckpoint.Load(TrainingCheckpoint.PathIn(saved), Fingerprint, model, optimizer, best).CompletedEpochs);

        long leaked = 0;
        var report = FuzzHarness.Run("TrainingCheckpoint.Load", 6_000_000, FuzzHarness.Cases(300), _folder, ".mlnt",
            random => (ByteMutator.Mutate(seed, random, out string what), what),
            path =>
            {
                // Counted on the case's own thread: TorchSharp's statistics are per thread.
                long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
                try
                {
                    using var scope = NewDisposeScope();
                    TrainingCheckpoint.Load(path, Fingerprint, model, optimizer, best);
                }
                finally
                {
                    leaked += DisposeScopeManager.Statistics.ThreadTotalLiveCount - before;
                }
            },
            new[] { typeof(InvalidDataException), typeof(InvalidOperationException) },
            TimeSpan.FromSeconds(10));
        _output.WriteLine(report.ToString());
        Assert.True(report.Failures.Count == 0, report.ToString());
        Assert.True(leaked <= 0, $"mutated checkpoints left {leaked} tensors alive");
    }
}
