using System;
using System.IO;
using MLNetTransfer.Torch.Losses;
using MLNetTransfer.Torch.Modules;
using TorchSharp;

namespace MLNetTransfer.Torch.FineTuning;

/// <summary>
/// Fine-tunes a ResNet: the strategy's freezing and head, AdamW with parameter groups (no weight decay on BatchNorm
/// and biases), linear warmup then cosine, gradient clipping, validation loss / accuracy / ROC AUC each epoch, the best
/// epoch restored, early stopping, a checkpoint per epoch and resume, cancellation, a dispose scope around every step.
/// Why each is so: docs/design.md, "Training loop", "Freezing and BatchNorm" and "Checkpoints and resume". The run's
/// parts, each in its own file: <see cref="FineTuneRun"/> (the epochs), <see cref="EpochTrainer"/> (the steps),
/// <see cref="Validation"/>, <see cref="FeatureCache"/>, <see cref="BestEpoch"/> and <see cref="BestWeights"/>,
/// <see cref="TrainingCheckpoint"/> with <see cref="RunFingerprint"/>, <see cref="ScheduledOptimizer"/> with
/// <see cref="LearningRateSchedule"/> and <see cref="UnfreezingSchedule"/>, <see cref="StepProgressReporter"/>.
/// </summary>
internal static class FineTuneTrainer
{
    /// <summary>
    /// Trains <paramref name="model"/> in place and returns what happened. The model's head is replaced to fit the
    /// task; with a validation set and <see cref="FineTuneOptions.RestoreBestWeights"/> it ends with the best epoch's
    /// weights, otherwise with the last epoch's.
    /// </summary>
    /// <exception cref="ArgumentException">Options, data or labels are invalid (named).</exception>
    /// <exception cref="InvalidOperationException">Only one class in the training labels.</exception>
    /// <exception cref="TrainingDivergedException">Training diverged (names the epoch); the last good epoch's checkpoint stays.</exception>
    /// <exception cref="InvalidDataException">An image or the checkpoint cannot be read (named).</exception>
    /// <exception cref="OperationCanceledException">Cancelled; the last epoch's checkpoint stays.</exception>
    public static FineTuneResult Train(ResNet model, FineTuneData train, FineTuneData? validation, FineTuneOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        CheckData(train, validation);

        var (strategy, reason) = Resolve(options.Strategy, train.Count);
        if (reason is not null)
        {
            options.Log?.Invoke($"Auto strategy: {strategy}. {reason}");
        }

        bool onCpu = options.Device is null || options.Device.type == DeviceType.CPU;
        using var memory = options.ReuseNativeMemory && onCpu ? NativeMemoryReuse.Lease() : null;
        using var run = new FineTuneRun(model, train, validation, options, strategy);
        return run.Execute(reason);
    }

    private static (FreezeStrategy Strategy, string? Reason) Resolve(FreezeStrategy strategy, int trainingImages)
    {
        if (strategy.Kind != FreezeStrategyKind.Auto)
        {
            return (strategy, null);
        }

        var decision = AutoStrategy.Choose(trainingImages, strategy.Similarity);
        return (decision.Strategy, decision.Reason);
    }

    private static void CheckData(FineTuneData train, FineTuneData? validation)
    {
        if (train.Count == 0)
        {
            throw new ArgumentException("The training set is empty.", nameof(train));
        }

        if (train.Task != TaskKind.MultiLabel)
        {
            LabelChecks.RequireAtLeastTwoClasses(train.Labels!, train.Outputs, "The training set");
        }

        if (validation is not null && validation.Count == 0)
        {
            throw new ArgumentException("The validation set is empty; pass none, or some images.", nameof(validation));
        }

        if (validation is not null && (validation.Task != train.Task || validation.Outputs != train.Outputs))
        {
            throw new ArgumentException(
                $"The validation set is {validation.Task} with {validation.Outputs} outputs, the training set {train.Task} with {train.Outputs}.", nameof(validation));
        }
    }
}
