using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetTransfer.Data;
using MLNetTransfer.FineTuning;
using MLNetTransfer.Onnx;
using MLNetTransfer.SyntheticData;
using RgbImages = MLNetTransfer.Torch.Tests.TestImages;

namespace MLNetTransfer.Tests.Scoring;

/// <summary>
/// The saved-model fixture of tests/fixtures/mlnet-5.0.1: a binary model saved with <c>mlContext.Model.Save</c> by an
/// earlier build of the library, six small images and the scores that build gave them. <see cref="Write"/> made it (see
/// the folder's README.md); <see cref="SavedModelFixtureTests"/> checks that today's packages load and score it alike.
/// </summary>
/// <remarks>
/// The model is the chain the trainer saves (<see cref="ScoringChain.Build"/> after <c>MapValueToKey(Label)</c>), around
/// a ResNet with one basic block per stage whose convolutions (all but conv1) are sparse, so the zip stays small
/// (ML.NET deflates the embedded ONNX bytes); a trained ResNet18 would be a 45 MB file. The graph still runs every op
/// a trained model runs: the crop, the normalisation, folded BatchNorm convolutions, the pooled head, the temperature,
/// softmax and the prediction outputs.
/// </remarks>
internal static class SavedModelFixture
{
    public const int ResizeTo = 40; // the images' own size: ML.NET's resize is then the identity (see the folder's README)
    public const int CropSize = 32;
    public const float Temperature = 1.5f;
    public const float Threshold = 0.2f; // between the images' probabilities, so both classes are predicted

    /// <summary>The fixture's folder in the repository.</summary>
    public static string Folder => Path.Combine(RepositoryRoot(), "tests", "fixtures", "mlnet-5.0.1");

    /// <summary>One scored image: its file (relative to the folder) and its label.</summary>
    public sealed class Row
    {
        public string ImagePath { get; set; } = "";

        public string Label { get; set; } = "";
    }

    /// <summary>The scores a model gave one image.</summary>
    public sealed record Scored(string Image, float[] Score, float Probability, float Logit, string PredictedLabel);

    /// <summary>Six images: four synthetic gray radiographs (40 px) and two RGB images (40 px), written as PNGs.</summary>
    public static List<Row> WriteImages(string folder)
    {
        string images = Path.Combine(folder, "images");
        Directory.CreateDirectory(images);
        var rows = new List<Row>();
        foreach (var image in SyntheticChestXrays.Generate(4, 40, seed: 501, difficulty: 0.2))
        {
            string name = image.Name + ".png";
            File.WriteAllBytes(Path.Combine(images, name), SyntheticChestXrays.EncodePng(image));
            rows.Add(new Row { ImagePath = "images/" + name, Label = image.Opacity ? "OPACITY" : "NORMAL" });
        }

        for (int kind = 0; kind < 2; kind++)
        {
            string name = $"rgb-{kind}.png";
            RgbImages.SavePng(Path.Combine(images, name), RgbImages.Rgb(kind, 40, seed: 501), 40);
            rows.Add(new Row { ImagePath = "images/" + name, Label = kind == 0 ? "NORMAL" : "OPACITY" });
        }

        return rows;
    }

    /// <summary>The rows of the fixture's images file with absolute paths, as a scoring app would pass them.</summary>
    public static List<Row> ReadRows(string folder) =>
        JsonSerializer.Deserialize<List<Row>>(File.ReadAllText(Path.Combine(folder, "images.json")))!
            .Select(r => new Row { ImagePath = Path.Combine(folder, r.ImagePath), Label = r.Label })
            .ToList();

    /// <summary>Writes the images, model.zip and expected-scores.json into <paramref name="folder"/>.</summary>
    public static void Write(string folder)
    {
        var rows = WriteImages(folder);
        File.WriteAllText(Path.Combine(folder, "images.json"), JsonSerializer.Serialize(rows, Indented));
        var ml = new MLContext(seed: 1);
        var absolute = ReadRows(folder);
        var data = ml.Data.LoadFromEnumerable(absolute);
        var key = ml.Transforms.Conversion.MapValueToKey("Label", keyOrdinality: Microsoft.ML.Transforms.ValueToKeyMappingEstimator.KeyOrdinality.ByValue).Fit(data);
        var keyed = key.Transform(data);
        var labels = LabelSchema.From(keyed.Schema, "Label");
        var options = new ResNetFineTuneTrainer.Options { ImageColumnName = nameof(Row.ImagePath) };
        var layout = new[] { 1, 1, 1, 1 };
        var spec = new ResNetOnnxSpec(ResidualBlockKind.Basic, layout)
        {
            ArchitectureName = "resnet-fixture-1-1-1-1",
            InputChannels = 3,
            NetworkChannels = 3,
            InputSize = ResizeTo,
            CropSize = CropSize,
            Activation = OutputActivation.Softmax,
            InputName = ScoringChain.Pixels,
            OutputName = ScoringChain.Score,
            IncludePredictionOutputs = true,
            Thresholds = new[] { Threshold },
            Temperatures = new[] { Temperature },
            PredictedIndexName = ScoringChain.PredictedIndex,
            ProbabilityName = ScoringChain.Probability,
            LogitName = ScoringChain.Logit,
        };
        var metadata = new ModelMetadata
        {
            ClassLabels = labels.ClassNames,
            Task = PredictionTask.Binary,
            Description = "The saved-model fixture of tests/fixtures/mlnet-5.0.1 (sparse synthetic weights).",
        };
        byte[] onnx = ResNetOnnxWriter.Write(SparseWeights(layout, outputs: 2, seed: 501), spec, metadata);
        using var scoring = ScoringChain.Build(ml, keyed, options, labels, ResizeTo, onnx);
        var model = new TransformerChain<ITransformer>(key, scoring.Chain(scoring));
        ml.Model.Save(model, data.Schema, Path.Combine(folder, "model.zip"));

        var scored = Score(ml, model, absolute);
        File.WriteAllText(Path.Combine(folder, "expected-scores.json"), JsonSerializer.Serialize(scored, Indented));
    }

    /// <summary>Scores the rows with a model and reads back the columns the fixture records.</summary>
    public static List<Scored> Score(MLContext ml, ITransformer model, IReadOnlyList<Row> rows)
    {
        var output = model.Transform(ml.Data.LoadFromEnumerable(rows));
        var scores = output.GetColumn<float[]>("Score").ToList();
        var probabilities = output.GetColumn<float>("Probability").ToList();
        var logits = output.GetColumn<float>("Logit").ToList();
        var predicted = ml.Transforms.Conversion.MapKeyToValue("PredictedLabel").Fit(output).Transform(output)
            .GetColumn<string>("PredictedLabel").ToList();
        return rows.Select((r, i) => new Scored(Path.GetFileName(r.ImagePath), scores[i], probabilities[i], logits[i], predicted[i])).ToList();
    }

    /// <summary>
    /// A torchvision-named ResNet state_dict (basic blocks, widths 64..512) with seeded values: conv1, the BatchNorms
    /// and the head dense; the 3x3 convolutions 0.4% non-zero and the 1x1 projections 5%, so that the deflated zip is
    /// small while each stage still passes the image on.
    /// </summary>
    public static WeightSnapshot SparseWeights(int[] blocksPerStage, int outputs, int seed)
    {
        var rng = new Random(seed);
        var w = new WeightSnapshot();
        Conv(w, rng, "conv1", 64, 3, 7, density: 1);
        Bn(w, rng, "bn1", 64);
        long inPlanes = 64;
        for (int s = 0; s < 4; s++)
        {
            long planes = 64L << s;
            for (int b = 0; b < blocksPerStage[s]; b++)
            {
                string p = $"layer{s + 1}.{b}.";
                Conv(w, rng, p + "conv1", planes, inPlanes, 3, density: 0.004);
                Bn(w, rng, p + "bn1", planes);
                Conv(w, rng, p + "conv2", planes, planes, 3, density: 0.004);
                Bn(w, rng, p + "bn2", planes);
                if ((b == 0 && s > 0) || inPlanes != planes)
                {
                    Conv(w, rng, p + "downsample.0", planes, inPlanes, 1, density: 0.05);
                    Bn(w, rng, p + "downsample.1", planes);
                }

                inPlanes = planes;
            }
        }

        w.Add("fc.weight", new[] { (long)outputs, inPlanes }, Values(rng, outputs * inPlanes, -0.5, 0.5, density: 1));
        w.Add("fc.bias", new[] { (long)outputs }, Values(rng, outputs, -0.1, 0.1, density: 1));
        return w;
    }

    private static void Conv(WeightSnapshot w, Random rng, string name, long outC, long inC, long k, double density)
    {
        // He-scaled for the non-zero share, so that activations keep their size through the sparse layers.
        double std = Math.Sqrt(2.0 / (outC * k * k * density));
        w.Add(name + ".weight", new[] { outC, inC, k, k }, Values(rng, outC * inC * k * k, -std * 1.7, std * 1.7, density));
    }

    private static void Bn(WeightSnapshot w, Random rng, string name, long c)
    {
        w.Add(name + ".weight", new[] { c }, Values(rng, c, 0.5, 1.5, density: 1));
        w.Add(name + ".bias", new[] { c }, Values(rng, c, -0.2, 0.2, density: 1));
        w.Add(name + ".running_mean", new[] { c }, Values(rng, c, -0.5, 0.5, density: 1));
        w.Add(name + ".running_var", new[] { c }, Values(rng, c, 0.5, 2.0, density: 1));
    }

    private static float[] Values(Random rng, long count, double low, double high, double density)
    {
        var values = new float[count];
        for (long i = 0; i < count; i++)
        {
            if (density >= 1 || rng.NextDouble() < density)
            {
                values[i] = (float)(low + (high - low) * rng.NextDouble());
            }
        }

        return values;
    }

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    private static string RepositoryRoot()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "MLNetTransfer.sln")))
        {
            folder = folder.Parent;
        }

        return folder?.FullName ?? throw new DirectoryNotFoundException($"No MLNetTransfer.sln above {AppContext.BaseDirectory}.");
    }
}
