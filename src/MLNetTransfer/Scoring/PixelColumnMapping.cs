using System;
using System.IO;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNetTransfer.Scoring;

/// <summary>
/// A lazy column of model inputs for a full-precision model: each row's image path through
/// <see cref="ImagePixelInput.LoadModelInput"/> into <see cref="ResNetFineTuneTransformer.PixelsColumnName"/>, with
/// ML.NET's <c>CustomMapping</c> (rows are read when a cursor asks, like <c>LoadImages</c>). It lets the fitted
/// transformer score the data it was fitted on; it is not part of the saved model, whose chain starts at the pixels
/// (an app computes them with the same function).
/// </summary>
internal static class PixelColumnMapping
{
    /// <summary>Maps <paramref name="pathColumn"/> (relative to <paramref name="imageFolder"/>, when given) to the pixels column.</summary>
    public static ITransformer Fit(MLContext ml, IDataView input, string pathColumn, string? imageFolder, IImagePixelReader reader, int size) =>
        Estimator(ml.Transforms, pathColumn, imageFolder, reader, size).Fit(input);

    /// <summary>The estimator behind <see cref="TransferLearningCatalog.LoadModelPixels"/>.</summary>
    public static IEstimator<ITransformer> Estimator(TransformsCatalog transforms, string pathColumn, string? imageFolder, IImagePixelReader reader, int size)
    {
        var inputDefinition = SchemaDefinition.Create(typeof(PathRow));
        inputDefinition[nameof(PathRow.Path)].ColumnName = pathColumn;
        var outputDefinition = SchemaDefinition.Create(typeof(PixelRow));
        outputDefinition[nameof(PixelRow.Pixels)].ColumnName = ResNetFineTuneTransformer.PixelsColumnName;
        outputDefinition[nameof(PixelRow.Pixels)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, 3 * size * size);
        void Map(PathRow row, PixelRow pixels)
        {
            string path = row.Path.ToString();
            if (string.IsNullOrWhiteSpace(path))
            {
                throw new InvalidDataException($"Column '{pathColumn}' has an empty image path.");
            }

            pixels.Pixels = reader.LoadModelInput(imageFolder is null ? path : Path.Combine(imageFolder, path), size);
        }

        return transforms.CustomMapping<PathRow, PixelRow>(Map, contractName: null, inputDefinition, outputDefinition);
    }

    /// <summary>An empty data view with just the pixels column, to fit the saved chain on.</summary>
    public static IDataView EmptyPixels(MLContext ml, int size)
    {
        var definition = SchemaDefinition.Create(typeof(PixelRow));
        definition[nameof(PixelRow.Pixels)].ColumnName = ResNetFineTuneTransformer.PixelsColumnName;
        definition[nameof(PixelRow.Pixels)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, 3 * size * size);
        return ml.Data.LoadFromEnumerable(Array.Empty<PixelRow>(), definition);
    }

    private sealed class PathRow
    {
        public ReadOnlyMemory<char> Path { get; set; }
    }

    private sealed class PixelRow
    {
        public float[] Pixels { get; set; } = Array.Empty<float>();
    }
}
