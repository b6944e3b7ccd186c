using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace MLNetTransfer;

/// <summary>Reported after every optimizer step.</summary>
/// <param name="Epoch">1-based epoch.</param>
/// <param name="Step">1-based step within the epoch.</param>
/// <param name="StepsPerEpoch">Steps in an epoch.</param>
/// <param name="Loss">This step's training loss.</param>
/// <param name="LearningRate">The head's learning rate at this step.</param>
/// <param name="ImagesPerSecond">Training throughput of this epoch so far.</param>
/// <param name="Eta">Estimated time left in the whole run.</param>
public sealed record StepProgress(int Epoch, int Step, int StepsPerEpoch, double Loss, double LearningRate, double ImagesPerSecond, TimeSpan Eta);

/// <summary>What one epoch gave; the metrics are on the validation set.</summary>
/// <param name="Epoch">1-based epoch.</param>
/// <param name="TrainLoss">Mean training loss.</param>
/// <param name="ValidationLoss">Mean validation loss (NaN without a validation set).</param>
/// <param name="ValidationAccuracy">Validation accuracy.</param>
/// <param name="ValidationAuc">ROC AUC: binary = positive class, multiclass = macro one-vs-rest, multi-label = macro over labels (NaN when undefined).</param>
/// <param name="PerClassAuc">Per class (multiclass) or per label (multi-label); NaN where a class has one value only.</param>
/// <param name="UndefinedAucCount">Classes or labels whose AUC is undefined (one class only in validation).</param>
/// <param name="ActiveParameters">Parameters that trained in this epoch.</param>
/// <param name="LearningRate">The head's learning rate at the end of the epoch.</param>
/// <param name="ImagesPerSecond">Training throughput.</param>
/// <param name="Seconds">Wall time of the epoch, validation included.</param>
/// <param name="IsBest">This epoch is the best so far by the chosen metric.</param>
public sealed record EpochMetrics(
    int Epoch,
    double TrainLoss,
    double ValidationLoss,
    double ValidationAccuracy,
    double ValidationAuc,
    IReadOnlyList<double> PerClassAuc,
    int UndefinedAucCount,
    long ActiveParameters,
    double LearningRate,
    double ImagesPerSecond,
    double Seconds,
    bool IsBest)
{
    /// <summary>The members as the compiler's record text writes them, with the per-class AUCs listed (not their list type).</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"EpochMetrics {{ Epoch = {Epoch}, TrainLoss = {TrainLoss}, ValidationLoss = {ValidationLoss}, ValidationAccuracy = {ValidationAccuracy}, " +
        $"ValidationAuc = {ValidationAuc}, PerClassAuc = [{string.Join(", ", PerClassAuc.Select(a => a.ToString(CultureInfo.InvariantCulture)))}], " +
        $"UndefinedAucCount = {UndefinedAucCount}, ActiveParameters = {ActiveParameters}, LearningRate = {LearningRate}, " +
        $"ImagesPerSecond = {ImagesPerSecond}, Seconds = {Seconds}, IsBest = {IsBest} }}");
}

/// <summary>The outcome of a fine-tuning run (<see cref="ResNetFineTuneTransformer.TrainingResult"/>).</summary>
/// <param name="Strategy">The strategy used (Auto resolved).</param>
/// <param name="StrategyReason">Why Auto chose it; null when the strategy was given.</param>
/// <param name="TrainableParameters">Parameters the strategy trains (once everything planned is unfrozen).</param>
/// <param name="Epochs">Per-epoch metrics, in order.</param>
/// <param name="BestEpoch">The epoch whose weights the model holds now (1-based).</param>
/// <param name="StoppedEarly">Early stopping ended the run.</param>
/// <param name="UsedFeatureCache">Backbone features were computed once and the head trained on them.</param>
/// <param name="TrainSeconds">Total wall time.</param>
/// <param name="ImagesPerSecond">Training images per second over the run (validation excluded).</param>
public sealed record FineTuneResult(
    FreezeStrategy Strategy,
    string? StrategyReason,
    long TrainableParameters,
    IReadOnlyList<EpochMetrics> Epochs,
    int BestEpoch,
    bool StoppedEarly,
    bool UsedFeatureCache,
    double TrainSeconds,
    double ImagesPerSecond)
{
    /// <summary>The members as the compiler's record text writes them, with the epochs listed (not their list type).</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"FineTuneResult {{ Strategy = {Strategy}, StrategyReason = {StrategyReason}, TrainableParameters = {TrainableParameters}, " +
        $"Epochs = [{string.Join(", ", Epochs)}], BestEpoch = {BestEpoch}, StoppedEarly = {StoppedEarly}, UsedFeatureCache = {UsedFeatureCache}, " +
        $"TrainSeconds = {TrainSeconds}, ImagesPerSecond = {ImagesPerSecond} }}");

    /// <summary>The final model's logits on the validation set (null without one), for calibration.</summary>
    internal MLNetTransfer.Torch.FineTuning.ValidationLogits? ValidationLogits { get; init; }
}
