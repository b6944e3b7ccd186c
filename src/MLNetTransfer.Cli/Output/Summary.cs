using System.Globalization;
using MLNetTransfer.Cli.Scoring;
using Spectre.Console;

namespace MLNetTransfer.Cli.Output;

/// <summary>The evaluation as a console table: AUC, accuracy, per-class AUC and the further metrics.</summary>
internal static class Summary
{
    public static void Print(EvaluationMetrics metrics, string evaluatedOn)
    {
        AnsiConsole.WriteLine($"Evaluated on the {evaluatedOn}:");
        var table = new Table().AddColumn("metric").AddColumn(new TableColumn("value").RightAligned());
        string aucName = metrics.Task switch
        {
            TaskKind.Binary => $"AUC ({metrics.ClassNames[1]} positive)",
            TaskKind.Multiclass => "AUC (macro, one-vs-rest)",
            _ => "AUC (macro over labels)",
        };
        table.AddRow(Markup.Escape(aucName), Formats.Metric(metrics.Auc));
        table.AddRow(metrics.Task == TaskKind.MultiLabel ? "accuracy (targets at 0.5)" : "accuracy", Formats.Metric(metrics.Accuracy));
        for (int i = 0; i < metrics.ClassNames.Count; i++)
        {
            table.AddRow(Markup.Escape($"AUC {metrics.ClassNames[i]}"), Formats.Metric(metrics.PerClassAuc[i]));
        }

        foreach (var (name, value) in metrics.Extra)
        {
            table.AddRow(Markup.Escape(name), Formats.Metric(value));
        }

        foreach (var (name, value) in DiagnosticRows.Of(metrics))
        {
            table.AddRow(Markup.Escape(name), Markup.Escape(value));
        }

        AnsiConsole.Write(table);
        if (metrics.UndefinedAucCount > 0)
        {
            AnsiConsole.MarkupLine($"[yellow]{metrics.UndefinedAucCount} class(es) have only one value in this split; their AUC is undefined (n/a) and left out of the mean.[/]");
        }
    }
}
