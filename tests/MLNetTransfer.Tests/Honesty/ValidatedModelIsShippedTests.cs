using System;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;
using MLNetTransfer.Torch.Data;
using Xunit;
using Xunit.Abstractions;

namespace MLNetTransfer.Tests.Honesty;

/// <summary>
/// The model that was validated is the model that ships: train, save model.zip, load it in a fresh context as an app
/// would, score the validation images through ML.NET, and the AUC and the log-loss (nats) must equal what the training
/// loop reported for its best epoch, to 1e-5. Fails if training and the saved chain resize, crop, convert or normalise
/// the pixels differently (as they did when training resized with its own filter and the chain with ML.NET's).
/// </summary>
[Collection("NoParallelization")]
public sealed class ValidatedModelIsShippedTests
{
    private readonly ITestOutputHelper _output;

    public ValidatedModelIsShippedTests(ITestOutputHelper output) => _output = output;

    [Theory]
    [InlineData(true, false, false)] // gray network, image paths: the chain's LoadImages and the training loader read the same files
    [InlineData(false, true, false)] // RGB network, an MLImage column from the user's own LoadImages
    [InlineData(true, false, true)] // calibrated: the loaded model's loss is the calibrated validation loss reported beside val_loss
    public void Saved_model_scores_the_validation_set_as_the_best_epoch_reported(bool grayscale, bool loadImagesFirst, bool calibrate)
    {
        // 80 px images resized to 64 and cropped to 56: the resize is real, not the identity.
        using var train = new SyntheticFolder(48, 80, seed: 11);
        using var validation = new SyntheticFolder(32, 80, seed: 12);
        var ml = new MLContext(seed: 1);
        var keyData = ml.Data.LoadFromEnumerable(new[] { new KeyRow { Label = "NORMAL" }, new KeyRow { Label = "OPACITY" } });
        IEstimator<ITransformer> prefix = ml.Transforms.Conversion.MapValueToKey("Label", keyData: keyData);
        string imageColumn = nameof(SyntheticFolder.Row.ImagePath);
        if (loadImagesFirst)
        {
            prefix = prefix.Append(ml.Transforms.LoadImages("Image", imageFolder: null, nameof(SyntheticFolder.Row.ImagePath)));
            imageColumn = "Image";
        }

        var trainData = Absolute(ml, train);
        var validationData = Absolute(ml, validation);
        var fittedPrefix = prefix.Fit(trainData);
        var options = new ResNetFineTuneTrainer.Options
        {
            ImageColumnName = imageColumn,
            Strategy = FreezeStrategy.Full(),
            Grayscale = grayscale,
            Augmentation = new AugmentationOptions { ResizeTo = 64, CropSize = 56 },
            Epochs = 2,
            WarmupEpochs = 0,
            BatchSize = 16,
            ValidationSet = fittedPrefix.Transform(validationData),
            Calibrate = calibrate,
            Log = m => _output.WriteLine(m),
        };
        var pipeline = prefix.Append(ml.Transforms.FineTuneResNet(options));
        using var fitted = pipeline.Fit(trainData);
        var finetune = fitted.OfType<ResNetFineTuneTransformer>().Single();
        var result = finetune.TrainingResult;
        var calibration = finetune.Calibration;
        var best = result.Epochs.Single(e => e.Epoch == result.BestEpoch);
        _output.WriteLine($"best epoch {best.Epoch}: val loss {best.ValidationLoss:R}, val AUC {best.ValidationAuc:R}");

        string zip = Path.Combine(train.Root, "model.zip");
        ml.Model.Save(fitted, trainData.Schema, zip);
        var app = new MLContext();
        var loaded = app.Model.Load(zip, out _);
        try
        {
            var scored = loaded.Transform(Absolute(app, validation));
            var scores = app.Data.CreateEnumerable<Scored>(scored, reuseRowObject: false).ToList();
            double loss = scores.Average(s => -Math.Log(s.Score[s.Label - 1]));
            double auc = app.MulticlassClassification.EvaluatePerClassAuc(scored).PerClassAuc[1];
            _output.WriteLine($"loaded model.zip: loss {loss:R}, AUC {auc:R}; calibration T {calibration.Temperatures[0]:R}, loss {calibration.ValidationLossUncalibrated:R} -> {calibration.ValidationLoss:R}");
            // Temperature scaling keeps the ranking: the AUC is the best epoch's either way.
            Assert.Equal(best.ValidationAuc, auc, 1e-5);
            Assert.Equal(best.ValidationLoss, calibration.ValidationLossUncalibrated, 1e-5);
            Assert.Equal(calibrate ? calibration.ValidationLoss : best.ValidationLoss, loss, 1e-5);
            if (calibrate)
            {
                Assert.NotEqual(1.0, calibration.Temperatures[0]);
                Assert.True(calibration.ValidationLoss <= calibration.ValidationLossUncalibrated + 1e-12, "temperature scaling cannot raise the validation loss it minimises");
            }
            else
            {
                Assert.Equal(1.0, calibration.Temperatures[0]);
            }

            // What is stored in the saved model is what training fitted.
            var stored = app.Model.LoadCalibration(zip);
            Assert.Equal(calibration.Temperatures[0], stored.Temperatures[0], 1e-6);
            Assert.Equal(calibration.Thresholds[0], stored.Thresholds[0], 1e-6);
            Assert.Equal(ThresholdMethod.Youden, stored.ThresholdMethod);
            Assert.Equal(calibration.ValidationLoss, stored.ValidationLoss);
        }
        finally
        {
            (loaded as IDisposable)?.Dispose();
        }
    }

    private static IDataView Absolute(MLContext ml, SyntheticFolder folder) =>
        ml.Data.LoadFromEnumerable(folder.Rows.Select(r => new SyntheticFolder.Row { ImagePath = Path.Combine(folder.Root, r.ImagePath), Label = r.Label, Patient = r.Patient }));

    private sealed class KeyRow
    {
        public string Label { get; set; } = "";
    }

    private sealed class Scored
    {
        public uint Label { get; set; }

        public float[] Score { get; set; } = Array.Empty<float>();
    }
}
