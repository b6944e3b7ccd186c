using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetTransfer.FineTuning;
using MLNetTransfer.SyntheticData;
using MLNetTransfer.Torch.Data;
using MLNetTransfer.Torch.FineTuning;

namespace MLNetTransfer.Tests.Conformance;

/// <summary>
/// A temporary folder of small synthetic chest X-ray PNGs (64 px) and rows that describe them with absolute paths:
/// NORMAL and OPACITY from <see cref="SyntheticChestXrays"/>, and optionally a third class FLIPPED (NORMAL images
/// turned upside down), so that the conformance and task tests can train in a second or two.
/// </summary>
internal sealed class TestImages : IDisposable
{
    public const int Size = 64;

    /// <summary>One image. The LoadColumn attributes let a TextLoader of this type give the rows' <see cref="SchemaShape"/>.</summary>
    public sealed class Row
    {
        [LoadColumn(0)]
        public string ImagePath { get; set; } = "";

        [LoadColumn(1)]
        public string Label { get; set; } = "";

        [LoadColumn(2)]
        public string Patient { get; set; } = "";

        [LoadColumn(3)]
        public bool Opacity { get; set; }

        /// <summary>Upside down (the third class, or the second finding of the multi-label task).</summary>
        [LoadColumn(4)]
        public bool Flipped { get; set; }
    }

    /// <param name="count">Images.</param>
    /// <param name="seed">Same seed, same images.</param>
    /// <param name="flippedEvery">When positive, every n-th image is a NORMAL image turned upside down, labelled FLIPPED.</param>
    /// <param name="imagesPerPatient">Consecutive images that share a patient id.</param>
    public TestImages(int count, int seed, int flippedEvery = 0, int imagesPerPatient = 2)
    {
        Root = Directory.CreateTempSubdirectory("mlnettransfer-conformance-").FullName;
        var generated = SyntheticChestXrays.Generate(count, Size, seed, difficulty: 0.2).ToList();
        Rows = new List<Row>(count);
        for (int i = 0; i < generated.Count; i++)
        {
            var image = generated[i];
            bool flipped = flippedEvery > 0 && i % flippedEvery == flippedEvery - 1;
            if (flipped)
            {
                image = image with { Pixels = FlipVertically(image.Pixels, Size), Opacity = false };
            }

            string path = Path.Combine(Root, image.Name + ".png");
            File.WriteAllBytes(path, SyntheticChestXrays.EncodePng(image));
            Rows.Add(new Row
            {
                ImagePath = path,
                Label = flipped ? "FLIPPED" : image.Opacity ? "OPACITY" : "NORMAL",
                Patient = $"patient{i / imagesPerPatient}",
                Opacity = image.Opacity,
                Flipped = flipped,
            });
        }
    }

    public string Root { get; }

    public List<Row> Rows { get; }

    public IDataView Load(MLContext ml) => ml.Data.LoadFromEnumerable(Rows);

    /// <summary>Writes a file into the folder and returns its path.</summary>
    public string WriteFile(string name, byte[] bytes)
    {
        string path = Path.Combine(Root, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A file still open on a slow machine; the temp folder is cleaned up by the OS.
        }
    }

    /// <summary>Small and fast: frozen backbone, no random augmentation, 64 px in, 56 px crop, two epochs.</summary>
    public static ResNetFineTuneTrainer.Options FastOptions(int epochs = 2) => new()
    {
        Strategy = FreezeStrategy.FeatureExtraction,
        Grayscale = true,
        Augmentation = AugmentationOptions.EvalOnly(Size, 56),
        Epochs = epochs,
        WarmupEpochs = 0,
        BatchSize = 16,
        LearningRate = 3e-3,
        ValidationFraction = 0.25,
    };

    /// <summary>
    /// The <see cref="SchemaShape"/> of <see cref="Row"/>s after <paramref name="prefix"/>, by the public route
    /// (ML.NET's <c>SchemaShape.Column</c> has no public constructor): a TextLoader of the row type appended with the
    /// estimators; no data is read.
    /// </summary>
    public static SchemaShape ShapeAfter(MLContext ml, IEstimator<ITransformer>? prefix = null) =>
        ml.Data.CreateTextLoader<Row>().Append(prefix ?? new EstimatorChain<ITransformer>()).GetOutputSchema();

    /// <summary>The rows' labels mapped to a key whose values are in sorted order, then the images loaded.</summary>
    public static IEstimator<ITransformer> KeyAndImages(MLContext ml) =>
        ml.Transforms.Conversion.MapValueToKey("Label", keyOrdinality: Microsoft.ML.Transforms.ValueToKeyMappingEstimator.KeyOrdinality.ByValue)
            .Append(ml.Transforms.LoadImages("Image", null, nameof(Row.ImagePath)));

    private static byte[] FlipVertically(byte[] pixels, int size)
    {
        var flipped = new byte[pixels.Length];
        for (int y = 0; y < size; y++)
        {
            Array.Copy(pixels, y * size, flipped, (size - 1 - y) * size, size);
        }

        return flipped;
    }
}

/// <summary>
/// ML.NET's <c>TestEstimatorCore</c> checks (test/Microsoft.ML.TestFramework/DataPipe/TestDataPipeBase.cs in
/// https://github.com/dotnet/machinelearning), done with public API only.
/// </summary>
internal static class EstimatorConformance
{
    /// <summary>
    /// Every column of the estimator's output shape is in the fitted transformer's output schema with the same kind,
    /// item type, key-ness and annotations. Returns the names of fitted columns the shape did not announce.
    /// </summary>
    public static IReadOnlyList<string> CheckShapeAgainstSchema(SchemaShape shape, DataViewSchema schema)
    {
        foreach (var column in shape)
        {
            var actual = schema.GetColumnOrNull(column.Name);
            Xunit.Assert.True(actual.HasValue, $"The output shape announces '{column.Name}', the fitted output schema lacks it.");
            var type = actual!.Value.Type;
            var itemType = type is VectorDataViewType vector ? vector.ItemType : type;
            var kind = type is VectorDataViewType v
                ? (v.IsKnownSize ? SchemaShape.Column.VectorKind.Vector : SchemaShape.Column.VectorKind.VariableVector)
                : SchemaShape.Column.VectorKind.Scalar;
            Xunit.Assert.True(column.Kind == kind, $"'{column.Name}': shape says {column.Kind}, fitted schema has {type}.");
            Xunit.Assert.True(column.IsKey == itemType is KeyDataViewType, $"'{column.Name}': shape IsKey={column.IsKey}, fitted schema has {type}.");
            if (column.IsKey)
            {
                // A shape does not know key counts; the raw types must agree.
                Xunit.Assert.Equal(column.ItemType.RawType, itemType.RawType);
            }
            else
            {
                Xunit.Assert.True(column.ItemType.Equals(itemType), $"'{column.Name}': shape item type {column.ItemType}, fitted schema has {itemType}.");
            }

            foreach (var annotation in column.Annotations)
            {
                var found = actual.Value.Annotations.Schema.GetColumnOrNull(annotation.Name);
                Xunit.Assert.True(found.HasValue, $"'{column.Name}': the shape announces annotation '{annotation.Name}', the fitted schema lacks it.");
                var foundItem = found!.Value.Type is VectorDataViewType av ? av.ItemType : found.Value.Type;
                Xunit.Assert.True(annotation.ItemType.Equals(foundItem), $"'{column.Name}' annotation '{annotation.Name}': shape {annotation.ItemType}, fitted {foundItem}.");
            }
        }

        return schema.Where(c => !c.IsHidden && FindColumn(shape, c.Name) is null).Select(c => c.Name).ToList();
    }

    /// <summary>The two schemas have the same visible columns, in order, with equal types.</summary>
    public static void AssertSameSchema(DataViewSchema expected, DataViewSchema actual)
    {
        var e = expected.Where(c => !c.IsHidden).Select(c => (c.Name, c.Type)).ToList();
        var a = actual.Where(c => !c.IsHidden).Select(c => (c.Name, c.Type)).ToList();
        Xunit.Assert.Equal(e.Select(c => c.Name), a.Select(c => c.Name));
        for (int i = 0; i < e.Count; i++)
        {
            Xunit.Assert.True(e[i].Type.Equals(a[i].Type), $"Column '{e[i].Name}': {e[i].Type} before, {a[i].Type} after.");
        }
    }

    public static float[][] ReadVectors(IDataView data, string column)
    {
        var result = new List<float[]>();
        var col = data.Schema[column];
        using var cursor = data.GetRowCursor(new[] { col });
        var getter = cursor.GetGetter<VBuffer<float>>(col);
        VBuffer<float> value = default;
        while (cursor.MoveNext())
        {
            getter(ref value);
            result.Add(value.DenseValues().ToArray());
        }

        return result.ToArray();
    }

    public static T[] ReadScalars<T>(IDataView data, string column)
    {
        var result = new List<T>();
        var col = data.Schema[column];
        using var cursor = data.GetRowCursor(new[] { col });
        var getter = cursor.GetGetter<T>(col);
        T value = default!;
        while (cursor.MoveNext())
        {
            getter(ref value);
            result.Add(value);
        }

        return result.ToArray();
    }

    private static SchemaShape.Column? FindColumn(SchemaShape shape, string name)
    {
        foreach (var column in shape)
        {
            if (column.Name == name)
            {
                return column;
            }
        }

        return null;
    }
}
