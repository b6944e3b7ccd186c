using System;
using System.Diagnostics;
using System.IO;
using MLNetTransfer.Torch.Metrics;
using MLNetTransfer.Torch.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetTransfer.Torch.FineTuning;

/// <summary>
/// One training run: sets up its parts in the order the seed needs, then runs the epochs. Each epoch unfreezes its
/// stages, trains (<see cref="EpochTrainer"/>), validates (<see cref="Validation"/>), keeps the weights of a new best
/// epoch (<see cref="BestWeights"/>), writes a checkpoint and decides on early stopping (<see cref="BestEpoch"/>); at
/// the end the best weights are restored. Owns the optimizer, the loaders and the cached features for its lifetime.
/// </summary>
internal sealed class FineTuneRun : IDisposable
{
    private readonly ResNet _model;
    private readonly FineTuneData _train;
    private readonly FineTuneData? _validationData;
    private readonly FineTuneOptions _options;
    private readonly FreezeStrategy _strategy;
    private readonly FreezePlan _plan;
    private readonly ScheduledOptimizer _optimizer;
    private readonly TrainingImages _images;
    private readonly EpochTrainer _epochs;
    private readonly Validation? _validation;
    private readonly BestWeights _best;
    private FeatureCache? _features;

    public FineTuneRun(ResNet model, FineTuneData train, FineTuneData? validation, FineTuneOptions options, FreezeStrategy strategy)
    {
        _model = model;
        _train = train;
        _validationData = validation;
        _options = options;
        _strategy = strategy;
        var device = options.Device ?? CPU;

        // The loss first: it checks the class and positive weights, and nothing of the caller's model may have
        // changed when an option is refused.
        var loss = new TaskLoss(train, options, device);

        // The seed, then everything that draws from torch's generator in this order (re-initialised weights, the new
        // head), so that the same seed gives the same weights.
        random.manual_seed(options.Seed);
        if (strategy.Kind == FreezeStrategyKind.FromScratch)
        {
            // The baseline: same layout, random weights, so that scratch and pretrained runs compare like for like.
            model.ResetParameters();
            options.Log?.Invoke("From scratch: weights re-initialised (torchvision's initialisation).");
        }

        if (model.HasFoldedBatchNorm)
        {
            options.Log?.Invoke("The weights come from a graph with BatchNorm folded into the convs: every BatchNorm stays in eval mode (its statistics are lost), whatever the strategy.");
        }

        // To the device before the plan collects parameters: TorchSharp's Module.to replaces every Parameter object
        // when the device changes, and the optimizer must hold the ones the model uses.
        model.to(device);
        _plan = new FreezePlan(model, strategy, train.Outputs, options.BatchNormMode, options.LearningRate,
            options.BackboneLearningRateRatio, options.WeightDecay);

        int stepsPerEpoch = EpochTrainer.StepsFor(train.Count, options.BatchSize);
        var schedule = new LearningRateSchedule((long)stepsPerEpoch * options.Epochs, (long)Math.Round(options.WarmupEpochs * stepsPerEpoch));
        _optimizer = new ScheduledOptimizer(model, _plan, schedule);
        _images = new TrainingImages(model, train, validation, options, device);
        _epochs = new EpochTrainer(model, train, options, _images, loss, _optimizer);
        _validation = validation is null ? null : new Validation(model, validation, options, _images, loss);
        // A copy is kept only when something reads it: the restore at the end, or the checkpoint (a resumed run may restore).
        _best = new BestWeights(keep: options.RestoreBestWeights || options.CheckpointDirectory is not null);
    }

    /// <summary>Runs the epochs (or what a checkpoint leaves of them) and returns what happened.</summary>
    /// <param name="strategyReason">Why Auto chose the strategy, for the result; null when it was given.</param>
    public FineTuneResult Execute(string? strategyReason)
    {
        string fingerprint = RunFingerprint.Of(_model, _train, _validationData, _options, _strategy);
        var state = new CheckpointState { RunFingerprint = fingerprint };
        string? checkpointPath = _options.CheckpointDirectory is null ? null : TrainingCheckpoint.PathIn(_options.CheckpointDirectory);
        if (_options.Resume && checkpointPath is not null)
        {
            // Starting afresh when asked to resume would silently redo the epochs the stopped run had done, and then
            // overwrite its checkpoint: a wrong folder is refused instead.
            if (!File.Exists(checkpointPath))
            {
                throw new FileNotFoundException(
                    $"Resume: the checkpoint folder '{Path.GetFullPath(_options.CheckpointDirectory!)}' (CheckpointDirectory) holds no checkpoint " +
                    $"('{TrainingCheckpoint.FileName}'), so there is nothing to resume. Point CheckpointDirectory at the stopped run's folder, or set Resume to false to start afresh.",
                    checkpointPath);
            }


            state = TrainingCheckpoint.Load(checkpointPath, fingerprint, _model, _optimizer.Optimizer, _best);
            _options.Log?.Invoke($"Resumed from '{checkpointPath}' after epoch {state.CompletedEpochs} of {_options.Epochs}.");
        }

        bool useCache = FeatureCache.Applies(_options, _strategy);
        if (useCache)
        {
            var cacheWatch = Stopwatch.StartNew();
            _plan.Activate(0);
            _features = FeatureCache.Compute(_model, _images, _options);
            // The cache is part of the training cost; count it once (a resumed run recomputes it and counts again).
            state.TrainSeconds += cacheWatch.Elapsed.TotalSeconds;
        }

        for (int epoch = state.CompletedEpochs + 1; epoch <= _options.Epochs && !state.StoppedEarly; epoch++)
        {
            RunEpoch(epoch, state);
        }

        int finalEpoch = RestoreBest(state);
        // The restored model's validation logits, for the calibration and the operating threshold fitted above the engine.
        var logits = _validation?.Logits(_features?.Validation);
        _model.eval();
        return new FineTuneResult(_strategy, strategyReason, _plan.TrainableParameterCount, state.History, finalEpoch, state.StoppedEarly, useCache,
            state.TrainSeconds, state.ImagesSeen / Math.Max(state.TrainSeconds, 1e-9))
        {
            ValidationLogits = logits,
        };
    }

    private void RunEpoch(int epoch, CheckpointState state)
    {
        var watch = Stopwatch.StartNew();
        _plan.Activate(UnfreezingSchedule.ActiveStages(epoch, _options.HeadOnlyEpochs, _options.GradualUnfreezing, _plan.TrainableStages));
        var (trainLoss, images) = _epochs.Run(epoch, state, _features);
        // Before validation, the record and the checkpoint of this epoch: the checkpoint on disk stays the last good epoch's.
        DivergenceGuard.CheckEpoch(state, epoch, trainLoss, _options.CheckpointDirectory);
        double trainSeconds = watch.Elapsed.TotalSeconds;
        var (validationLoss, metrics) = _validation is null ? (double.NaN, (ClassificationMetrics?)null) : _validation.Run(epoch, _features?.Validation);
        state.TrainSeconds += trainSeconds;
        state.ImagesSeen += images;

        if (metrics is not null)
        {
            BestEpoch.RequireDefined(_options.BestModelMetric, metrics);
        }

        bool isBest = BestEpoch.Record(state, epoch, BestEpoch.Score(_options.BestModelMetric, validationLoss, metrics), _options.EarlyStoppingMinDelta);
        if (isBest)
        {
            _best.Capture(_model);
        }

        var epochMetrics = new EpochMetrics(epoch, trainLoss, validationLoss, metrics?.Accuracy ?? double.NaN, metrics?.Auc ?? double.NaN,
            metrics?.PerClassAuc ?? Array.Empty<double>(), metrics?.UndefinedAucCount ?? 0, _plan.ActiveParameterCount,
            _optimizer.HeadLearningRate, images / Math.Max(trainSeconds, 1e-9), watch.Elapsed.TotalSeconds, isBest);
        state.History.Add(epochMetrics);
        state.CompletedEpochs = epoch;
        // Decided before the checkpoint is written, so that a run resumed from it stops here too.
        state.StoppedEarly = BestEpoch.StopsEarly(state, epoch, _options.EarlyStoppingPatience, _options.Epochs, hasValidation: _validation is not null);
        if (_options.CheckpointDirectory is not null)
        {
            TrainingCheckpoint.Save(_options.CheckpointDirectory, state, _model, _optimizer.Optimizer, _best);
        }

        _options.MetricsCallback?.Invoke(epochMetrics);
        if (state.StoppedEarly)
        {
            _options.Log?.Invoke($"Early stopping after epoch {epoch}: no improvement of the {_options.BestModelMetric} for {_options.EarlyStoppingPatience} epoch(s); best epoch {state.BestEpoch}.");
        }
    }

    // Puts the best epoch's weights back when asked to and they are not the last epoch's; returns the epoch the model holds.
    private int RestoreBest(CheckpointState state)
    {
        if (_validation is null || !_options.RestoreBestWeights || state.BestEpoch == 0)
        {
            return state.CompletedEpochs;
        }

        if (_best.HasValue && state.BestEpoch != state.CompletedEpochs)
        {
            _best.Restore(_model);
            _options.Log?.Invoke($"Restored the weights of epoch {state.BestEpoch}, the best by {_options.BestModelMetric}.");
        }

        return state.BestEpoch;
    }

    public void Dispose()
    {
        _images.Dispose();
        _optimizer.Dispose();
        _best.Dispose();
        _features?.Dispose();
    }
}
