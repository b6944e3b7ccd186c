using System;
using System.IO;
using Microsoft.ML;
using MLNetTransfer.Scoring;

namespace MLNetTransfer.Explain;

/// <summary>
/// An image file as the saved scoring chain hands it to its graph: ML.NET's <c>LoadImages</c>, <c>ResizeImages</c> and
/// <c>ExtractPixels</c> (<see cref="ImagePreprocessing"/>, the very steps of the chain and of training), giving planar
/// R, G, B values 0–255 of a <c>size</c> square. ML.NET's resize is not public API, so it runs through its transformers.
/// A model trained on full-precision pixels reads through its <see cref="IImagePixelReader"/> instead
/// (<see cref="ImagePixelInput.LoadModelInput"/>, the function its scorers call).
/// </summary>
internal sealed class GradCamPixels : IDisposable
{
    private readonly PredictionEngine<PathRow, PixelRow>? _engine;
    private readonly IImagePixelReader? _reader;

    public GradCamPixels(MLContext ml, int size, IImagePixelReader? reader = null)
    {
        Size = size;
        _reader = reader;
        if (reader is not null)
        {
            return;
        }

        var empty = ml.Data.LoadFromEnumerable(Array.Empty<PathRow>());
        var chain = ImagePreprocessing.Load(ml, "Image", imageFolder: null, nameof(PathRow.Path))
            .Append(ImagePreprocessing.Resize(ml, "Resized", size, "Image"))
            .Append(ImagePreprocessing.Extract(ml, nameof(PixelRow.Pixels), "Resized"))
            .Fit(empty);
        _engine = ml.Model.CreatePredictionEngine<PathRow, PixelRow>(chain);
    }

    /// <summary>The side of the square the images are resized to (the graph's input size).</summary>
    public int Size { get; }

    /// <summary>The 0–255 planes <c>[3, Size, Size]</c> of the image at <paramref name="path"/>.</summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="InvalidDataException">ML.NET's loader cannot decode it; the message names the file.</exception>
    public float[] Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Image file '{path}' does not exist.", path);
        }

        if (_reader is not null)
        {
            return _reader.LoadModelInput(path, Size);
        }

        var row = new PixelRow();
        try
        {
            _engine!.Predict(new PathRow { Path = path }, ref row);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new InvalidDataException($"'{path}' could not be read by ML.NET's image loader ({e.GetType().Name}: {e.Message}); it is corrupt, truncated or not an image.", e);
        }

        return row.Pixels.Length == 3 * Size * Size
            ? row.Pixels
            : throw new InvalidDataException($"'{path}': ExtractPixels gave {row.Pixels.Length} values for a {Size}x{Size} RGB image.");
    }

    public void Dispose() => _engine?.Dispose();

    private sealed class PathRow
    {
        public string Path { get; set; } = "";
    }

    private sealed class PixelRow
    {
        public float[] Pixels { get; set; } = Array.Empty<float>();
    }
}
