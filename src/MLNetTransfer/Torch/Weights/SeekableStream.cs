using System.IO;

namespace MLNetTransfer.Torch.Weights;

/// <summary>Both weight-file formats jump around the file (zip directory, safetensors offsets): they need a seekable stream.</summary>
internal static class SeekableStream
{
    /// <summary><paramref name="stream"/> itself when it can seek, otherwise an in-memory copy of the rest of it.</summary>
    public static Stream Of(Stream stream)
    {
        if (stream.CanSeek)
        {
            return stream;
        }

        var copy = new MemoryStream();
        stream.CopyTo(copy);
        copy.Position = 0;
        return copy;
    }
}
