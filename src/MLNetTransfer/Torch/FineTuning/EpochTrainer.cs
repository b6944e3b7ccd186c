using System;
using System.Linq;
using MLNetTransfer.Torch.Data;
using MLNetTransfer.Torch.Losses;
using MLNetTransfer.Torch.Modules;
using static TorchSharp.torch;

namespace MLNetTransfer.Torch.FineTuning;

/// <summary>
/// One training epoch: the steps over the shuffled training set, each forward, loss, backward, gradient clipping and a
/// scheduled AdamW step inside its own dispose scope (docs/design.md, "Training loop").
/// </summary>
/// <remarks>
/// This is the hot path. Each step reads the loss and its batch's largest logit magnitude to the host together, once
/// (the divergence checks of <see cref="DivergenceGuard"/> need both there), and allocates nothing that outlives its
/// scope, so the count of live tensors is the same after every epoch; the batches come from the loader's worker
/// threads, or from the feature cache when the backbone is constant.
/// </remarks>
internal sealed class EpochTrainer
{
    private readonly ResNet _model;
    private readonly FineTuneData _train;
    private readonly FineTuneOptions _options;
    private readonly TrainingImages _images;
    private readonly TaskLoss _loss;
    private readonly ScheduledOptimizer _optimizer;

    public EpochTrainer(ResNet model, FineTuneData train, FineTuneOptions options, TrainingImages images, TaskLoss loss, ScheduledOptimizer optimizer)
    {
        _model = model;
        _train = train;
        _options = options;
        _images = images;
        _loss = loss;
        _optimizer = optimizer;
        StepsPerEpoch = StepsFor(train.Count, options.BatchSize);
    }

    /// <summary>Optimizer steps in an epoch.</summary>
    public int StepsPerEpoch { get; }

    /// <summary>
    /// The steps in an epoch of <paramref name="images"/>: an incomplete last batch is dropped, as fastai's training
    /// loader does (a batch of one breaks BatchNorm in train mode, and tiny batches give noisy steps), but there is
    /// always one step.
    /// </summary>
    public static int StepsFor(int images, int batchSize) => Math.Max(1, images / batchSize);

    /// <summary>Trains one epoch; the plan's stages for it are already active.</summary>
    /// <param name="epoch">The epoch (1-based): it seeds the data order and the augmentation.</param>
    /// <param name="state">Its <see cref="CheckpointState.GlobalStep"/> drives the schedule and counts the steps taken.</param>
    /// <param name="features">The cached backbone features of the training set, or null to run the whole model on images.</param>
    /// <returns>The mean training loss (NaN if no step ran) and the images trained on.</returns>
    /// <exception cref="TrainingDivergedException">The loss became NaN or infinite, or a logit too large (names epoch and step).</exception>
    /// <exception cref="OperationCanceledException">Cancelled between steps.</exception>
    public (double Loss, long Images) Run(int epoch, CheckpointState state, FeatureCache? features)
    {
        _model.train();
        var order = BatchLoader.ShuffledOrder(_train.Count, _options.Seed, epoch);
        if (_train.Count >= _options.BatchSize)
        {
            // Drop the incomplete last batch (see StepsFor) before the loader decodes it.
            order = order[..(StepsPerEpoch * _options.BatchSize)];
        }

        var progress = new StepProgressReporter(_options.StepCallback, epoch, StepsPerEpoch, (long)StepsPerEpoch * _options.Epochs,
            () => _optimizer.HeadLearningRate);
        double lossSum = 0;
        long images = 0;
        int step = 0;
        var trainable = _model.parameters().Where(p => p.requires_grad).ToList();
        using var loaderBatches = features is null
            ? _images.Train.GetBatches(order, epoch, train: true, _options.CancellationToken).GetEnumerator()
            : null;
        var featureBatches = features is null ? null : order.Chunk(_options.BatchSize).GetEnumerator();
        while (step < StepsPerEpoch)
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
                logits = _model.call(_images.Pixels(batch));
            }
            else
            {
                if (!featureBatches!.MoveNext())
                {
                    break;
                }

                indices = featureBatches.Current;
                logits = _model.Head.call(features!.TrainBatch(indices, epoch));
            }

            var loss = _loss.Compute(logits, _train, indices);
            var (value, maxLogit) = LossGuard.ReadWithMaxLogit(loss, logits);
            DivergenceGuard.CheckStep(value, maxLogit, epoch, step + 1, lastGoodEpoch: state.CompletedEpochs, _options.CheckpointDirectory);
            _optimizer.ZeroGrad();
            loss.backward();
            nn.utils.clip_grad_norm_(trainable, _options.MaxGradientNorm);
            _optimizer.Step(state.GlobalStep);
            state.GlobalStep++;
            step++;
            lossSum += value * indices.Length;
            images += indices.Length;
            progress.Step(step, value, images, state.GlobalStep);
        }

        return (images == 0 ? double.NaN : lossSum / images, images);
    }
}
