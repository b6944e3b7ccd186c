// Fine-tunes ML.NET's pretrained ResNet18 on the synthetic chest X-ray set (data/README.md), on the CPU, in a
// minute or two: the engine of MLNetTransfer on its own, before the ML.NET estimators wrap it.
//
//   dotnet run -c Release --project samples/FineTuneQuickstart [strategy] [epochs]
//
// strategy: auto (default), feature-extraction, last-stages:N, full, scratch.

using System;
using System.Globalization;
using System.Linq;
using MLNetTransfer.SyntheticData;
using MLNetTransfer.Torch;
using MLNetTransfer.Torch.Data;
using MLNetTransfer.Torch.FineTuning;

var strategy = FineTuneStrategy.Parse(args.Length > 0 ? args[0] : "auto");
int epochs = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 6;
const int Size = 128;

static FineTuneData Load(int count, int seed)
{
    var images = SyntheticChestXrays.Generate(count, Size, seed).ToList();
    var sources = images.Select(i => ImageSource.FromImage(
        DecodedImage.FromPixels(i.Pixels.Select(p => p / 255f).ToArray(), i.Size, i.Size, channels: 1), i.Name)).ToList();
    return FineTuneData.SingleLabel(sources, images.Select(i => i.Opacity ? 1 : 0).ToList(), classes: 2);
}

Console.WriteLine("Generating the synthetic chest X-ray set (400 training, 100 validation images, 128 px) ...");
var train = Load(400, seed: 2026);
var validation = Load(100, seed: 2027);

// ImageNet weights from the Microsoft.ML.DnnImageFeaturizer.ResNet18 package; conv1 summed to one channel.
using var model = MLNetResNet18.Load(new PretrainedOptions { Grayscale = true });
Console.WriteLine($"Model: {model.Layout}, 1-channel stem, input normalisation {model.Normalization}");

var result = FineTuneTrainer.Train(model, train, validation, new FineTuneOptions
{
    Strategy = strategy,
    Epochs = epochs,
    BatchSize = 16,
    // DESIGN.md decision 8, scaled to 128 px images: resize 128, random crop 112, flips, ±10°, ±0.1 intensity.
    Augmentation = new AugmentationOptions { ResizeTo = Size, CropSize = 112 },
    Log = message => Console.WriteLine(message),
    OnEpoch = e => Console.WriteLine(
        $"epoch {e.Epoch,2}: train loss {e.TrainLoss:F4}  val loss {e.ValidationLoss:F4}  val AUC {e.ValidationAuc:F4}  " +
        $"accuracy {e.ValidationAccuracy:P1}  {e.ImagesPerSecond:F0} img/s{(e.IsBest ? "  (best)" : "")}"),
});

var best = result.Epochs.Single(e => e.Epoch == result.BestEpoch);
Console.WriteLine();
Console.WriteLine($"Strategy {result.Strategy}{(result.StrategyReason is null ? "" : $" (auto: {result.StrategyReason})")}");
Console.WriteLine($"Trainable parameters {result.TrainableParameters:N0}; {result.TrainSeconds:F0} s of training, {result.ImagesPerSecond:F0} images/s");
Console.WriteLine($"Best epoch {best.Epoch}: validation AUC {best.ValidationAuc:F4}, accuracy {best.ValidationAccuracy:P1} (the model holds these weights)");
