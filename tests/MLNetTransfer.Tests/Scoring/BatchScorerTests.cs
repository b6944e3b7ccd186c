using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetTransfer.FineTuning;
using MLNetTransfer.Scoring;
using MLNetTransfer.Torch.Data;
using MLNetTransfer.Torch.FineTuning;
using SkiaSharp;
using Xunit;

namespace MLNetTransfer.Tests.Scoring;

/// <summary>A small binary model (grayscale ResNet18, 56 px, one epoch) trained once for the tests below.</summary>
public sealed class BatchScorerFixture : IDisposable
{
    private readonly SyntheticFolder _train = new(24, 64, seed: 11);

    public BatchScorerFixture()
    {
        Test = new SyntheticFolder(20, 64, seed: 12);
        Ml = new MLContext(seed: 1);
        var rows = Ml.Data.LoadFromEnumerable(_train.Rows);
        var keyed = Ml.Transforms.Conversion.MapValueToKey("Label", keyOrdinality: Microsoft.ML.Transforms.ValueToKeyMappingEstimator.KeyOrdinality.ByValue)
            .Fit(rows).Transform(rows);
        Model = Ml.Transforms.FineTuneResNet(new ResNetFineTuneOptions
        {
            ImageColumnName = nameof(SyntheticFolder.Row.ImagePath),
            ImageFolder = _train.Root,
            Strategy = FineTuneStrategy.FeatureExtraction,
            Grayscale = true,
            Augmentation = AugmentationOptions.EvalOnly(64, 56),
            Epochs = 1,
            BatchSize = 8,
            ValidationFraction = 0.25,
        }).Fit(keyed);
        // Wide colour copies of the test images, so that resizing, the centre crop and the channel order all matter.
        AbsolutePaths = Test.Rows.Select(r => WriteWideCopy(Path.Combine(Test.Root, r.ImagePath))).ToList();
        TestData = Ml.Data.LoadFromEnumerable(AbsolutePaths.Select(p => new SyntheticFolder.Row { ImagePath = p }).ToList());
        Chain = ChainPredictions.Read(Model.Transform(TestData), Model.ClassNames);
    }

    public MLContext Ml { get; }

    public ResNetFineTuneTransformer Model { get; }

    internal SyntheticFolder Test { get; }

    /// <summary>The test images with absolute paths (the model's ImageFolder is the training folder).</summary>
    public IDataView TestData { get; }

    public List<string> AbsolutePaths { get; }

    /// <summary>The fitted transformer's own outputs on <see cref="TestData"/>.</summary>
    public ChainPredictions Chain { get; }

    // 120x80 (ML.NET resizes it to 96x64 and crops 64x64 from the centre): the gray image stretched, with a red bar on
    // the left and a blue one on the right.
    private static string WriteWideCopy(string squarePng)
    {
        string path = Path.ChangeExtension(squarePng, ".wide.png");
        using var source = SKBitmap.Decode(squarePng);
        using var wide = new SKBitmap(new SKImageInfo(120, 80, SKColorType.Rgba8888, SKAlphaType.Opaque));
        using (var canvas = new SKCanvas(wide))
        {
            canvas.DrawBitmap(source, new SKRect(0, 0, 120, 80));
            using var red = new SKPaint { Color = new SKColor(220, 40, 40) };
            using var blue = new SKPaint { Color = new SKColor(30, 60, 200) };
            canvas.DrawRect(new SKRect(0, 0, 20, 80), red);
            canvas.DrawRect(new SKRect(104, 0, 120, 80), blue);
        }

        using var data = wide.Encode(SKEncodedImageFormat.Png, 100);
        File.WriteAllBytes(path, data.ToArray());
        return path;
    }

    public BatchScorerOptions Options(int batchSize = 32) => new()
    {
        ImageColumnName = nameof(SyntheticFolder.Row.ImagePath),
        ImageFolder = _train.Root,
        BatchSize = batchSize,
    };

    public void Dispose()
    {
        Model.Dispose();
        _train.Dispose();
        Test.Dispose();
    }
}

/// <summary>Score, Probability, Logit and PredictedLabel (as the label's value) as the ML.NET chain gives them.</summary>
public sealed class ChainPredictions
{
    public List<float[]> Scores { get; } = new();

    public List<float> Probabilities { get; } = new();

    public List<float> Logits { get; } = new();

    public List<string> Labels { get; } = new();

    public static ChainPredictions Read(IDataView scored, IReadOnlyList<string> classNames)
    {
        var result = new ChainPredictions();
        var columns = new[] { scored.Schema["Score"], scored.Schema["Probability"], scored.Schema["Logit"], scored.Schema["PredictedLabel"] };
        using var cursor = scored.GetRowCursor(columns);
        var score = cursor.GetGetter<VBuffer<float>>(columns[0]);
        var probability = cursor.GetGetter<float>(columns[1]);
        var logit = cursor.GetGetter<float>(columns[2]);
        var label = cursor.GetGetter<uint>(columns[3]);
        VBuffer<float> s = default;
        float p = 0, l = 0;
        uint k = 0;
        while (cursor.MoveNext())
        {
            score(ref s);
            probability(ref p);
            logit(ref l);
            label(ref k);
            result.Scores.Add(s.DenseValues().ToArray());
            result.Probabilities.Add(p);
            result.Logits.Add(l);
            result.Labels.Add(classNames[(int)k - 1]);
        }

        return result;
    }
}

[Collection("NoParallelization")]
public sealed class BatchScorerTests : IClassFixture<BatchScorerFixture>
{
    private const double Tolerance = 1e-5;
    private readonly BatchScorerFixture _f;

    public BatchScorerTests(BatchScorerFixture fixture) => _f = fixture;

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(32)]
    public void Scores_equal_the_chain_for_any_batch_size(int batchSize)
    {
        using var scorer = BatchScorer.Create(_f.Model, _f.Options(batchSize));
        var predictions = scorer.Predict(_f.TestData).ToList();
        AssertEqualsChain(predictions);
        Assert.Equal(batchSize, scorer.BatchSize);
        Assert.False(scorer.UsesGpu);
    }

    [Fact]
    public void Simple_overload_paths_and_image_column_give_the_chain_scores()
    {
        using var scorer = BatchScorer.Create(_f.Model, nameof(SyntheticFolder.Row.ImagePath), imageFolder: null, batchSize: 8);
        AssertEqualsChain(scorer.Predict(_f.TestData).ToList());

        // Paths straight from a list; and one at a time, in the same order (ML.NET's cursors may run on several threads).
        var all = scorer.Predict(_f.AbsolutePaths).ToList();
        AssertEqualsChain(all);
        for (int i = 0; i < all.Count; i++)
        {
            Assert.Equal(all[i].Score, scorer.Predict(new[] { _f.AbsolutePaths[i] }).Single().Score);
        }

        // An Image column made by LoadImages: no loading in the scorer, the rest the same.
        var images = _f.Ml.Transforms.LoadImages("Image", null, nameof(SyntheticFolder.Row.ImagePath)).Fit(_f.TestData).Transform(_f.TestData);
        using var byImage = BatchScorer.Create(_f.Model, batchSize: 6);
        AssertEqualsChain(byImage.Predict(images).ToList());
    }

    [Fact]
    public void From_onnx_bytes_or_file_reads_labels_and_size_from_the_graph()
    {
        string path = Path.Combine(_f.Test.Root, "model.onnx");
        _f.Model.SaveOnnx(path);
        using var fromFile = BatchScorer.Create(path, _f.Options(5));
        using var fromBytes = BatchScorer.Create(_f.Model.OnnxModel, _f.Options());
        Assert.Equal(_f.Model.ClassNames, fromFile.ClassNames);
        Assert.Equal(_f.Model.ClassNames, fromBytes.ClassNames);
        Assert.Equal(64, fromFile.InputSize);
        AssertEqualsChain(fromFile.Predict(_f.TestData).ToList());
        AssertEqualsChain(fromBytes.Predict(_f.TestData).ToList());
    }

    [Fact]
    public void Dispose_is_idempotent_and_stops_scoring_but_leaves_the_model()
    {
        var scorer = BatchScorer.Create(_f.Model, _f.Options(4));
        using (var enumerator = scorer.Predict(_f.TestData).GetEnumerator())
        {
            Assert.True(enumerator.MoveNext()); // the first batch of 4 is scored
            scorer.Dispose();
            Assert.True(enumerator.MoveNext()); // still from that batch
            Assert.True(enumerator.MoveNext());
            Assert.True(enumerator.MoveNext());
            Assert.Throws<ObjectDisposedException>(() => enumerator.MoveNext()); // the next ORT call
        }

        scorer.Dispose();
        Assert.Throws<ObjectDisposedException>(() => scorer.Predict(_f.TestData));
        Assert.Throws<ObjectDisposedException>(() => scorer.Predict(_f.AbsolutePaths));

        // The transformer it came from is not disposed with it.
        Assert.Equal(_f.Chain.Scores.Count, ChainPredictions.Read(_f.Model.Transform(_f.TestData), _f.Model.ClassNames).Scores.Count);
    }

    [Fact]
    public void Gpu_on_the_cpu_package_throws_unless_fallback_is_allowed()
    {
        var options = _f.Options();
        options.GpuDeviceId = 0;
        var e = Assert.Throws<InvalidOperationException>(() => BatchScorer.Create(_f.Model, options));
        Assert.Contains("GPU 0", e.Message);
        Assert.Contains("FallbackToCpu", e.Message);

        options.FallbackToCpu = true;
        using var scorer = BatchScorer.Create(_f.Model, options);
        Assert.False(scorer.UsesGpu);
        AssertEqualsChain(scorer.Predict(_f.TestData).ToList());
    }

    [Fact]
    public void Bad_options_and_columns_fail_with_mlnet_wording()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => BatchScorer.Create(_f.Model, batchSize: 0));
        Assert.Throws<ArgumentNullException>(() => BatchScorer.Create((ResNetFineTuneTransformer)null!));
        Assert.Throws<ArgumentException>(() => BatchScorer.Create(ReadOnlyMemory<byte>.Empty));

        using var scorer = BatchScorer.Create(_f.Model); // image column "Image", absent from the test data
        var missing = Assert.Throws<ArgumentOutOfRangeException>(() => scorer.Predict(_f.TestData));
        Assert.Contains("Could not find input column 'Image'", missing.Message);

        var numbers = _f.Ml.Data.LoadFromEnumerable(new[] { new NumberRow { Image = 1 } });
        var mismatch = Assert.Throws<ArgumentOutOfRangeException>(() => scorer.Predict(numbers));
        Assert.Contains("Schema mismatch for input column 'Image': expected Image or String (a file path), got Single", mismatch.Message);

        // Encoded bytes: refused with the reason (ML.NET's LoadImages reads paths only).
        var bytes = _f.Ml.Data.LoadFromEnumerable(new[] { new BytesRow { Image = File.ReadAllBytes(_f.AbsolutePaths[0]) } });
        var refused = Assert.Throws<ArgumentOutOfRangeException>(() => scorer.Predict(bytes));
        Assert.Contains("paths only", refused.Message);
    }

    private sealed class NumberRow
    {
        public float Image { get; set; }
    }

    private sealed class BytesRow
    {
        public byte[] Image { get; set; } = Array.Empty<byte>();
    }

    private void AssertEqualsChain(IReadOnlyList<ScoredImage> predictions)
    {
        var chain = _f.Chain;
        Assert.Equal(chain.Scores.Count, predictions.Count);
        for (int i = 0; i < predictions.Count; i++)
        {
            var p = predictions[i];
            Assert.Equal(chain.Scores[i].Length, p.Score.Length);
            for (int c = 0; c < p.Score.Length; c++)
            {
                Assert.InRange(Math.Abs(p.Score[c] - chain.Scores[i][c]), 0, Tolerance);
            }

            Assert.InRange(Math.Abs(p.Probability!.Value - chain.Probabilities[i]), 0, Tolerance);
            Assert.InRange(Math.Abs(p.Logit!.Value - chain.Logits[i]), 0, 1e-4);
            Assert.Equal(chain.Labels[i], p.PredictedLabel);
            Assert.Equal(_f.Model.ClassNames.ToList().IndexOf(chain.Labels[i]), p.PredictedIndex);
        }
    }
}
