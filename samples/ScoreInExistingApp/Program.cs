// Scores a folder of images with the model.zip that README's pipeline, samples/FineTunePipeline or `mlnet-transfer train`
// saves, in an app that references only Microsoft.ML, ImageAnalytics, OnnxTransformer and OnnxRuntime: no TorchSharp,
// no MLNetTransfer. The saved model is a chain of ML.NET's own transformers ending in OnnxTransformer.
//
//   dotnet run -c Release --project samples/ScoreInExistingApp -- model.zip <folder of images>
//
// Prints the file, predicted label, Probability and Score ("R" precision) of each image, tab-separated.

using System;
using System.Globalization;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;

var ml = new MLContext();
// ML.NET finds a saved transformer's loader in the assemblies it has seen; a fresh app has not loaded these two yet.
ml.ComponentCatalog.RegisterAssembly(typeof(ImageLoadingTransformer).Assembly);
ml.ComponentCatalog.RegisterAssembly(typeof(Microsoft.ML.Transforms.Onnx.OnnxTransformer).Assembly);
using var model = (TransformerChain<ITransformer>)ml.Model.Load(args[0], out _);

string[] extensions = { ".png", ".jpg", ".jpeg", ".bmp" };
var images = Directory.EnumerateFiles(Path.GetFullPath(args[1]), "*", SearchOption.AllDirectories)
    .Where(f => extensions.Contains(Path.GetExtension(f).ToLowerInvariant())).Order(StringComparer.Ordinal)
    .Select(f => new ModelInput { ImagePath = f }).ToList();

// One image at a time: a PredictionEngine (one per thread; ASP.NET apps use ML.NET's PredictionEnginePool).
using (var engine = ml.Model.CreatePredictionEngine<ModelInput, ModelOutput>(model, new PredictionEngineOptions { OwnsTransformer = false }))
{
    var first = engine.Predict(images[0]);
    Console.Error.WriteLine($"PredictionEngine: {images[0].ImagePath} is {first.PredictedLabel} (Probability {first.Probability:F3})");
}

// A batch: Transform over a data view of every image, read back as ModelOutput rows.
var scored = ml.Data.CreateEnumerable<ModelOutput>(model.Transform(ml.Data.LoadFromEnumerable(images)), reuseRowObject: false);
string R(float v) => v.ToString("R", CultureInfo.InvariantCulture);
foreach (var (input, output) in images.Zip(scored))
{
    Console.WriteLine($"{input.ImagePath}\t{output.PredictedLabel}\t{R(output.Probability)}\t{string.Join(' ', output.Score.Select(R))}");
}

/// <summary>What the model reads: the image file's absolute path, in the column the model was trained on.</summary>
public sealed class ModelInput
{
    public string ImagePath { get; set; } = "";
}

/// <summary>What the model writes (binary task): the predicted class, P(second class) and every class's probability.</summary>
public sealed class ModelOutput
{
    public string PredictedLabel { get; set; } = "";

    public float Probability { get; set; }

    public float[] Score { get; set; } = Array.Empty<float>();
}
