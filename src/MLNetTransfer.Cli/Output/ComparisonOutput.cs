using System.Globalization;
using Spectre.Console;

namespace MLNetTransfer.Cli.Output;

/// <summary>What <c>compare</c> prints and writes: the library's <see cref="AucComparison"/> of two models, and what was compared.</summary>
/// <param name="ModelA">The first model's file (A).</param>
/// <param name="ModelB">The second model's file (B).</param>
/// <param name="Task">The models' task.</param>
/// <param name="ClassName">The class (one-vs-rest) or label whose AUCs are compared.</param>
/// <param name="Images">Images scored by both models.</param>
/// <param name="EvaluatedOn">Those images, in words.</param>
/// <param name="Comparison">The paired DeLong test.</param>
internal sealed record ComparisonOutput(string ModelA, string ModelB, TaskKind Task, string ClassName, int Images, string EvaluatedOn, AucComparison Comparison)
{
    /// <summary>The significance level the printed verdict uses; the JSON gives the p-value itself.</summary>
    public const double Alpha = 0.05;

    /// <summary>A p-value for people: four decimals, or "&lt; 0.0001" below that; "n/a" when undefined.</summary>
    public static string PValue(double p) => p < 1e-4 ? "< 0.0001" : Formats.Metric(p);

    public void Print()
    {
        var c = Comparison;
        AnsiConsole.WriteLine($"Compared on the {EvaluatedOn}:");
        var table = new Table().AddColumn("").AddColumn(new TableColumn("value").RightAligned());
        table.AddRow("model A", Markup.Escape(ModelA));
        table.AddRow("model B", Markup.Escape(ModelB));
        table.AddRow(Task == TaskKind.MultiLabel ? "label" : "class", Markup.Escape(Task == TaskKind.Binary ? ClassName : $"{ClassName} (one-vs-rest)"));
        table.AddRow("images (positive / negative)", $"{c.Rows} ({c.Positives} / {c.Negatives})");
        table.AddRow("AUC A", Formats.Metric(c.AucA));
        table.AddRow("AUC B", Formats.Metric(c.AucB));
        table.AddRow("delta AUC (A - B)", Formats.Metric(c.DeltaAuc));
        table.AddRow("95% CI of delta", c.DeltaAucCi95.IsDefined ? Markup.Escape(c.DeltaAucCi95.ToString()) : "n/a");
        table.AddRow("z", Formats.Metric(c.ZScore));
        table.AddRow("p-value (paired DeLong)", Markup.Escape(PValue(c.PValue)));
        AnsiConsole.Write(table);
        if (c.UndefinedReason is { } reason)
        {
            AnsiConsole.MarkupLine($"[yellow]{Markup.Escape(reason)}[/]");
        }
        else
        {
            AnsiConsole.WriteLine(c.PValue < Alpha
                ? string.Create(CultureInfo.InvariantCulture, $"The AUCs differ at the {Alpha} level: model {(c.DeltaAuc > 0 ? "A" : "B")} ranks {ClassName} better on these images.")
                : string.Create(CultureInfo.InvariantCulture, $"The AUCs do not differ at the {Alpha} level on these images."));
        }
    }

    /// <summary>Writes the JSON file (keys in README.md, "compare"); returns its full path.</summary>
    public string Write(string path) => JsonValues.WriteObject(path, json =>
    {
        var c = Comparison;
        json.WriteString("command", "compare");
        json.WriteString("model_a", ModelA);
        json.WriteString("model_b", ModelB);
        json.WriteString("task", MetricsJson.TaskName(Task));
        json.WriteString("class", ClassName);
        json.WriteString("evaluated_on", EvaluatedOn);
        json.WriteNumber("images", Images);
        json.WriteNumber("rows_compared", c.Rows);
        json.WriteNumber("positives", c.Positives);
        json.WriteNumber("negatives", c.Negatives);
        json.NumberOrNull("auc_a", c.AucA);
        json.NumberOrNull("auc_b", c.AucB);
        json.NumberOrNull("delta_auc", c.DeltaAuc);
        json.Interval("delta_auc_ci95", c.DeltaAucCi95);
        json.NumberOrNull("z_score", c.ZScore);
        json.NumberOrNull("p_value", c.PValue);
        if (c.UndefinedReason is { } reason)
        {
            json.WriteString("undefined_reason", reason);
        }
    });
}
