using System;
using System.IO;
using System.Linq;
using System.Threading;
using Microsoft.ML;

namespace MLNetTransfer.Tests.Fuzzing;

/// <summary>
/// A model.zip the library saved from a fine-tuned ResNet18 (feature extraction, one epoch on 24 synthetic 32 px images),
/// trained once for the class that uses it: the seed of the model.zip fuzzers.
/// </summary>
public sealed class ModelZipSeed : IDisposable
{
    private readonly Lazy<(SyntheticFolder Folder, string Path)> _model = new(Train, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The saved model.zip.</summary>
    public string Path => _model.Value.Path;

    /// <summary>The folder of images it was trained on (absolute paths), to score with a loaded model.</summary>
    public string ImageFolder => _model.Value.Folder.Root;

    public void Dispose()
    {
        if (_model.IsValueCreated)
        {
            _model.Value.Folder.Dispose();
        }
    }

    private static (SyntheticFolder, string) Train()
    {
        var images = new SyntheticFolder(24, 32, seed: 21);
        var ml = new MLContext(seed: 1);
        var rows = images.Rows.Select(r => new SyntheticFolder.Row { ImagePath = System.IO.Path.Combine(images.Root, r.ImagePath), Label = r.Label, Patient = r.Patient });
        var data = ml.Data.LoadFromEnumerable(rows);
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.FineTuneResNet(new ResNetFineTuneTrainer.Options
            {
                ImageColumnName = nameof(SyntheticFolder.Row.ImagePath),
                Strategy = FreezeStrategy.FeatureExtraction,
                Grayscale = true,
                Augmentation = AugmentationOptions.EvalOnly(32, 32),
                Epochs = 1,
                BatchSize = 8,
            }))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));
        using var fitted = pipeline.Fit(data);
        string path = System.IO.Path.Combine(images.Root, "model.zip");
        ml.Model.Save(fitted, data.Schema, path);
        return (images, path);
    }
}
