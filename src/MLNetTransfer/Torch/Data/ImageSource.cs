using System;

namespace MLNetTransfer.Torch.Data;

/// <summary>
/// One image for <see cref="BatchLoader"/>: a file, encoded bytes in memory, pixels already decoded, or a loader that
/// makes them when a batch needs them, with the name that errors show.
/// </summary>
internal sealed class ImageSource
{
    private readonly string? _path;
    private readonly byte[]? _encoded;
    private readonly DecodedImage? _image;
    private readonly Func<DecodedImage>? _load;

    private ImageSource(string displayName, string? path, byte[]? encoded, DecodedImage? image, Func<DecodedImage>? load = null)
    {
        DisplayName = displayName;
        _path = path;
        _encoded = encoded;
        _image = image;
        _load = load;
    }

    /// <summary>How errors name this image: the file's path, or the name given.</summary>
    public string DisplayName { get; }

    /// <summary>An image file (PNG or JPEG), read and decoded when a batch needs it.</summary>
    /// <param name="path">The file's path.</param>
    /// <param name="displayName">How errors name the image; the path if null.</param>
    public static ImageSource FromFile(string path, string? displayName = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return new ImageSource(displayName ?? path, path, null, null);
    }

    /// <summary>An encoded image (the bytes of a PNG or JPEG file), decoded when a batch needs it. The bytes are not copied.</summary>
    /// <param name="encoded">The file's bytes.</param>
    /// <param name="displayName">How errors name the image.</param>
    public static ImageSource FromEncoded(byte[] encoded, string displayName)
    {
        ArgumentNullException.ThrowIfNull(encoded);
        ArgumentNullException.ThrowIfNull(displayName);
        return new ImageSource(displayName, null, encoded, null);
    }

    /// <summary>An image already decoded (see <see cref="DecodedImage.FromPixels"/>).</summary>
    /// <param name="image">The pixels.</param>
    /// <param name="displayName">How errors name the image.</param>
    public static ImageSource FromImage(DecodedImage image, string displayName)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(displayName);
        return new ImageSource(displayName, null, null, image);
    }

    /// <summary>
    /// An image that <paramref name="load"/> decodes when a batch needs it, on the loader's worker threads (so it must be
    /// thread-safe). The layer above the engine uses it to hand over the pixels of its own image pipeline, so that
    /// training sees what scoring will see.
    /// </summary>
    /// <param name="load">Makes the pixels; called again whenever the loader's cache does not hold them.</param>
    /// <param name="displayName">How errors name the image.</param>
    public static ImageSource FromLoader(Func<DecodedImage> load, string displayName)
    {
        ArgumentNullException.ThrowIfNull(load);
        ArgumentNullException.ThrowIfNull(displayName);
        return new ImageSource(displayName, null, null, null, load);
    }

    /// <summary>Decodes the image (or returns it, if already decoded).</summary>
    internal DecodedImage Decode() =>
        _image ?? _load?.Invoke() ?? (_encoded is not null ? ImageDecoder.Decode(_encoded, DisplayName) : ImageDecoder.Decode(_path!, DisplayName));

    /// <inheritdoc/>
    public override string ToString() => DisplayName;
}
