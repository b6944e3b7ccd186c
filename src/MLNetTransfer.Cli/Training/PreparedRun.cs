using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML;
using MLNetTransfer.Cli.Data;
using MLNetTransfer.Cli.Scoring;

namespace MLNetTransfer.Cli.Training;

/// <summary>
/// What <c>train</c> has read and split before it fits (<see cref="TrainingRun.Prepare"/>): the same for each model that
/// <see cref="TrainingRun.FitAndSave"/> fits on it, so that models trained from one run are compared on the same images.
/// </summary>
/// <param name="Ml">The context, seeded with <c>--seed</c>.</param>
/// <param name="Dataset">The data set, its classes in key order (a binary task's positive class second).</param>
/// <param name="Train">The images trained on.</param>
/// <param name="Validation">The validation images: the validation split, or those held out of the training images.</param>
/// <param name="TrainView">The training images as the pipeline reads them (<see cref="ImageRows"/>).</param>
/// <param name="ValidationView">The validation images as the pipeline reads them.</param>
internal sealed record PreparedRun(
    MLContext Ml,
    LabeledDataset Dataset,
    IReadOnlyList<ImageRecord> Train,
    IReadOnlyList<ImageRecord> Validation,
    IDataView TrainView,
    IDataView ValidationView)
{
    public bool MultiLabel => Dataset.Task == TaskKind.MultiLabel;

    /// <summary>The full-precision reader the models are trained with (<see cref="PixelReaders.Choose"/>), or null for ML.NET's 8-bit images.</summary>
    public IImagePixelReader? PixelReader { get; init; }

    /// <summary>
    /// The images a trained model is evaluated on, and how the output names them: the test split, or without one the
    /// validation set, which also chose the best epoch, so its metrics are optimistic.
    /// </summary>
    /// <remarks>With <c>--bad-images skip</c>, without the images left out (the test split's are already out of <see cref="Dataset"/>).</remarks>
    public (IReadOnlyList<ImageRecord> Records, string Description) Evaluated()
    {
        if (Dataset.Test is { } test)
        {
            return (test, $"test split ({test.Count} images)");
        }

        var left = Skipped.Where(s => s.Split == SkippedImageRow.ValidationSplit).Select(s => s.Path).ToHashSet(StringComparer.Ordinal);
        var validation = left.Count == 0 ? Validation : Validation.Where(r => !left.Contains(r.Path)).ToList();
        return (validation, $"validation set ({validation.Count} images; it also chose the best epoch, so this is optimistic: keep a test split)");
    }

    /// <summary>
    /// <c>--bad-images skip</c>: the images left out, the test split's by <see cref="TrainingRun.Prepare"/>, the training
    /// and validation images' by the last <see cref="TrainingRun.FitAndSave"/> (FineTuneResNet's SkippedImages).
    /// </summary>
    public List<SkippedImageRow> Skipped { get; } = new();
}
