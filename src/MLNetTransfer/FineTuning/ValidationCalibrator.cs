using System;
using System.Collections.Generic;
using System.Linq;
using MLNetTransfer.Evaluation;
using MLNetTransfer.Torch.FineTuning;
using MLNetTransfer.Torch.Losses;
using MLNetTransfer.Torch.Metrics;

namespace MLNetTransfer.FineTuning;

/// <summary>
/// After training, on the restored model's validation logits: fits the temperature (when
/// <see cref="ResNetFineTuneTrainer.Options.Calibrate"/>), chooses the operating threshold on the calibrated
/// probabilities by <see cref="ResNetFineTuneTrainer.Options.ThresholdMethod"/>, and measures the log-loss and the
/// expected calibration error before and after. The numbers are what the exported graph computes (probabilities of each
/// view after dividing by T, averaged over the test-time flip's two views), in double precision.
/// </summary>
internal static class ValidationCalibrator
{
    public static CalibrationResult Fit(ValidationLogits? logits, FineTuneData? validation, ResNetFineTuneTrainer.Options o, TaskKind task, int outputs)
    {
        bool multiLabel = task == TaskKind.MultiLabel;
        int count = multiLabel ? outputs : 1;
        if (logits is null || validation is null)
        {
            // Nothing to fit on: T = 1 and the given threshold, said so.
            var given = task == TaskKind.Multiclass ? Array.Empty<double>() : Enumerable.Repeat((double)o.DecisionThreshold, count).ToArray();
            return new CalibrationResult(Enumerable.Repeat(1.0, count).ToArray(), given, ThresholdMethod.Fixed, o.DecisionThreshold,
                "No validation data: the temperature is 1 and the threshold is DecisionThreshold.", o.TestTimeFlip, double.NaN, double.NaN, double.NaN, double.NaN);
        }

        int[]? labels = multiLabel ? null : validation.Labels!.ToArray();
        float[]? targets = multiLabel ? o.Uncertainty.Apply(validation.Targets!) : null;
        var ones = Enumerable.Repeat(1.0, count).ToArray();
        double[] temperatures = !o.Calibrate ? ones
            : logits.Mirrored is { } mirrored
                ? multiLabel ? FlipAveragedTemperature.Fit(logits.Logits, mirrored, targets!, outputs) : new[] { FlipAveragedTemperature.Fit(logits.Logits, mirrored, labels!, outputs) }
                : multiLabel ? TemperatureScaling.Fit(logits.Logits, targets!, outputs) : new[] { TemperatureScaling.Fit(logits.Logits, labels!, outputs) };

        double[] calibrated = Probabilities(logits, temperatures, multiLabel);
        double[] raw = Probabilities(logits, ones, multiLabel);
        double loss = Loss(calibrated, labels, targets, outputs);
        double lossRaw = Loss(raw, labels, targets, outputs);
        double ece = multiLabel ? CalibrationError.Compute(calibrated, targets!, outputs).Ece : CalibrationError.Compute(calibrated, labels!, outputs).Ece;
        double eceRaw = multiLabel ? CalibrationError.Compute(raw, targets!, outputs).Ece : CalibrationError.Compute(raw, labels!, outputs).Ece;

        var notes = new List<string>();
        var thresholds = new List<double>();
        if (task != TaskKind.Multiclass)
        {
            // Binary: the positive (second) class's probability against label 1; multi-label: each label on its known targets.
            for (int j = 0; j < count; j++)
            {
                int column = multiLabel ? j : 1;
                var p = new List<float>();
                var positive = new List<bool>();
                for (int i = 0; i < logits.Rows; i++)
                {
                    if (multiLabel && float.IsNaN(targets![i * outputs + j]))
                    {
                        continue;
                    }

                    p.Add((float)calibrated[i * outputs + column]);
                    positive.Add(multiLabel ? targets![i * outputs + j] == 1f : labels![i] == 1);
                }

                thresholds.Add(Threshold(p.ToArray(), positive.ToArray(), o, multiLabel ? $"label {j}" : "the positive class", notes));
            }
        }

        double target = o.ThresholdMethod switch
        {
            ThresholdMethod.TargetSensitivity or ThresholdMethod.TargetSpecificity => o.ThresholdTarget,
            ThresholdMethod.Fixed => o.DecisionThreshold,
            _ => double.NaN,
        };
        return new CalibrationResult(temperatures, thresholds, o.ThresholdMethod, target, notes.Count == 0 ? null : string.Join(" ", notes),
            o.TestTimeFlip, loss, lossRaw, ece, eceRaw);
    }

    // The chosen threshold, kept strictly inside (0, 1) as the graph requires; DecisionThreshold, with a note, where the
    // method cannot choose (no positive or no negative row).
    private static double Threshold(float[] p, bool[] positive, ResNetFineTuneTrainer.Options o, string what, List<string> notes)
    {
        double target = o.ThresholdMethod == ThresholdMethod.Fixed ? o.DecisionThreshold : o.ThresholdTarget;
        var choice = ThresholdSelection.Choose(p, positive, o.ThresholdMethod, target);
        if (choice.Note is { } note)
        {
            notes.Add($"{what}: {note}");
        }

        if (float.IsNaN(choice.Threshold))
        {
            notes.Add($"{what}: DecisionThreshold {o.DecisionThreshold} used instead.");
            return o.DecisionThreshold;
        }

        return Math.Clamp(choice.Threshold, 1e-7f, 0.99999994f);
    }

    // What the graph outputs: each view's logits divided by T, softmax or sigmoid, averaged over the views.
    private static double[] Probabilities(ValidationLogits logits, double[] temperatures, bool multiLabel)
    {
        int k = logits.Outputs;
        var views = logits.Mirrored is null ? new[] { logits.Logits } : new[] { logits.Logits, logits.Mirrored };
        var result = new double[logits.Rows * k];
        var row = new double[k];
        foreach (var view in views)
        {
            for (int i = 0; i < logits.Rows; i++)
            {
                for (int c = 0; c < k; c++)
                {
                    row[c] = view[i * k + c] / temperatures[multiLabel ? c : 0];
                }

                if (multiLabel)
                {
                    for (int c = 0; c < k; c++)
                    {
                        result[i * k + c] += TemperatureScaling.Sigmoid(row[c]) / views.Length;
                    }
                }
                else
                {
                    double max = row.Max();
                    double sum = row.Sum(v => Math.Exp(v - max));
                    for (int c = 0; c < k; c++)
                    {
                        result[i * k + c] += Math.Exp(row[c] - max) / sum / views.Length;
                    }
                }
            }
        }

        return result;
    }

    // Mean log-loss in nats, over rows (single-label) or over every known target (multi-label, as the training loss).
    private static double Loss(double[] probabilities, int[]? labels, float[]? targets, int outputs)
    {
        var p = probabilities.Select(v => (float)v).ToArray();
        if (labels is not null)
        {
            return LogLoss.SingleLabel(p, labels, outputs);
        }

        double sum = 0;
        long known = 0;
        int rows = targets!.Length / outputs;
        for (int j = 0; j < outputs; j++)
        {
            int n = Enumerable.Range(0, rows).Count(i => !float.IsNaN(targets[i * outputs + j]));
            if (n > 0)
            {
                sum += LogLoss.Label(p, targets, outputs, j) * n;
                known += n;
            }
        }

        return known == 0 ? double.NaN : sum / known;
    }
}
