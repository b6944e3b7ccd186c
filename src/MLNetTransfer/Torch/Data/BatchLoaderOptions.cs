namespace MLNetTransfer.Torch.Data;

/// <summary>Settings of a <see cref="BatchLoader"/>, with documented defaults.</summary>
internal sealed class BatchLoaderOptions
{
    /// <summary>Images per batch. Default 32.</summary>
    public int BatchSize { get; set; } = 32;

    /// <summary>Channels the network takes, 1 or 3; images are converted (RGB to luma, gray replicated). Default 3.</summary>
    public int Channels { get; set; } = 3;

    /// <summary>
    /// Resize, crop and augmentation (docs/design.md, "Augmentation"). Default: <see cref="AugmentationOptions"/>'s
    /// defaults.
    /// </summary>
    public AugmentationOptions Augmentation { get; set; } = new();

    /// <summary>The base seed; with the epoch and the sample's position it seeds each sample's augmentation. Default 1.</summary>
    public int Seed { get; set; } = 1;

    /// <summary>Threads that decode and augment; 0 means <see cref="System.Environment.ProcessorCount"/>. Default 0.</summary>
    public int WorkerCount { get; set; }

    /// <summary>Batches prepared ahead of the one being consumed, at least 1. Default 2.</summary>
    public int PrefetchBatches { get; set; } = 2;

    /// <summary>
    /// Memory, in bytes, for keeping resized images (decoded, reduced to the wanted channels and resized to
    /// <see cref="AugmentationOptions.ResizeTo"/>, as float32) between epochs, so each file is decoded once; images
    /// beyond the budget are decoded again each time. 0 turns the cache off. Default 1 GiB, about 4,000 gray or 1,300
    /// RGB images at 256 x 256.
    /// </summary>
    public long CacheBytes { get; set; } = 1L << 30;
}
