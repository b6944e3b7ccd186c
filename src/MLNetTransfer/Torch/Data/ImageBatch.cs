namespace MLNetTransfer.Torch.Data;

/// <summary>
/// A batch of transformed images from <see cref="BatchLoader"/>: <see cref="Count"/> x <see cref="Channels"/> x
/// <see cref="Size"/> x <see cref="Size"/> values in [0, 1], image-major then CHW (a torch tensor <c>[N, C, H, W]</c>),
/// not yet normalised.
/// </summary>
internal sealed class ImageBatch
{
    internal ImageBatch(float[] data, int[] indices, int channels, int size)
    {
        Data = data;
        Indices = indices;
        Channels = channels;
        Size = size;
    }

    /// <summary>The pixels, <c>[Count, Channels, Size, Size]</c> in row-major order; exactly that long. The batch owns it.</summary>
    public float[] Data { get; }

    /// <summary>For each image of the batch, its index in the loader's item list (to look up labels).</summary>
    public int[] Indices { get; }

    /// <summary>The number of images; the last batch of an epoch may be smaller than the batch size.</summary>
    public int Count => Indices.Length;

    /// <summary>1 or 3.</summary>
    public int Channels { get; }

    /// <summary>The side of each square image (the crop size).</summary>
    public int Size { get; }

    /// <summary>The tensor shape <c>[Count, Channels, Size, Size]</c>.</summary>
    public long[] Shape => [Count, Channels, Size, Size];
}
