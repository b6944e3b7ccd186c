using System;
using System.Collections.Generic;
using System.Linq;
using MLNetTransfer.Cli.Report;

namespace MLNetTransfer.Cli.Tests.Report;

/// <summary>
/// Seeded report inputs of each task, shaped like what <c>train</c> and <c>evaluate</c> pass: scored rows evaluated
/// through the public API (<see cref="Evaluations"/>).
/// </summary>
internal static class ReportInputs
{
    /// <summary>A setting whose value would run as script if it were not escaped.</summary>
    public const string HostileValue = "<script>alert('x')</script> & \"quoted\"";

    /// <summary>A binary train run of <paramref name="epochs"/> epochs (0 = evaluate) over 120 scored rows.</summary>
    public static ReportInput Binary(int epochs, string[]? classNames = null)
    {
        classNames ??= ["NORMAL", "OPACITY"];
        var random = new Random(5);
        int n = 120;
        var labels = new int[n];
        var scores = new float[n][];
        for (int i = 0; i < n; i++)
        {
            labels[i] = i % 3 == 0 ? 1 : 0;
            float p = Math.Clamp((float)((random.NextDouble() * 0.8) + (labels[i] * 0.35)), 0f, 1f);
            scores[i] = [1 - p, p];
        }

        return new ReportInput
        {
            Title = epochs > 0 ? "mlnet-transfer train: resnet18 on synthetic chest X-rays" : "mlnet-transfer evaluate: model.zip",
            Settings = [("arch", "resnet18"), ("strategy", "last-stages:2"), ("data", HostileValue)],
            Metrics = [("auc", "0.8123"), ("accuracy", "0.7500")],
            Epochs = Epochs(epochs, classes: 1),
            BestEpoch = epochs > 0 ? Math.Max(1, epochs - 1) : 0,
            ClassNames = classNames,
            Task = TaskKind.Binary,
            RocCurves = Evaluations.PerClassAuc(scores, labels).RocCurves,
            Confusion = ConfusionTable.FromMulticlass(Evaluations.MulticlassConfusion(scores, labels), classNames),
            EvaluatedOn = "test split (120 images)",
        };
    }

    /// <summary>A four-class train run; class "rare" never occurs, so its AUC is undefined.</summary>
    public static ReportInput Multiclass()
    {
        string[] names = ["normal", "pneumonia", "covid", "rare"];
        var random = new Random(7);
        int n = 90;
        var labels = new int[n];
        var scores = new float[n][];
        for (int i = 0; i < n; i++)
        {
            labels[i] = i % 3;
            double[] logits = names.Select((_, c) => random.NextDouble() * 2 + (c == labels[i] ? 0.8 : 0)).ToArray();
            double sum = logits.Sum(Math.Exp);
            scores[i] = logits.Select(l => (float)(Math.Exp(l) / sum)).ToArray();
        }

        return new ReportInput
        {
            Title = "multiclass",
            Epochs = Epochs(4, classes: names.Length),
            BestEpoch = 3,
            ClassNames = names,
            Task = TaskKind.Multiclass,
            RocCurves = Evaluations.PerClassAuc(scores, labels).RocCurves,
            Confusion = ConfusionTable.FromMulticlass(Evaluations.MulticlassConfusion(scores, labels), names),
            EvaluatedOn = "validation split (90 images)",
        };
    }

    /// <summary>A three-label train run with missing targets; label "Fracture" is known negative only.</summary>
    public static ReportInput MultiLabel()
    {
        string[] names = ["Cardiomegaly", "Edema", "Fracture"];
        var random = new Random(11);
        int n = 80;
        var truth = new float[n][];
        var scores = new float[n][];
        for (int i = 0; i < n; i++)
        {
            truth[i] = [i % 2, i % 5 == 0 ? 1 : 0, 0];
            if (i % 7 == 0)
            {
                truth[i][1] = float.NaN; // missing
            }

            scores[i] = truth[i].Select(t => (float)Math.Clamp(random.NextDouble() * 0.7 + (t == 1 ? 0.3 : 0), 0, 1)).ToArray();
        }

        var (auc, confusion) = Evaluations.MultiLabel(scores, truth, names, threshold: 0.5f);
        return new ReportInput
        {
            Title = "multi-label",
            Epochs = Epochs(3, classes: names.Length),
            BestEpoch = 3,
            ClassNames = names,
            Task = TaskKind.MultiLabel,
            RocCurves = auc.RocCurves,
            Confusion = ConfusionTable.FromMultiLabel(confusion),
            EvaluatedOn = "test split (80 images)",
        };
    }

    /// <summary>Loss falling and AUC rising over <paramref name="count"/> epochs.</summary>
    public static IReadOnlyList<EpochMetrics> Epochs(int count, int classes) =>
        Enumerable.Range(1, count).Select(e => new EpochMetrics(
            Epoch: e,
            TrainLoss: 0.7 / e,
            ValidationLoss: 0.75 / e + 0.05,
            ValidationAccuracy: 0.6 + (0.05 * e),
            ValidationAuc: 1 - (0.3 / e),
            PerClassAuc: Enumerable.Repeat(0.7, classes).ToArray(),
            UndefinedAucCount: 0,
            ActiveParameters: 1000,
            LearningRate: 1e-3 / e,
            ImagesPerSecond: 50,
            Seconds: 12.5,
            IsBest: e == count)).ToArray();
}
