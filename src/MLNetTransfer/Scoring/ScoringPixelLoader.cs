using System;
using System.Collections.Concurrent;
using System.IO;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetTransfer.Torch.Data;

namespace MLNetTransfer.Scoring;

/// <summary>
/// Gives the training engine each image as the saved scoring chain will give it to the graph: read by ML.NET's
/// <c>LoadImages</c>, resized by its <c>ResizeImages</c> and extracted by its <c>ExtractPixels</c>
/// (<see cref="ImagePreprocessing"/>), then scaled to [0, 1] as the graph's first division does. The engine crops,
/// augments and normalises from there exactly as the graph does, so the validation metrics of every epoch are those of
/// the model that is saved, not of a model fed differently resized pixels (docs/design.md, "One preprocessing").
/// </summary>
/// <remarks>
/// ML.NET's resize (SkiaSharp's high-quality filter inside <c>MLImage</c>) is not public API, so it is run through
/// ML.NET's own transformers rather than rewritten: a prediction engine per thread, since the engine's loader decodes
/// on worker threads and a <c>PredictionEngine</c> is not thread-safe. Images are 8-bit, as <c>LoadImages</c> reads them.
/// </remarks>
internal sealed class ScoringPixelLoader : IModelPixelLoader
{
    private const string PathColumn = "Path";
    private const string ImageColumn = "Image";
    private const string ResizedColumn = "Resized";
    private const string PixelsColumn = "Pixels";

    private readonly MLContext _ml;
    private readonly ITransformer _fromPath;
    private readonly int _size;
    private readonly ConcurrentBag<PredictionEngine<PathRow, PixelRow>> _engines = new();
    private bool _disposed;

    /// <param name="ml">The context the transformers are made in.</param>
    /// <param name="resizeTo">The side of the square the images are resized to (the augmentation's ResizeTo).</param>
    public ScoringPixelLoader(MLContext ml, int resizeTo)
    {
        _ml = ml;
        _size = resizeTo;
        var empty = ml.Data.LoadFromEnumerable(Array.Empty<PathRow>());
        _fromPath = ImagePreprocessing.Load(ml, ImageColumn, imageFolder: null, PathColumn)
            .Append(ImagePreprocessing.Resize(ml, ResizedColumn, resizeTo, ImageColumn))
            .Append(ImagePreprocessing.Extract(ml, PixelsColumn, ResizedColumn))
            .Fit(empty);
    }

    /// <summary>The side of the square every image is resized to.</summary>
    public int Size => _size;

    /// <summary>The steps after loading (resize, extract) for a data view's image column, fitted on <paramref name="data"/>; the pixels are in <see cref="PixelsColumnOf"/>.</summary>
    public ITransformer ForImageColumn(IDataView data, string imageColumn) =>
        ImagePreprocessing.Resize(_ml, PixelsColumnOf(imageColumn) + ".Resized", _size, imageColumn)
            .Append(ImagePreprocessing.Extract(_ml, PixelsColumnOf(imageColumn), PixelsColumnOf(imageColumn) + ".Resized"))
            .Fit(data);

    /// <summary>The column <see cref="ForImageColumn"/> writes the pixels of <paramref name="imageColumn"/> to.</summary>
    public static string PixelsColumnOf(string imageColumn) => OnnxChainBuilder.Prefix + "Training." + imageColumn;

    /// <summary>The image file at <paramref name="path"/>, as the scoring chain's graph receives it: ExtractPixels' 0–255 planes.</summary>
    /// <exception cref="InvalidDataException">ML.NET's loader cannot read the file; the message names it.</exception>
    public float[] LoadPlanes(string path)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Image file '{path}' does not exist.", path);
        }

        if (!_engines.TryTake(out var engine))
        {
            engine = _ml.Model.CreatePredictionEngine<PathRow, PixelRow>(_fromPath);
        }

        try
        {
            var row = new PixelRow();
            try
            {
                engine.Predict(new PathRow { Path = path }, ref row);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // LoadImages says "Invalid path" or "Invalid input stream contents" for a file it cannot decode, without the file.
                throw new InvalidDataException($"'{path}' could not be read by ML.NET's image loader ({e.GetType().Name}: {e.Message}); it is corrupt, truncated or not an image.", e);
            }

            return row.Pixels.Length == 3 * _size * _size
                ? row.Pixels
                : throw new InvalidDataException($"'{path}': ExtractPixels gave {row.Pixels.Length} values for a {_size}x{_size} RGB image.");
        }
        finally
        {
            _engines.Add(engine);
        }
    }

    /// <summary>The image gate (<see cref="Data.ImageFileCheck"/>): PNG or JPEG, within the pixel budget, not smaller than the crop, whole.</summary>
    public string? Problem(string path, long maxPixels, int minimumSide) => Data.ImageFileCheck.Problem(path, maxPixels, minimumSide);

    /// <summary>ExtractPixels' 0-255 planar R, G, B values of a <paramref name="size"/> square as [0, 1] CHW floats.</summary>
    public static DecodedImage FromPixels(ReadOnlySpan<float> planes, int size)
    {
        if (planes.Length != 3 * size * size)
        {
            throw new InvalidOperationException($"ExtractPixels returned {planes.Length} values for a {size}x{size} RGB image.");
        }

        var pixels = new float[planes.Length];
        for (int i = 0; i < pixels.Length; i++)
        {
            // The graph's first step divides by the float 255 too (Onnx/Preprocessing.cs), so both sides round alike.
            pixels[i] = planes[i] / 255f;
        }

        return new DecodedImage(pixels, size, size, channels: 3, bitDepth: 8);
    }

    public void Dispose()
    {
        _disposed = true;
        while (_engines.TryTake(out var engine))
        {
            engine.Dispose();
        }
    }

    private sealed class PathRow
    {
        public string Path { get; set; } = "";
    }

    private sealed class PixelRow
    {
        public float[] Pixels { get; set; } = Array.Empty<float>();
    }
}
