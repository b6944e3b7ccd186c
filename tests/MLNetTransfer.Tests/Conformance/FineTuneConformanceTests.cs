using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetTransfer.FineTuning;
using Xunit;
using Xunit.Abstractions;

namespace MLNetTransfer.Tests.Conformance;

/// <summary>
/// ML.NET's <c>TestEstimatorCore</c> for <see cref="ResNetFineTuneTrainer"/> with public API only, since save/load and
/// schema drift are what break users: schema propagation, bad schemas failing at <c>GetOutputSchema</c> and at
/// <c>Fit</c> with ML.NET's wording, bad data failing clearly, Save → Load in a fresh MLContext, and disposal.
/// </summary>
[Collection("NoParallelization")]
public sealed class FineTuneConformanceTests
{
    private readonly ITestOutputHelper _output;

    public FineTuneConformanceTests(ITestOutputHelper output) => _output = output;

    /// <summary>The rows as a text file, so that a TextLoader gives a <see cref="SchemaShape"/> (the public route to one).</summary>
    private static TextLoader TextLoaderFor(MLContext ml, TestImages images, out string file)
    {
        file = Path.Combine(images.Root, "rows.tsv");
        File.WriteAllLines(file, new[] { "ImagePath\tLabel\tPatient\tOpacity\tNumber" }
            .Concat(images.Rows.Select(r => $"{r.ImagePath}\t{r.Label}\t{r.Patient}\t{r.Opacity}\t1.5")));
        return ml.Data.CreateTextLoader(new[]
        {
            new TextLoader.Column("ImagePath", DataKind.String, 0),
            new TextLoader.Column("Label", DataKind.String, 1),
            new TextLoader.Column("Patient", DataKind.String, 2),
            new TextLoader.Column("Opacity", DataKind.Boolean, 3),
            new TextLoader.Column("Number", DataKind.Single, 4),
            // Label and Patient as a vector of text: a label type the trainer refuses.
            new TextLoader.Column("Words", DataKind.String, new[] { new TextLoader.Range(1, 2) }),
        }, separatorChar: '\t', hasHeader: true);
    }

    [Fact]
    public void Output_shape_propagates_and_matches_the_fitted_schema()
    {
        using var images = new TestImages(48, seed: 11);
        var ml = new MLContext(seed: 1);
        var loader = TextLoaderFor(ml, images, out string file);
        var prefix = TestImages.KeyAndImages(ml);
        var options = TestImages.FastOptions();
        options.GroupColumnName = "Patient";
        var estimator = ml.Transforms.FineTuneResNet(options);

        // The shape flows through the whole pipeline, from a loader, without data.
        var inputShape = loader.Append(prefix).GetOutputSchema();
        var shape = estimator.GetOutputSchema(inputShape);
        var viaLoader = loader.Append(prefix.Append(estimator)).GetOutputSchema();
        Assert.Equal(shape.Select(c => c.Name), viaLoader.Select(c => c.Name));
        Assert.Contains(shape, c => c.Name == "Score" && c.Kind == SchemaShape.Column.VectorKind.Vector && c.ItemType == NumberDataViewType.Single);
        Assert.Contains(shape, c => c.Name == "PredictedLabel" && c.IsKey && c.Annotations.Any(a => a.Name == "KeyValues"));
        // Input columns pass through.
        foreach (var input in inputShape)
        {
            Assert.Contains(shape, c => c.Name == input.Name);
        }

        var data = loader.Load(file);
        var prefixModel = prefix.Fit(data);
        var prepared = prefixModel.Transform(data);
        using var model = estimator.Fit(prepared);
        var scored = model.Transform(prepared);

        var extra = EstimatorConformance.CheckShapeAgainstSchema(shape, scored.Schema);
        // A key label's class count is unknown to a shape: a binary model adds Probability and Logit (OutputSchema.cs).
        Assert.Equal(new[] { "Probability", "Logit" }, extra);
        // The transformer's schema without data, the transformed data's schema, and the row mapper's agree.
        EstimatorConformance.AssertSameSchema(scored.Schema, model.GetOutputSchema(prepared.Schema));
        EstimatorConformance.AssertSameSchema(scored.Schema, model.GetRowToRowMapper(prepared.Schema).OutputSchema);
        Assert.True(model.IsRowToRowMapper);
        // No working column of the scoring chain leaks out.
        Assert.DoesNotContain(scored.Schema, c => c.Name.StartsWith("MLNetTransfer.", StringComparison.Ordinal));
    }

    public static IEnumerable<object[]> BadSchemas() => new[]
    {
        new object[] { "missing image", "X", "Label", null!, true, "Could not find input column 'X'" },
        new object[] { "missing label", "Image", "Y", null!, true, "Could not find input column 'Y'" },
        // A String label is taken (mapped to a key inside Fit, LabelFreeModelTests); a vector of text is not.
        new object[] { "text vector label", "Image", "Words", null!, false, $"Schema mismatch for input column 'Words': expected {RawLabelKeys.Expected}, got Vector<String" },
        new object[] { "float image", "Number", "Label", null!, true, "Schema mismatch for input column 'Number': expected Image or String (a file path), got Single" },
        new object[] { "missing group", "Image", "Label", "Z", true, "Could not find input column 'Z'" },
        new object[] { "boolean group", "Image", "Label", "Opacity", true, "Schema mismatch for input column 'Opacity': expected String or a number (a patient or study id), got Boolean" },
    };

    [Theory]
    [MemberData(nameof(BadSchemas))]
    public void Bad_schema_fails_at_GetOutputSchema_and_at_Fit(string what, string image, string label, string? group, bool keyLabel, string message)
    {
        using var images = new TestImages(8, seed: 12);
        var ml = new MLContext(seed: 1);
        var loader = TextLoaderFor(ml, images, out string file);
        IEstimator<ITransformer> prefix = keyLabel
            ? TestImages.KeyAndImages(ml)
            : ml.Transforms.LoadImages("Image", null, nameof(TestImages.Row.ImagePath));
        var options = TestImages.FastOptions();
        options.ImageColumnName = image;
        options.LabelColumnName = label;
        options.GroupColumnName = group;
        var estimator = ml.Transforms.FineTuneResNet(options);

        var shapeError = Assert.Throws<ArgumentOutOfRangeException>(() => estimator.GetOutputSchema(loader.Append(prefix).GetOutputSchema()));
        Assert.Contains(message, shapeError.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => loader.Append(prefix.Append(estimator)).GetOutputSchema());

        var data = loader.Load(file);
        var prepared = prefix.Fit(data).Transform(data);
        var started = DateTime.UtcNow;
        var fitError = Assert.Throws<ArgumentOutOfRangeException>(() => estimator.Fit(prepared));
        Assert.Contains(message, fitError.Message);
        _output.WriteLine($"{what}: {fitError.Message} ({(DateTime.UtcNow - started).TotalMilliseconds:F0} ms)");
    }

    [Fact]
    public void A_label_with_one_class_fails_and_says_so()
    {
        using var images = new TestImages(12, seed: 13);
        var ml = new MLContext(seed: 1);
        foreach (var row in images.Rows)
        {
            row.Label = "NORMAL";
            row.Opacity = false;
        }

        // A key made from data with one value.
        var prepared = TestImages.KeyAndImages(ml).Fit(images.Load(ml)).Transform(images.Load(ml));
        var estimator = ml.Transforms.FineTuneResNet(TestImages.FastOptions());
        var e = Assert.ThrowsAny<Exception>(() => estimator.Fit(prepared));
        Assert.True(e is ArgumentOutOfRangeException or InvalidOperationException, e.ToString());
        Assert.Contains("only one class", e.Message);
        _output.WriteLine(e.Message);

        // A Boolean label that is always false.
        var options = TestImages.FastOptions();
        options.LabelColumnName = nameof(TestImages.Row.Opacity);
        var boolean = Assert.Throws<InvalidOperationException>(() => ml.Transforms.FineTuneResNet(options).Fit(prepared));
        Assert.Contains("only one class", boolean.Message);
        _output.WriteLine(boolean.Message);
    }

    [Fact]
    public void A_missing_label_names_the_row()
    {
        using var images = new TestImages(12, seed: 14, flippedEvery: 5);
        var ml = new MLContext(seed: 1);
        // The key's values lack FLIPPED: those rows get key 0, a missing value.
        var keyData = ml.Data.LoadFromEnumerable(new[] { new KeyRow { Label = "NORMAL" }, new KeyRow { Label = "OPACITY" } });
        var data = images.Load(ml);
        var prepared = ml.Transforms.Conversion.MapValueToKey("Label", keyData: keyData)
            .Append(ml.Transforms.LoadImages("Image", null, nameof(TestImages.Row.ImagePath)))
            .Fit(data).Transform(data);
        int firstMissing = images.Rows.FindIndex(r => r.Label == "FLIPPED");
        var e = Assert.ThrowsAny<Exception>(() => ml.Transforms.FineTuneResNet(TestImages.FastOptions()).Fit(prepared));
        Assert.Contains($"row {firstMissing} ", e.Message);
        Assert.Contains("missing label", e.Message);
        Assert.Contains("'Label'", e.Message);
        _output.WriteLine(e.Message);
    }

    private sealed class KeyRow
    {
        public string Label { get; set; } = "";
    }

    [Theory]
    [InlineData(true, false)]
    [InlineData(true, true)]
    [InlineData(false, false)]
    [InlineData(false, true)]
    public void An_unreadable_or_corrupt_image_names_the_file(bool loadImages, bool corrupt)
    {
        using var images = new TestImages(12, seed: 15);
        string name = corrupt ? "corrupt-file.png" : "no-such-file.png";
        if (corrupt)
        {
            // A PNG signature and then garbage.
            images.WriteFile(name, new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 });
        }

        images.Rows[5].ImagePath = Path.Combine(images.Root, name);
        var ml = new MLContext(seed: 1);
        var data = images.Load(ml);
        var options = TestImages.FastOptions();
        IDataView prepared;
        if (loadImages)
        {
            prepared = TestImages.KeyAndImages(ml).Fit(data).Transform(data);
        }
        else
        {
            prepared = ml.Transforms.Conversion.MapValueToKey("Label").Fit(data).Transform(data);
            options.ImageColumnName = nameof(TestImages.Row.ImagePath);
        }

        var e = Assert.ThrowsAny<Exception>(() => ml.Transforms.FineTuneResNet(options).Fit(prepared));
        _output.WriteLine(e.ToString());
        Assert.Contains(name, e.Message);
    }

    private sealed class Scored
    {
        public float[] Score { get; set; } = Array.Empty<float>();

        public string PredictedLabel { get; set; } = "";

        public float Probability { get; set; }

        public float Logit { get; set; }
    }

    [Fact]
    public void Save_and_load_in_a_fresh_context_gives_the_same_schema_and_values()
    {
        using var images = new TestImages(48, seed: 16);
        var ml = new MLContext(seed: 1);
        var data = images.Load(ml);
        var pipeline = TestImages.KeyAndImages(ml)
            .Append(ml.Transforms.FineTuneResNet(TestImages.FastOptions()))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));
        using var model = pipeline.Fit(data);
        var scored = model.Transform(data);

        using var stream = new MemoryStream();
        ml.Model.Save(model, data.Schema, stream);
        stream.Position = 0;
        _output.WriteLine($"model.zip: {stream.Length} bytes");

        var fresh = new MLContext(seed: 5);
        var loaded = fresh.Model.Load(stream, out var savedInput);
        try
        {
            EstimatorConformance.AssertSameSchema(data.Schema, savedInput);
            var freshData = images.Load(fresh);
            var rescored = loaded.Transform(freshData);
            EstimatorConformance.AssertSameSchema(scored.Schema, rescored.Schema);
            EstimatorConformance.AssertSameSchema(scored.Schema, loaded.GetOutputSchema(freshData.Schema));

            var before = ml.Data.CreateEnumerable<Scored>(scored, reuseRowObject: false).ToList();
            var after = fresh.Data.CreateEnumerable<Scored>(rescored, reuseRowObject: false).ToList();
            Assert.Equal(before.Count, after.Count);
            for (int i = 0; i < before.Count; i++)
            {
                // Bit-identical: the same ONNX bytes run by the same ONNX Runtime on the same pixels.
                Assert.Equal(before[i].Score.Select(BitConverter.SingleToInt32Bits), after[i].Score.Select(BitConverter.SingleToInt32Bits));
                Assert.Equal(BitConverter.SingleToInt32Bits(before[i].Probability), BitConverter.SingleToInt32Bits(after[i].Probability));
                Assert.Equal(BitConverter.SingleToInt32Bits(before[i].Logit), BitConverter.SingleToInt32Bits(after[i].Logit));
                Assert.Equal(before[i].PredictedLabel, after[i].PredictedLabel);
            }

            Assert.All(after, p => Assert.Contains(p.PredictedLabel, new[] { "NORMAL", "OPACITY" }));
        }
        finally
        {
            (loaded as IDisposable)?.Dispose();
        }
    }

    [Fact]
    public void The_transformer_disposes_once_and_refuses_use_afterwards()
    {
        using var images = new TestImages(24, seed: 17);
        var ml = new MLContext(seed: 1);
        var data = images.Load(ml);
        var prepared = TestImages.KeyAndImages(ml).Fit(data).Transform(data);
        var model = ml.Transforms.FineTuneResNet(TestImages.FastOptions(epochs: 1)).Fit(prepared);
        Assert.IsAssignableFrom<IDisposable>(model);
        Assert.Equal(prepared.GetRowCount(), model.Transform(prepared).GetRowCount());

        model.Dispose();
        model.Dispose();

        Assert.Throws<ObjectDisposedException>(() => model.Transform(prepared));
        Assert.Throws<ObjectDisposedException>(() => model.GetOutputSchema(prepared.Schema));
        Assert.Throws<ObjectDisposedException>(() => model.GetRowToRowMapper(prepared.Schema));
        using var stream = new MemoryStream();
        Assert.Throws<ObjectDisposedException>(() => ml.Model.Save(model, prepared.Schema, stream));
        // What training measured and the ONNX bytes stay readable: they hold no native resource.
        Assert.NotEmpty(model.TrainingResult.Epochs);
        Assert.False(model.OnnxModel.IsEmpty);
    }
}
