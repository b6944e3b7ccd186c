using System;
using System.Linq;
using MLNetTransfer.Torch.Data;
using MLNetTransfer.Torch.Modules;
using static TorchSharp.torch;

namespace MLNetTransfer.Torch.FineTuning;

/// <summary>
/// The run's images as the model takes them: a loader for the training set (its augmentation) and one for the
/// validation set (resize and centre crop only), sharing one image cache budget, and the model's input normalisation
/// on the device.
/// </summary>
internal sealed class TrainingImages : IDisposable
{
    private readonly Device _device;
    private readonly Tensor _mean;
    private readonly Tensor _std;

    public TrainingImages(ResNet model, FineTuneData train, FineTuneData? validation, FineTuneOptions options, Device device)
    {
        _device = device;
        var norm = model.Normalization;
        _mean = tensor(norm.Mean, new long[] { 1, norm.Channels, 1, 1 }, device: device);
        _std = tensor(norm.Std, new long[] { 1, norm.Channels, 1, 1 }, device: device);

        // One image cache budget for the run, split by image count (every image costs the same at ResizeTo).
        long trainCache = validation is null ? options.ImageCacheBytes
            : (long)(options.ImageCacheBytes * ((double)train.Count / (train.Count + validation.Count)));
        Train = new BatchLoader(train.Images, LoaderOptions(model, options, options.Augmentation, trainCache));
        var eval = AugmentationOptions.EvalOnly(options.Augmentation.ResizeTo, options.Augmentation.CropSize);
        Validation = validation is null ? null : new BatchLoader(validation.Images, LoaderOptions(model, options, eval, options.ImageCacheBytes - trainCache));
    }

    /// <summary>The training images, augmented.</summary>
    public BatchLoader Train { get; }

    /// <summary>The validation images, resized and centre-cropped; null without a validation set.</summary>
    public BatchLoader? Validation { get; }

    /// <summary>Where the model trains.</summary>
    public Device Device => _device;

    /// <summary>The batch's pixels on the device, normalised in place as the model expects.</summary>
    public Tensor Pixels(ImageBatch batch) => tensor(batch.Data, batch.Shape, device: _device).sub_(_mean).div_(_std);

    /// <summary>Row indices as an int64 tensor on the device (for index_select and index_copy_).</summary>
    public Tensor Rows(int[] indices) => tensor(indices.Select(i => (long)i).ToArray(), device: _device);

    public void Dispose()
    {
        Train.Dispose();
        Validation?.Dispose();
        _mean.Dispose();
        _std.Dispose();
    }

    private static BatchLoaderOptions LoaderOptions(ResNet model, FineTuneOptions options, AugmentationOptions augmentation, long cacheBytes) => new()
    {
        BatchSize = options.BatchSize,
        Channels = (int)model.InChannels,
        Augmentation = augmentation,
        Seed = options.Seed,
        WorkerCount = options.WorkerCount,
        CacheBytes = cacheBytes,
    };
}
