using System.Collections.Generic;
using MLNetTransfer.Torch.Metrics;

namespace MLNetTransfer.Cli.Report;

/// <summary>
/// The ROC curves a report draws for its task: binary, the positive class (index 1) only; multiclass, one-vs-rest per
/// class; multi-label, one per label over the rows whose target is known. Classes or labels whose rows hold one value
/// only have no curve and are listed in <see cref="Undefined"/>.
/// </summary>
/// <remarks>
/// These are the curves behind the AUCs the engine reports (<c>RocAuc.Binary</c>, <c>OneVsRest</c>, <c>PerLabel</c>),
/// including the choice to name an undefined AUC rather than fail the report over it.
/// </remarks>
internal sealed class RocCurveSet
{
    private RocCurveSet(IReadOnlyList<(string Name, RocCurve Curve)> curves, IReadOnlyList<string> undefined)
    {
        Curves = curves;
        Undefined = undefined;
    }

    /// <summary>Each drawn curve with its class or label name, in column order.</summary>
    public IReadOnlyList<(string Name, RocCurve Curve)> Curves { get; }

    /// <summary>Classes or labels with no curve because one value only occurs among their rows.</summary>
    public IReadOnlyList<string> Undefined { get; }

    /// <summary>The curves of a validated <paramref name="input"/>.</summary>
    public static RocCurveSet From(ReportInput input)
    {
        var curves = new List<(string, RocCurve)>();
        var undefined = new List<string>();
        int first = input.Task == TaskKind.Binary ? 1 : 0;
        for (int c = first; c < input.ClassNames.Count; c++)
        {
            (float[] scores, bool[] positives) = input.IsSingleLabel ? OneVsRest(input, c) : KnownTargets(input, c);
            if (RocCurve.Compute(scores, positives) is { } curve)
            {
                curves.Add((input.ClassNames[c], curve));
            }
            else
            {
                undefined.Add(input.ClassNames[c]);
            }
        }

        return new RocCurveSet(curves, undefined);
    }

    private static (float[] Scores, bool[] Positives) OneVsRest(ReportInput input, int c)
    {
        int[] labels = input.Labels!;
        var scores = new float[labels.Length];
        var positives = new bool[labels.Length];
        for (int i = 0; i < labels.Length; i++)
        {
            scores[i] = input.Scores[i][c];
            positives[i] = labels[i] == c;
        }

        return (scores, positives);
    }

    private static (float[] Scores, bool[] Positives) KnownTargets(ReportInput input, int j)
    {
        float[][] truth = input.MultiLabels!;
        var scores = new List<float>(truth.Length);
        var positives = new List<bool>(truth.Length);
        for (int i = 0; i < truth.Length; i++)
        {
            float target = truth[i][j];
            if (!float.IsNaN(target))
            {
                scores.Add(input.Scores[i][j]);
                positives.Add(target == 1f);
            }
        }

        return (scores.ToArray(), positives.ToArray());
    }
}
