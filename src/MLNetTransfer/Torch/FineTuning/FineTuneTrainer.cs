using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using MLNetTransfer.Torch.Data;
using MLNetTransfer.Torch.Losses;
using MLNetTransfer.Torch.Metrics;
using MLNetTransfer.Torch.Modules;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNetTransfer.Torch.FineTuning;

/// <summary>
/// Fine-tunes a ResNet: the strategy's freezing and head, AdamW with parameter groups (no weight decay on BatchNorm
/// and biases), linear warmup then cosine, gradient clipping, validation loss / accuracy / ROC AUC each epoch, the best
/// epoch restored, early stopping, a checkpoint per epoch and resume, cancellation, a dispose scope around every step
/// (DESIGN.md decision 7; pitfalls P1, P7, P10, P11).
/// </summary>
internal static class FineTuneTrainer
{
    /// <summary>
    /// Trains <paramref name="model"/> in place and returns what happened. The model's head is replaced to fit the
    /// task; with a validation set and <see cref="FineTuneOptions.RestoreBestWeights"/> it ends with the best epoch's
    /// weights, otherwise with the last epoch's.
    /// </summary>
    /// <exception cref="ArgumentException">Options, data or labels are invalid (named).</exception>
    /// <exception cref="InvalidOperationException">Only one class in the training labels, or the loss became NaN.</exception>
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
        using var run = new Run(model, train, validation, options, strategy);
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

    /// <summary>One training run: owns the optimizer, loaders and loss for its lifetime.</summary>
    private sealed class Run : IDisposable
    {
        private readonly ResNet _model;
        private readonly FineTuneData _train;
        private readonly FineTuneData? _validation;
        private readonly FineTuneOptions _options;
        private readonly FreezeStrategy _strategy;
        private readonly Device _device;
        private readonly FreezePlan _plan;
        private readonly OptimizerHelper _optimizer;
        private readonly List<(AdamW.ParamGroup Group, double PeakRate, bool IsHead)> _groups = new();
        private readonly BatchLoader _trainLoader;
        private readonly BatchLoader? _validationLoader;
        private readonly SingleLabelLoss? _singleLabelLoss;
        private readonly MultiLabelLoss? _multiLabelLoss;
        private readonly int _stepsPerEpoch;
        private readonly LearningRateSchedule _schedule;
        private readonly Tensor _mean;
        private readonly Tensor _std;
        private readonly WeightSnapshot _best = new();
        private Tensor? _trainFeatures;
        private Tensor? _validationFeatures;

        public Run(ResNet model, FineTuneData train, FineTuneData? validation, FineTuneOptions options, FreezeStrategy strategy)
        {
            _model = model;
            _train = train;
            _validation = validation;
            _options = options;
            _strategy = strategy;
            _device = options.Device ?? CPU;

            // The loss first: it checks the class and positive weights, and nothing of the caller's model may have
            // changed when an option is refused.
            if (train.Task == TaskKind.MultiLabel)
            {
                _multiLabelLoss = new MultiLabelLoss(train.Outputs, options.PositiveWeights, options.Uncertainty);
            }
            else
            {
                var weights = options.ClassWeights
                    ?? (options.ClassWeighting == ClassWeighting.Balanced ? ClassWeights.FromFrequencies(train.Labels!, train.Outputs) : null);
                _singleLabelLoss = new SingleLabelLoss(train.Outputs, weights, options.LabelSmoothing);
            }

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
            model.to(_device);
            _plan = new FreezePlan(model, strategy, train.Outputs, options.BatchNormMode, options.LearningRate,
                options.BackboneLearningRateRatio, options.WeightDecay);

            // Every parameter the optimizer gets must be one the model uses now (see the device move above).
            var live = new HashSet<Parameter>(model.parameters(), ReferenceEqualityComparer.Instance);
            if (_plan.Groups.SelectMany(g => g.Parameters).Any(p => !live.Contains(p)))
            {
                throw new InvalidOperationException("The fine-tuning plan holds parameters the model no longer uses (was the model moved after planning?).");
            }

            var paramGroups = _plan.Groups
                .Select(g => new AdamW.ParamGroup(g.Parameters, lr: g.LearningRate, weight_decay: g.WeightDecay))
                .ToList();
            var optimizer = optim.AdamW(paramGroups);
            _optimizer = optimizer;
            for (int i = 0; i < paramGroups.Count; i++)
            {
                _groups.Add((paramGroups[i], _plan.Groups[i].LearningRate, _plan.Groups[i].Name.StartsWith("head", StringComparison.Ordinal)));
            }

            var norm = model.Normalization;
            _mean = tensor(norm.Mean, new long[] { 1, norm.Channels, 1, 1 }, device: _device);
            _std = tensor(norm.Std, new long[] { 1, norm.Channels, 1, 1 }, device: _device);

            // One image cache budget for the run, split by image count (every image costs the same at ResizeTo).
            long trainCache = validation is null ? options.ImageCacheBytes
                : (long)(options.ImageCacheBytes * ((double)train.Count / (train.Count + validation.Count)));
            _trainLoader = new BatchLoader(train.Images, LoaderOptions(options.Augmentation, trainCache));
            var eval = AugmentationOptions.EvalOnly(options.Augmentation.ResizeTo, options.Augmentation.CropSize);
            _validationLoader = validation is null ? null : new BatchLoader(validation.Images, LoaderOptions(eval, options.ImageCacheBytes - trainCache));

            // Drop an incomplete last batch, as fastai's training loader does: a batch of one breaks BatchNorm in train
            // mode, and tiny batches give noisy steps.
            _stepsPerEpoch = Math.Max(1, train.Count / options.BatchSize);
            long totalSteps = (long)_stepsPerEpoch * options.Epochs;
            _schedule = new LearningRateSchedule(totalSteps, (long)Math.Round(options.WarmupEpochs * _stepsPerEpoch));
        }

        private BatchLoaderOptions LoaderOptions(AugmentationOptions augmentation, long cacheBytes) => new()
        {
            BatchSize = _options.BatchSize,
            Channels = (int)_model.InChannels,
            Augmentation = augmentation,
            Seed = _options.Seed,
            WorkerCount = _options.WorkerCount,
            CacheBytes = cacheBytes,
        };

        public FineTuneResult Execute(string? reason)
        {
            var state = new CheckpointState { RunFingerprint = Fingerprint() };
            byte[]? bestWeights = null;
            string? checkpointPath = _options.CheckpointDirectory is null ? null : Path.Combine(_options.CheckpointDirectory, TrainingCheckpoint.FileName);
            if (_options.Resume && checkpointPath is not null && File.Exists(checkpointPath))
            {
                (state, bestWeights) = Resume(checkpointPath);
            }

            bool useCache = _options.CacheFeatures != false && _strategy.Kind == FreezeStrategyKind.FeatureExtraction
                && _options.BatchNormMode == BatchNormMode.Frozen && !_options.Augmentation.IsRandom;
            if (useCache)
            {
                var cacheWatch = Stopwatch.StartNew();
                _plan.Activate(0);
                _trainFeatures = ComputeFeatures(_trainLoader, train: true);
                _validationFeatures = _validationLoader is null ? null : ComputeFeatures(_validationLoader, train: false);
                // The cache is part of the training cost; count it once (a resumed run recomputes it and counts again).
                state.TrainSeconds += cacheWatch.Elapsed.TotalSeconds;
            }

            for (int epoch = state.CompletedEpochs + 1; epoch <= _options.Epochs && !state.StoppedEarly; epoch++)
            {
                var watch = Stopwatch.StartNew();
                int active = ActiveStages(epoch);
                _plan.Activate(active);
                var (trainLoss, images) = TrainEpoch(epoch, state);
                double trainSeconds = watch.Elapsed.TotalSeconds;
                var (validationLoss, metrics) = Validate(epoch);
                state.TrainSeconds += trainSeconds;
                state.ImagesSeen += images;

                if (_validation is not null && _options.BestModelMetric == BestModelMetric.ValidationAuc && double.IsNaN(metrics!.Auc))
                {
                    throw new InvalidOperationException(
                        $"BestModelMetric is ValidationAuc, but the validation AUC is undefined ({metrics.UndefinedAucCount} class(es) or label(s) have one value only in the validation set). Use BestModelMetric.ValidationLoss or a validation set with every class.");
                }

                double score = Score(validationLoss, metrics);
                bool isBest = _validation is not null && !double.IsNaN(score) && score < state.BestScore - _options.EarlyStoppingMinDelta;
                if (isBest)
                {
                    state.BestScore = score;
                    state.BestEpoch = epoch;
                    state.EpochsWithoutImprovement = 0;
                    // In tensors, in place; as bytes only for the checkpoint file (see WeightSnapshot). The in-memory copy
                    // (one model's size) serves only the restore at the end, so none is kept without RestoreBestWeights;
                    // the checkpoint keeps its bytes either way, for a resumed run that restores.
                    if (_options.RestoreBestWeights)
                    {
                        _best.Capture(_model);
                    }

                    bestWeights = _options.CheckpointDirectory is null ? null : Snapshot();
                }
                else
                {
                    state.EpochsWithoutImprovement++;
                }

                var epochMetrics = new EpochMetrics(epoch, trainLoss, validationLoss, metrics?.Accuracy ?? double.NaN, metrics?.Auc ?? double.NaN,
                    metrics?.PerClassAuc ?? Array.Empty<double>(), metrics?.UndefinedAucCount ?? 0, _plan.ActiveParameterCount,
                    HeadRate(), images / Math.Max(trainSeconds, 1e-9), watch.Elapsed.TotalSeconds, isBest);
                state.History.Add(epochMetrics);
                state.CompletedEpochs = epoch;
                // Decided before the checkpoint is written, so that a run resumed from it stops here too.
                state.StoppedEarly = _options.EarlyStoppingPatience is { } patience && _validation is not null
                    && state.EpochsWithoutImprovement >= patience && epoch < _options.Epochs;
                if (_options.CheckpointDirectory is not null)
                {
                    TrainingCheckpoint.Save(_options.CheckpointDirectory, state, _model, _optimizer, bestWeights);
                }

                _options.MetricsCallback?.Invoke(epochMetrics);
                if (state.StoppedEarly)
                {
                    _options.Log?.Invoke($"Early stopping after epoch {epoch}: no improvement of the {_options.BestModelMetric} for {_options.EarlyStoppingPatience} epoch(s); best epoch {state.BestEpoch}.");
                }
            }

            bool stoppedEarly = state.StoppedEarly;

            int finalEpoch = state.CompletedEpochs;
            bool haveBest = _best.HasValue || bestWeights is not null;
            if (_validation is not null && _options.RestoreBestWeights && haveBest && state.BestEpoch != finalEpoch)
            {
                // A best epoch of this process is newer than the one a resumed checkpoint brought (scores only improve).
                if (_best.HasValue)
                {
                    _best.Restore(_model);
                }
                else
                {
                    Restore(bestWeights!);
                }

                finalEpoch = state.BestEpoch;
                _options.Log?.Invoke($"Restored the weights of epoch {state.BestEpoch}, the best by {_options.BestModelMetric}.");
            }
            else if (_validation is not null && _options.RestoreBestWeights && state.BestEpoch > 0)
            {
                finalEpoch = state.BestEpoch;
            }

            _model.eval();
            return new FineTuneResult(_strategy, reason, _plan.TrainableParameterCount, state.History, finalEpoch, stoppedEarly, useCache,
                state.TrainSeconds, state.ImagesSeen / Math.Max(state.TrainSeconds, 1e-9));
        }

        private int ActiveStages(int epoch)
        {
            if (epoch <= _options.HeadOnlyEpochs)
            {
                return 0;
            }

            return _options.GradualUnfreezing ? Math.Min(_plan.TrainableStages, epoch - _options.HeadOnlyEpochs) : _plan.TrainableStages;
        }

        private (double Loss, long Images) TrainEpoch(int epoch, CheckpointState state)
        {
            _model.train();
            var order = BatchLoader.ShuffledOrder(_train.Count, _options.Seed, epoch);
            if (_train.Count >= _options.BatchSize)
            {
                // Drop the incomplete last batch (see the constructor) before the loader decodes it.
                order = order[..(_stepsPerEpoch * _options.BatchSize)];
            }

            var watch = Stopwatch.StartNew();
            double lossSum = 0;
            long images = 0;
            int step = 0;
            var trainable = _model.parameters().Where(p => p.requires_grad).ToList();
            using var loaderBatches = (_trainFeatures is null
                ? _trainLoader.GetBatches(order, epoch, train: true, _options.CancellationToken).GetEnumerator()
                : null);
            var featureBatches = _trainFeatures is null ? null : order.Chunk(_options.BatchSize).GetEnumerator();
            while (step < _stepsPerEpoch)
            {
                _options.CancellationToken.ThrowIfCancellationRequested();
                using var scope = NewDisposeScope();
                Tensor logits;
                int[] indices;
                if (loaderBatches is not null)
                {
                    if (!loaderBatches.MoveNext())
                    {
                        break;
                    }

                    var batch = loaderBatches.Current;
                    indices = batch.Indices;
                    logits = _model.call(Normalize(tensor(batch.Data, batch.Shape, device: _device)));
                }
                else
                {
                    if (!featureBatches!.MoveNext())
                    {
                        break;
                    }

                    indices = featureBatches.Current;
                    logits = _model.Head.call(_trainFeatures!.index_select(0, tensor(indices.Select(i => (long)i).ToArray(), device: _device)));
                }

                var loss = Loss(logits, _train, indices);
                double value = LossGuard.ThrowIfNotFinite(loss, epoch, step + 1);
                _optimizer.zero_grad();
                loss.backward();
                nn.utils.clip_grad_norm_(trainable, _options.MaxGradientNorm);
                double factor = _schedule.Factor(state.GlobalStep);
                foreach (var (group, peak, _) in _groups)
                {
                    group.LearningRate = peak * factor;
                }

                _optimizer.step();
                state.GlobalStep++;
                step++;
                lossSum += value * indices.Length;
                images += indices.Length;

                if (_options.StepCallback is { } onStep)
                {
                    double seconds = watch.Elapsed.TotalSeconds;
                    double perStep = seconds / step;
                    long stepsLeft = (long)_stepsPerEpoch * _options.Epochs - state.GlobalStep;
                    onStep(new StepProgress(epoch, step, _stepsPerEpoch, value, HeadRate(), images / Math.Max(seconds, 1e-9), TimeSpan.FromSeconds(perStep * stepsLeft)));
                }
            }

            return (images == 0 ? double.NaN : lossSum / images, images);
        }

        private (double Loss, ClassificationMetrics? Metrics) Validate(int epoch)
        {
            if (_validation is null)
            {
                return (double.NaN, null);
            }

            _model.eval();
            using var _ = no_grad();
            var probabilities = new float[_validation.Count * _validation.Outputs];
            double lossSum = 0, lossWeight = 0;
            var order = Enumerable.Range(0, _validation.Count).ToArray();
            if (_validationFeatures is not null)
            {
                foreach (var indices in order.Chunk(_options.BatchSize))
                {
                    using var scope = NewDisposeScope();
                    var logits = _model.Head.call(_validationFeatures.index_select(0, tensor(indices.Select(i => (long)i).ToArray(), device: _device)));
                    var (sum, weight) = Collect(logits, indices, probabilities);
                    lossSum += sum;
                    lossWeight += weight;
                }
            }
            else
            {
                foreach (var batch in _validationLoader!.GetBatches(order, epoch: 0, train: false, _options.CancellationToken))
                {
                    using var scope = NewDisposeScope();
                    var logits = _model.call(Normalize(tensor(batch.Data, batch.Shape, device: _device)));
                    var (sum, weight) = Collect(logits, batch.Indices, probabilities);
                    lossSum += sum;
                    lossWeight += weight;
                }
            }

            // Weights that diverged in the last steps show here first; say so, rather than fail inside the AUC.
            if (!double.IsFinite(lossSum))
            {
                throw new InvalidOperationException(
                    $"The validation loss became {lossSum} after epoch {epoch}: the weights diverged. Lower the learning rate (for example by a factor of 10) or use a longer warmup.");
            }

            var metrics = _validation.Task == TaskKind.MultiLabel
                ? MetricsCalculator.ComputeMultiLabel(probabilities, _options.Uncertainty.Apply(_validation.Targets!), _validation.Outputs)
                : MetricsCalculator.Compute(_validation.Task, probabilities, _validation.Outputs, _validation.Labels!);
            // The loss over the whole validation set, as one batch would give it: class weights and missing labels make
            // it a weighted mean, which the batch size must not change. No known target at all gives 0, as a batch does.
            return (lossWeight > 0 ? lossSum / lossWeight : 0, metrics);
        }

        // Adds the batch's probabilities and returns its loss as a sum and the weight the mean divides it by.
        private (double Sum, double Weight) Collect(Tensor logits, int[] indices, float[] probabilities)
        {
            var targets = Targets(_validation!, indices);
            var totals = _validation!.Task == TaskKind.MultiLabel ? _multiLabelLoss!.Totals(logits, targets) : _singleLabelLoss!.Totals(logits, targets);
            var probs = _validation!.Task == TaskKind.MultiLabel ? nn.functional.sigmoid(logits) : nn.functional.softmax(logits, 1);
            var values = probs.cpu().data<float>().ToArray();
            int outputs = _validation.Outputs;
            for (int r = 0; r < indices.Length; r++)
            {
                Array.Copy(values, r * outputs, probabilities, indices[r] * outputs, outputs);
            }

            return totals;
        }

        private Tensor Loss(Tensor logits, FineTuneData data, int[] indices) => data.Task == TaskKind.MultiLabel
            ? _multiLabelLoss!.Compute(logits, Targets(data, indices))
            : _singleLabelLoss!.Compute(logits, Targets(data, indices));

        // The rows' targets: [N, labels] floats for multi-label data, [N] class indices otherwise.
        private Tensor Targets(FineTuneData data, int[] indices)
        {
            if (data.Task == TaskKind.MultiLabel)
            {
                int labels = data.Outputs;
                var targets = new float[indices.Length * labels];
                for (int r = 0; r < indices.Length; r++)
                {
                    Array.Copy(data.Targets!, indices[r] * labels, targets, r * labels, labels);
                }

                return tensor(targets, new long[] { indices.Length, labels }, device: _device);
            }

            return tensor(indices.Select(i => (long)data.Labels![i]).ToArray(), device: _device);
        }

        // Backbone features of every image, once, in eval mode (the backbone is constant: frozen, BatchNorm frozen,
        // no random augmentation), so the epochs train the head alone.
        private Tensor ComputeFeatures(BatchLoader loader, bool train)
        {
            _model.eval();
            using var _ = no_grad();
            var features = zeros(loader.Count, _model.FeatureCount, device: _device);
            var order = Enumerable.Range(0, loader.Count).ToArray();
            foreach (var batch in loader.GetBatches(order, epoch: 1, train, _options.CancellationToken))
            {
                using var scope = NewDisposeScope();
                var f = _model.ForwardFeatures(Normalize(tensor(batch.Data, batch.Shape, device: _device)));
                features.index_copy_(0, tensor(batch.Indices.Select(i => (long)i).ToArray(), device: _device), f);
            }

            return features;
        }

        private Tensor Normalize(Tensor pixels) => pixels.sub_(_mean).div_(_std);

        private double Score(double validationLoss, ClassificationMetrics? metrics) =>
            _options.BestModelMetric == BestModelMetric.ValidationAuc ? -(metrics?.Auc ?? double.NaN) : validationLoss;

        private double HeadRate() => _groups.Where(g => g.IsHead).Select(g => g.Group.LearningRate).DefaultIfEmpty(double.NaN).First();

        private byte[] Snapshot()
        {
            using var buffer = new MemoryStream();
            using (var writer = new BinaryWriter(buffer, System.Text.Encoding.UTF8, leaveOpen: true))
            {
                _model.save(writer);
            }

            return buffer.ToArray();
        }

        private void Restore(byte[] weights)
        {
            using var reader = new BinaryReader(new MemoryStream(weights));
            _model.load(reader);
        }

        private (CheckpointState State, byte[]? Best) Resume(string path)
        {
            var (state, best) = TrainingCheckpoint.Load(path, _model, _optimizer);
            string expected = Fingerprint();
            if (state.RunFingerprint != expected)
            {
                throw new InvalidOperationException(
                    $"Checkpoint '{path}' belongs to another run: it was written with [{state.RunFingerprint}], this run is [{expected}]. Use another checkpoint directory or the same settings.");
            }

            _options.Log?.Invoke($"Resumed from '{path}' after epoch {state.CompletedEpochs} of {_options.Epochs}.");
            return (state, best);
        }

        // The settings a resumed run must share with the run that wrote the checkpoint.
        private string Fingerprint() => string.Join("; ",
            $"strategy {_strategy}", $"layout {_model.Layout.Name}", $"channels {_model.InChannels}", $"task {_train.Task}",
            $"outputs {_train.Outputs}", $"train {_train.Count}", $"validation {_validation?.Count ?? 0}", $"epochs {_options.Epochs}",
            $"batch {_options.BatchSize}", $"seed {_options.Seed}",
            string.Create(CultureInfo.InvariantCulture, $"lr {_options.LearningRate:R}"),
            string.Create(CultureInfo.InvariantCulture, $"warmup {_options.WarmupEpochs:R}"), $"head-only {_options.HeadOnlyEpochs}",
            $"gradual {_options.GradualUnfreezing}", $"bn {_options.BatchNormMode}",
            string.Create(CultureInfo.InvariantCulture, $"backbone ratio {_strategy.BackboneLearningRateRatio ?? _options.BackboneLearningRateRatio:R}"),
            $"stage rates {_strategy.StageRates}",
            string.Create(CultureInfo.InvariantCulture, $"weight decay {_options.WeightDecay:R}, smoothing {_options.LabelSmoothing:R}, clip {_options.MaxGradientNorm:R}"),
            $"class weighting {_options.ClassWeighting} [{string.Join(" ", (_options.ClassWeights ?? Array.Empty<float>()).Select(w => w.ToString("R", CultureInfo.InvariantCulture)))}]",
            $"positive weights [{string.Join(" ", (_options.PositiveWeights ?? Array.Empty<float>()).Select(w => w.ToString("R", CultureInfo.InvariantCulture)))}], uncertainty {_options.Uncertainty}",
            $"augmentation {_options.Augmentation}");

        public void Dispose()
        {
            _trainLoader.Dispose();
            _validationLoader?.Dispose();
            _optimizer.Dispose();
            _best.Dispose();
            _trainFeatures?.Dispose();
            _validationFeatures?.Dispose();
            _mean.Dispose();
            _std.Dispose();
        }
    }
}
