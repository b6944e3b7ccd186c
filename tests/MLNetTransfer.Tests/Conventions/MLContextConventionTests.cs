using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Runtime;
using Xunit;

namespace MLNetTransfer.Tests.Conventions;

/// <summary>
/// ML.NET's conventions: with <see cref="ResNetFineTuneTrainer.Options.Environment"/> set, the trainer's messages reach
/// <c>MLContext.Log</c> through the environment's channel, and the <c>MLContext</c>'s seed seeds a run whose options give
/// none; progress also arrives through <see cref="IProgress{T}"/>.
/// </summary>
[Collection("NoParallelization")]
public sealed class MLContextConventionTests : IDisposable
{
    private readonly SyntheticFolder _images = new(24, 64, seed: 5);

    public void Dispose() => _images.Dispose();

    [Fact]
    public void The_epoch_lines_and_the_calibration_reach_MLContext_Log_from_the_trainers_host()
    {
        var ml = new MLContext(seed: 1);
        var messages = new List<LoggingEventArgs>();
        ml.Log += (_, e) =>
        {
            lock (messages)
            {
                messages.Add(e);
            }
        };
        var ownLog = new List<string>();
        var options = Options(ml, epochs: 2);
        options.Seed = 3;
        options.Log = ownLog.Add;
        Fit(ml, options);

        var ours = messages.Where(m => m.Source.StartsWith("ResNetFineTune", StringComparison.Ordinal)).ToList();
        Assert.True(ours.Count > 0, "Sources: " + string.Join(" | ", messages.Select(m => m.Source + ": " + m.Message).Take(40)));
        Assert.Contains(ours, m => m.Kind == ChannelMessageKind.Info && m.Message.Contains("Epoch 1/2: train loss", StringComparison.Ordinal));
        Assert.Contains(ours, m => m.Message.Contains("Epoch 2/2: train loss", StringComparison.Ordinal));
        Assert.Contains(ours, m => m.Message.Contains("Calibration on the validation set", StringComparison.Ordinal));
        // The options' own log still gets the engine's and the calibration's lines, and each of them reached the channel too.
        Assert.Contains(ownLog, l => l.StartsWith("Calibration on the validation set", StringComparison.Ordinal));
        Assert.All(ownLog, line => Assert.Contains(ours, m => m.RawMessage == line));
    }

    [Fact]
    public void Progress_receives_every_epoch_as_the_callback_does()
    {
        var ml = new MLContext(seed: 1);
        var fromCallback = new List<EpochMetrics>();
        var fromProgress = new List<EpochMetrics>();
        var options = Options(ml, epochs: 2);
        options.MetricsCallback = fromCallback.Add;
        options.Progress = new SynchronousProgress(fromProgress.Add);
        var result = Fit(ml, options);

        Assert.Equal(new[] { 1, 2 }, fromProgress.Select(e => e.Epoch));
        Assert.Equal(fromCallback, fromProgress);
        Assert.Equal(result.TrainingResult.Epochs, fromProgress);
    }

    [Fact]
    public void The_MLContext_seed_seeds_a_run_whose_options_give_none()
    {
        var first = Losses(new MLContext(seed: 1));
        var again = Losses(new MLContext(seed: 1));
        var other = Losses(new MLContext(seed: 2));
        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
    }

    private double[] Losses(MLContext ml)
    {
        var options = Options(ml, epochs: 1);
        Assert.Null(options.Seed);
        var epoch = Fit(ml, options).TrainingResult.Epochs.Single();
        return new[] { epoch.TrainLoss, epoch.ValidationLoss };
    }

    private static ResNetFineTuneTrainer.Options Options(MLContext ml, int epochs) => new()
    {
        ImageColumnName = nameof(SyntheticFolder.Row.ImagePath),
        Strategy = FreezeStrategy.FeatureExtraction,
        Augmentation = AugmentationOptions.EvalOnly(64, 56),
        Epochs = epochs,
        WarmupEpochs = 0,
        BatchSize = 8,
        Environment = ml,
    };

    private ResNetFineTuneTransformer Fit(MLContext ml, ResNetFineTuneTrainer.Options options)
    {
        var data = ml.Data.LoadFromEnumerable(_images.Rows.Select(r => new SyntheticFolder.Row
        {
            ImagePath = Path.Combine(_images.Root, r.ImagePath),
            Label = r.Label,
            Patient = r.Patient,
        }));
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label").Append(ml.Transforms.FineTuneResNet(options));
        return pipeline.Fit(data).LastTransformer;
    }

    // Progress<T> posts to the thread pool; the test wants the reports in order, on the training thread.
    private sealed class SynchronousProgress(Action<EpochMetrics> report) : IProgress<EpochMetrics>
    {
        public void Report(EpochMetrics value) => report(value);
    }
}
