using System.Collections.Generic;

namespace MLNetTransfer.Cli.Report;

/// <summary>
/// The ROC curves a report draws for its task, picked from the ones the library returned: binary, the positive class
/// (index 1) only; multiclass, one-vs-rest per class; multi-label, one per label. Classes or labels with no curve (their
/// rows hold one value only, so the AUC is undefined) are listed in <see cref="Undefined"/>.
/// </summary>
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
            if (input.RocCurves[c] is { } curve)
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
}
