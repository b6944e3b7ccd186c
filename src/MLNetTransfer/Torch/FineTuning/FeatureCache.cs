using System;
using System.Globalization;
using System.Linq;
using System.Threading;
using MLNetTransfer.Torch.Data;
using MLNetTransfer.Torch.Modules;
using static TorchSharp.torch;

namespace MLNetTransfer.Torch.FineTuning;

/// <summary>
/// The frozen backbone's features of K augmented views of every training image and of every validation image,
/// computed once, so that the epochs train the head alone: worth it whenever the backbone's output cannot change
/// between epochs, which feature extraction with frozen BatchNorm guarantees.
/// </summary>
/// <remarks>
/// Random augmentation would make every epoch's images new, so a cache of one view per image would train the head
/// without augmentation. K views keep most of it for K backbone passes instead of one per epoch: view v of image i
/// is the training transform with the randomness of (seed, -1 - v, i, i) (<see cref="BatchLoader"/>'s per-sample
/// seed with a negative epoch, which no training epoch has), so the views are the same in every run with the same seed
/// and a resumed run recomputes exactly the cache it had. Each epoch then draws one view per image, from (seed, epoch,
/// image), so it still sees every image once. With one view, or no random augmentation (all views would be equal), the
/// one view is the evaluation transform (resize and centre crop), as for validation.
/// Precomputing a frozen base's features once is the fast way of feature extraction, which gives up augmentation
/// (Chollet, "Deep Learning with Python", 2nd ed., section 8.3.1); the K views keep some of it for K passes.
/// </remarks>
internal sealed class FeatureCache : IDisposable
{
    private readonly int _seed;
    private readonly Device _device;

    private FeatureCache(Tensor train, int views, int count, Tensor? validation, int seed, Device device)
    {
        Train = train;
        Views = views;
        Count = count;
        Validation = validation;
        _seed = seed;
        _device = device;
    }

    /// <summary><c>[views × training images, features]</c> on the device: view v of image i is row v × <see cref="Count"/> + i.</summary>
    public Tensor Train { get; }

    /// <summary>Views per training image.</summary>
    public int Views { get; }

    /// <summary>Training images.</summary>
    public int Count { get; }

    /// <summary><c>[validation images, features]</c>; null without a validation set.</summary>
    public Tensor? Validation { get; }

    /// <summary>
    /// Whether the run may cache: feature extraction with BatchNorm frozen, so that nothing before the head changes
    /// while training; <see cref="FineTuneOptions.CacheFeatures"/> false turns it off (null and true leave it on).
    /// </summary>
    public static bool Applies(FineTuneOptions options, FreezeStrategy strategy) =>
        options.CacheFeatures != false && strategy.Kind == FreezeStrategyKind.FeatureExtraction
        && options.BatchNormMode == BatchNormMode.Frozen;

    /// <summary>The views computed per training image: <see cref="FineTuneOptions.FeatureCacheViews"/>, or 1 without random augmentation.</summary>
    public static int ViewsFor(FineTuneOptions options) => options.Augmentation.IsRandom ? options.FeatureCacheViews : 1;

    /// <summary>
    /// Runs the backbone over the views of the training images and over the validation images, in eval mode, without
    /// gradients, and logs the cache's size once. The caller has frozen everything but the head.
    /// </summary>
    public static FeatureCache Compute(ResNet model, TrainingImages images, FineTuneOptions options)
    {
        int views = ViewsFor(options);
        int count = images.Train.Count;
        int validationCount = images.Validation?.Count ?? 0;
        double mib = ((double)views * count + validationCount) * model.FeatureCount * sizeof(float) / (1024.0 * 1024.0);
        options.Log?.Invoke(string.Create(CultureInfo.InvariantCulture,
            $"Feature cache: {views} view(s) of each of {count} training images ({(views > 1 ? "random augmentation" : "resize and centre crop")}) and {validationCount} validation images, " +
            $"{model.FeatureCount} features each: {mib:F1} MiB on {images.Device}."));

        Tensor? train = null, validation = null;
        try
        {
            train = zeros((long)views * count, model.FeatureCount, device: images.Device);
            for (int v = 0; v < views; v++)
            {
                using var rows = train.narrow(0, (long)v * count, count);
                Fill(rows, model, images, images.Train, epoch: -1 - v, train: views > 1, options.CancellationToken);
            }

            if (images.Validation is not null)
            {
                validation = zeros(validationCount, model.FeatureCount, device: images.Device);
                Fill(validation, model, images, images.Validation, epoch: 0, train: false, options.CancellationToken);
            }

            return new FeatureCache(train, views, count, validation, options.Seed, images.Device);
        }
        catch
        {
            train?.Dispose();
            validation?.Dispose();
            throw;
        }
    }

    /// <summary>The view each training image shows in <paramref name="epoch"/>: drawn from (seed, epoch, image), uniform over the views.</summary>
    public static int ViewOf(int seed, int epoch, int image, int views) =>
        views == 1 ? 0 : new Random(SampleSeed.Mix(seed, epoch, -2, image)).Next(views);

    /// <summary>The cached features of <paramref name="indices"/> in <paramref name="epoch"/>, one row each, in their order.</summary>
    public Tensor TrainBatch(int[] indices, int epoch)
    {
        var rows = new long[indices.Length];
        for (int r = 0; r < indices.Length; r++)
        {
            rows[r] = (long)ViewOf(_seed, epoch, indices[r], Views) * Count + indices[r];
        }

        using var index = tensor(rows, device: _device);
        return Train.index_select(0, index);
    }

    public void Dispose()
    {
        Train.Dispose();
        Validation?.Dispose();
    }

    private static void Fill(Tensor features, ResNet model, TrainingImages images, BatchLoader loader, int epoch, bool train, CancellationToken cancellationToken)
    {
        model.eval();
        using var _ = no_grad();
        var order = Enumerable.Range(0, loader.Count).ToArray();
        foreach (var batch in loader.GetBatches(order, epoch, train, cancellationToken))
        {
            using var scope = NewDisposeScope();
            var f = model.ForwardFeatures(images.Pixels(batch));
            features.index_copy_(0, images.Rows(batch.Indices), f);
        }
    }
}
