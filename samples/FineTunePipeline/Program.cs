// Fine-tunes ML.NET's pretrained ResNet18 inside an ML.NET pipeline on the synthetic chest X-ray set (data/README.md),
// evaluates it with ML.NET's binary evaluator and saves model.zip, which samples/ScoreInExistingApp scores with nothing
// but ML.NET and ONNX Runtime. About 30 s on 2 CPU cores once built.
//
//   dotnet run -c Release --project samples/FineTunePipeline [strategy] [model.zip]
//
// strategy: auto (default; feature extraction for 300 images), feature-extraction, last-stages:N, full, scratch.
// model.zip: where the model goes (default ./model.zip).

using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Transforms;
using MLNetTransfer;
using MLNetTransfer.SyntheticData;

var strategy = FreezeStrategy.Parse(args.Length > 0 ? args[0] : "auto");
string modelPath = Path.GetFullPath(args.Length > 1 ? args[1] : "model.zip");
const int Size = 128;
var clock = Stopwatch.StartNew();

// train/, val/ and test/, each with NORMAL/ and OPACITY/ (the pediatric pneumonia set's layout). Deterministic: a second
// run writes the same files.
string root = Path.Combine(Path.GetTempPath(), "mlnettransfer-synthetic-xrays");
Console.WriteLine($"Writing the synthetic chest X-ray set to {root} (128 px; 300 train, 100 validation, 100 test) ...");
SyntheticChestXrays.WriteDataset(root, size: Size, train: 300, validation: 100, test: 100);

var ml = new MLContext(seed: 1);
// The three splits as data views of (ImagePath, Label), read by the library's folder loader: the class folders' names
// are the labels, and ImagePath is absolute, so LoadImages needs no image folder and a scoring app passes absolute
// paths as well.
var data = ml.Data.LoadImageSplits(root);
var train = data.TrainSet;
var validation = data.ValidationSet!;
var test = data.TestSet!;

// ByValue orders the keys NORMAL, OPACITY: key 2, the positive class of ML.NET's binary evaluator, is OPACITY.
var prepare = ml.Transforms.Conversion.MapValueToKey("Label", keyOrdinality: ValueToKeyMappingEstimator.KeyOrdinality.ByValue)
    .Append(ml.Transforms.LoadImages("Image", imageFolder: null, "ImagePath"));
// The validation set goes to the fine-tune step as that step sees its input: a key label and an Image column.
var validationForStep = prepare.Fit(train).Transform(validation);

var pipeline = prepare
    .Append(ml.Transforms.FineTuneResNet(new ResNetFineTuneTrainer.Options
    {
        Grayscale = true,               // one input channel, conv1 summed from the RGB weights
        Strategy = strategy,
        ValidationSet = validationForStep,
        // torchvision's ImageNet recipe (resize 256, crop 224) scaled to 128 px images: resize 128, random crop 112, flips, ±10°, ±0.1 intensity.
        Augmentation = new AugmentationOptions { ResizeTo = Size, CropSize = 112 },
        Epochs = 6,
        BatchSize = 16,
        Log = message => Console.WriteLine(message),
        MetricsCallback = e => Console.WriteLine(
            $"epoch {e.Epoch,2}: train loss {e.TrainLoss:F4}  val loss {e.ValidationLoss:F4}  val AUC {e.ValidationAuc:F4}  " +
            $"accuracy {e.ValidationAccuracy:P1}  {e.ImagesPerSecond:F0} img/s{(e.IsBest ? "  (best)" : "")}"),
    }))
    .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));

Console.WriteLine($"Fitting MapValueToKey → LoadImages → FineTuneResNet(ResNet18, grayscale, {strategy}) → MapKeyToValue ...");
using var model = pipeline.Fit(train);
var fineTune = model.OfType<ResNetFineTuneTransformer>().Single();
var result = fineTune.TrainingResult;
Console.WriteLine($"Strategy {result.Strategy}{(result.StrategyReason is null ? "" : $" (auto: {result.StrategyReason})")}");
Console.WriteLine($"Trainable parameters {result.TrainableParameters:N0}; {result.TrainSeconds:F0} s of training, {result.ImagesPerSecond:F0} images/s; best epoch {result.BestEpoch}");

// The test split, scored by the fitted chain (ONNX Runtime through ML.NET's ApplyOnnxModel) and evaluated by ML.NET.
// Logit is the score column: positive exactly when OPACITY is predicted, as the evaluator's threshold at 0 expects.
var scored = model.Transform(test);
var metrics = ml.BinaryClassification.Evaluate(scored, "Label", scoreColumnName: "Logit", probabilityColumnName: "Probability", predictedLabelColumnName: "PredictedLabel");
Console.WriteLine();
Console.WriteLine($"Test split (100 images, positive class {fineTune.ClassNames[1]}):");
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"  AUC {metrics.AreaUnderRocCurve:F4}   accuracy {metrics.Accuracy:P1}   F1 {metrics.F1Score:F4}   precision {metrics.PositivePrecision:F4}   recall {metrics.PositiveRecall:F4}"));
// ML.NET's counts run positive class first ([TP, FN], [FP, TN]); its GetFormattedConfusionTable names the rows and
// columns in key order (NORMAL, OPACITY) instead, which swaps the names for a key label, so the table is printed here.
var counts = metrics.ConfusionMatrix.Counts;
string positive = fineTune.ClassNames[1], negative = fineTune.ClassNames[0];
string Cell(object value) => Convert.ToString(value, CultureInfo.InvariantCulture)!.PadLeft(Math.Max(10, positive.Length + 2));
Console.WriteLine("  Confusion matrix (rows: truth, columns: predicted)");
Console.WriteLine($"  {"",-14}{Cell(positive)}{Cell(negative)}");
Console.WriteLine($"  {positive + " (+)",-14}{Cell(counts[0][0])}{Cell(counts[0][1])}");
Console.WriteLine($"  {negative,-14}{Cell(counts[1][0])}{Cell(counts[1][1])}");
Console.WriteLine();

ml.Model.Save(model, train.Schema, modelPath);
Console.WriteLine($"Saved {modelPath} ({new FileInfo(modelPath).Length / 1024.0 / 1024.0:F1} MB) in {clock.Elapsed.TotalSeconds:F0} s in all.");
Console.WriteLine("Score it in an app that has only ML.NET and ONNX Runtime (no TorchSharp):");
Console.WriteLine($"  dotnet run -c Release --project samples/ScoreInExistingApp -- \"{modelPath}\" \"{Path.Combine(root, "test")}\"");
Console.WriteLine("  (add --json for the file, predicted label and class probabilities of each image as JSON)");
