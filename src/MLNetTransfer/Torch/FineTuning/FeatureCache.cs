using System;
using System.Linq;
using System.Threading;
using MLNetTransfer.Torch.Data;
using MLNetTransfer.Torch.Modules;
using static TorchSharp.torch;

namespace MLNetTransfer.Torch.FineTuning;

/// <summary>
/// The backbone's features of every training and validation image, computed once, so that the epochs train the head
/// alone: worth it when the backbone's output cannot change between epochs.
/// </summary>
internal sealed class FeatureCache : IDisposable
{
    private FeatureCache(Tensor train, Tensor? validation)
    {
        Train = train;
        Validation = validation;
    }

    /// <summary><c>[training images, features]</c> on the device, in the loader's image order.</summary>
    public Tensor Train { get; }

    /// <summary><c>[validation images, features]</c>; null without a validation set.</summary>
    public Tensor? Validation { get; }

    /// <summary>
    /// Whether the run may cache: the backbone is frozen with its BatchNorm frozen, and no random augmentation changes
    /// the images from one epoch to the next; <see cref="FineTuneOptions.CacheFeatures"/> false turns it off.
    /// </summary>
    public static bool Applies(FineTuneOptions options, FreezeStrategy strategy) =>
        options.CacheFeatures != false && strategy.Kind == FreezeStrategyKind.FeatureExtraction
        && options.BatchNormMode == BatchNormMode.Frozen && !options.Augmentation.IsRandom;

    /// <summary>Runs the backbone over both sets in eval mode, without gradients. The caller has frozen everything but the head.</summary>
    public static FeatureCache Compute(ResNet model, TrainingImages images, CancellationToken cancellationToken)
    {
        var train = Features(model, images, images.Train, train: true, cancellationToken);
        var validation = images.Validation is null ? null : Features(model, images, images.Validation, train: false, cancellationToken);
        return new FeatureCache(train, validation);
    }

    public void Dispose()
    {
        Train.Dispose();
        Validation?.Dispose();
    }

    private static Tensor Features(ResNet model, TrainingImages images, BatchLoader loader, bool train, CancellationToken cancellationToken)
    {
        model.eval();
        using var _ = no_grad();
        var features = zeros(loader.Count, model.FeatureCount, device: images.Device);
        var order = Enumerable.Range(0, loader.Count).ToArray();
        foreach (var batch in loader.GetBatches(order, epoch: 1, train, cancellationToken))
        {
            using var scope = NewDisposeScope();
            var f = model.ForwardFeatures(images.Pixels(batch));
            features.index_copy_(0, images.Rows(batch.Indices), f);
        }

        return features;
    }
}
