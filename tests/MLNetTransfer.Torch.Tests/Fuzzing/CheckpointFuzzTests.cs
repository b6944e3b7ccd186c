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
