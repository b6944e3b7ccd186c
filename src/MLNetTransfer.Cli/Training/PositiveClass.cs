using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using MLNetTransfer.Cli.Data;
using Spectre.Console;

namespace MLNetTransfer.Cli.Training;

/// <summary>
/// The class order of a binary task, whose second class is the positive one (ML.NET's binary evaluator, the model's
/// Probability and Logit): the ordinal order unless <c>--positive-class</c> names the finding. With COVID/NORMAL or
/// Effusion/"No Finding", the ordinal order would make the healthy class positive, so that case gets a warning.
/// </summary>
internal static partial class PositiveClass
{
    public const string Option = "--positive-class";

    public static IReadOnlyList<string> Order(LabeledDataset dataset, string? positive)
    {
        var classes = dataset.ClassNames;
        if (positive is null)
        {
            if (dataset.Task == TaskKind.Binary && Healthy().IsMatch(classes[1]))
            {
                AnsiConsole.MarkupLine(Markup.Escape(
                    $"warning: the positive class is '{classes[1]}' (the second in ordinal order), which looks like the healthy one; " +
                    $"AUC, recall and Probability then describe it. Pass {Option} {classes[0]} to make '{classes[0]}' positive."));
            }

            return classes;
        }

        if (dataset.Task != TaskKind.Binary)
        {
            throw new CliException(ExitCodes.Usage, $"{Option} applies to two-class data; this data set is {(dataset.Task == TaskKind.MultiLabel ? "multi-label" : $"{classes.Count}-class")}.");
        }

        if (!classes.Contains(positive, StringComparer.Ordinal))
        {
            throw new CliException(ExitCodes.Usage, $"{Option}: '{positive}' is not a class of the data; the classes are {string.Join(", ", classes.Select(c => $"'{c}'"))}.");
        }

        return new[] { classes.Single(c => c != positive), positive };
    }

    [GeneratedRegex("^(normal|negative|healthy|benign|no[ _-]?finding|none)$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Healthy();
}
