using System;
using System.IO;
using MLNetTransfer.Torch.Data;

namespace MLNetTransfer.Scoring;

/// <summary>
/// The training side of a full-precision model: each file through <see cref="ImagePixelInput.LoadModelInput"/>, the
/// function that fills the saved model's <see cref="ResNetFineTuneTransformer.PixelsColumnName"/> column at scoring
/// time, then divided by 255 as the graph's first step does (<see cref="ScoringPixelLoader.FromPixels"/>), so the
/// network sees the same floats in training and in scoring.
/// </summary>
internal sealed class ReaderPixelLoader : IModelPixelLoader
{
    private readonly IImagePixelReader _reader;

    public ReaderPixelLoader(IImagePixelReader reader, int size)
    {
        _reader = reader ?? throw new ArgumentNullException(nameof(reader));
        Size = size;
    }

    public int Size { get; }

    public float[] LoadPlanes(string path) => File.Exists(path)
        ? _reader.LoadModelInput(path, Size)
        : throw new FileNotFoundException($"Image file '{path}' does not exist.", path);

    /// <summary>
    /// The reader's own header check. The pixel budget and the smallest side are the reader's to enforce (its header is
    /// its format's), since a DICOM file's size is in its tags, not where the PNG/JPEG gate looks.
    /// </summary>
    public string? Problem(string path, long maxPixels, int minimumSide)
    {
        if (!File.Exists(path))
        {
            return Directory.Exists(path) ? "is a folder, not an image file" : "does not exist";
        }

        try
        {
            return _reader.FindProblem(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            return $"cannot be read ({e.Message})";
        }
    }

    public void Dispose()
    {
    }
}
