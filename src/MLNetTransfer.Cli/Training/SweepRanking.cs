using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Microsoft.ML;
using MLNetTransfer.Cli.Data;
using MLNetTransfer.Cli.Scoring;

namespace MLNetTransfer.Cli.Training;

/// <summary>One strategy of <c>train --strategy compare</c>, trained and saved: its name, what training reported, and its saved model's scores of the evaluated images.</summary>
internal sealed record SweptModel(string Strategy, FineTuneResult Training, string ModelPath, float[][] Scores);

/// <summary>A row of the sweep's table.</summary>
/// <param name="Strategy">The strategy asked for: scratch, feature-extraction, auto or full.</param>
/// <param name="ResolvedStrategy">The strategy trained (auto resolved).</param>
/// <param name="ModelPath">The saved model.</param>
/// <param name="Auc">The compared class's (or label's) AUC on the evaluated images.</param>
/// <param name="AucCi95">DeLong's 95% interval of <paramref name="Auc"/>.</param>
/// <param name="TrainSeconds">Training wall time.</param>
/// <param name="TrainableParameters">Parameters the strategy trains.</param>
/// <param name="VersusBest">The paired DeLong test of this model (A) against the best (B) on the same images; null for the best itself.</param>
/// <param name="IsBest">The highest AUC.</param>
/// <param name="NotSignificantlyBelowBest">The best itself, or an AUC that the paired test does not find below the best's.</param>
internal sealed record SweepRow(string Strategy, string ResolvedStrategy, string ModelPath, double Auc, ConfidenceInterval AucCi95, double TrainSeconds,
    long TrainableParameters, AucComparison? VersusBest, bool IsBest, bool NotSignificantlyBelowBest);

/// <summary>The table, and the strategy it recommends (null when no AUC is defined on the evaluated images) with the reason.</summary>
internal sealed record SweepOutcome(IReadOnlyList<SweepRow> Rows, SweepRow? Recommended, string Reason);

/// <summary>
/// Ranks the strategies of a sweep: each model's AUC of one class with DeLong's interval (the library's
/// <c>EvaluateDiagnostics</c>), the best by AUC, each other model tested against the best on the same images (the
/// library's paired <c>CompareAuc</c>), and the cheapest of those not significantly below the best recommended.
/// </summary>
/// <remarks>
/// "Cheapest" is the fewest trainable parameters, the shorter training breaking ties. "Not significantly below" is a
/// two-sided p-value of at least <see cref="Alpha"/> (the best has the highest AUC, so any difference is a shortfall), or
/// the very same AUC where the test is undefined (identical rankings have a variance of 0). An undefined test with a
/// different AUC (a class with a single image) does not qualify: nothing shows that the shortfall is noise.
/// </remarks>
internal static class SweepRanking
{
    public const double Alpha = 0.05;

    public static SweepOutcome Rank(MLContext ml, LabeledDataset dataset, IReadOnlyList<ImageRecord> evaluated, string evaluatedOn,
        int classIndex, IReadOnlyList<SweptModel> models)
    {
        var classes = dataset.ClassNames;
        var aucs = models.Select(m =>
        {
            var view = PairedScores.Create(ml, dataset.Task, classes, evaluated, m.Scores, m.Scores, evaluatedOn);
            var diagnostics = ml.MulticlassClassification.EvaluateDiagnostics(view, PairedScores.LabelColumn, PairedScores.ScoreA);
            return diagnostics.PerClass[classIndex];
        }).ToList();

        var defined = Enumerable.Range(0, models.Count).Where(k => double.IsFinite(aucs[k].Auc)).ToList();
        if (defined.Count == 0)
        {
            var undefined = models.Select((m, k) => Row(m, aucs[k], null, isBest: false, qualifies: false)).ToList();
            return new SweepOutcome(undefined, null,
                $"No strategy's AUC of {classes[classIndex]} is defined on the {evaluatedOn} ({aucs[0].UndefinedReason}), so none is recommended.");
        }

        int best = defined.OrderByDescending(k => aucs[k].Auc)
            .ThenBy(k => models[k].Training.TrainableParameters).ThenBy(k => models[k].Training.TrainSeconds).First();
        var rows = models.Select((m, k) =>
        {
            if (k == best)
            {
                return Row(m, aucs[k], null, isBest: true, qualifies: true);
            }

            var view = PairedScores.Create(ml, dataset.Task, classes, evaluated, m.Scores, models[best].Scores, evaluatedOn);
            var test = ml.MulticlassClassification.CompareAuc(view, PairedScores.ScoreA, PairedScores.ScoreB, PairedScores.LabelColumn, classIndex);
            return Row(m, aucs[k], test, isBest: false, qualifies: NotSignificantlyBelow(test));
        }).ToList();
        var recommended = Cheapest(rows);
        return new SweepOutcome(rows, recommended, Reason(recommended, rows[best], rows, classes[classIndex]));
    }

    /// <summary>The rule for a model other than the best (see the remarks).</summary>
    public static bool NotSignificantlyBelow(AucComparison versusBest) =>
        versusBest.PValue >= Alpha || versusBest.DeltaAuc == 0;

    /// <summary>Among the rows that qualify, the fewest trainable parameters, then the shortest training.</summary>
    public static SweepRow Cheapest(IReadOnlyList<SweepRow> rows) => rows.Where(r => r.NotSignificantlyBelowBest)
        .OrderBy(r => r.TrainableParameters).ThenBy(r => r.TrainSeconds).First();

    private static SweepRow Row(SweptModel m, ClassDiagnostics auc, AucComparison? versusBest, bool isBest, bool qualifies) =>
        new(m.Strategy, m.Training.Strategy.ToString(), m.ModelPath, auc.Auc, auc.AucCi95, m.Training.TrainSeconds,
            m.Training.TrainableParameters, versusBest, isBest, qualifies);

    private static string Reason(SweepRow recommended, SweepRow best, IReadOnlyList<SweepRow> rows, string className)
    {
        var qualifying = rows.Where(r => r.NotSignificantlyBelowBest).ToList();
        bool tie = qualifying.Count(r => r.TrainableParameters == recommended.TrainableParameters) > 1;
        return string.Create(CultureInfo.InvariantCulture,
            $"{recommended.Strategy}: the fewest trainable parameters ({recommended.TrainableParameters:N0}{(tie ? "; the shorter training breaks the tie" : "")}) " +
            $"among the strategies whose AUC of {className} is not significantly below the best's ({best.Strategy}, {best.Auc:F4}; paired DeLong test, two-sided p >= {Alpha}): " +
            $"{string.Join(", ", qualifying.Select(r => r.Strategy))}.");
    }
}
