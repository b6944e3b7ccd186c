using System;
using System.CommandLine;
using System.Linq;
using MLNetTransfer.Cli.Data;

namespace MLNetTransfer.Cli.Commands;

/// <summary>The data options that <c>train</c> and <c>evaluate</c> share, and their reading into <see cref="DataSourceOptions"/>.</summary>
internal sealed class DataArguments
{
    public Option<string> Data { get; } = new(DataSourceOptions.DataOption)
    {
        Description = "A folder with one subfolder per class (or train/, val/, test/ each with one subfolder per class, as in the pediatric pneumonia set), or a CSV file (Path,Label; or CheXpert-style label columns).",
        Required = true,
    };

    public Option<string> ImageColumn { get; } = new(DataSourceOptions.ImageColumnOption)
    {
        Description = "CSV: the column of image paths (absolute, or relative to the CSV's folder).",
        DefaultValueFactory = _ => "Path",
    };

    public Option<string> LabelColumn { get; } = new(DataSourceOptions.LabelColumnOption)
    {
        Description = "CSV: the column of class names (single-label).",
        DefaultValueFactory = _ => "Label",
    };

    public Option<string[]> LabelColumns { get; } = new(DataSourceOptions.LabelColumnsOption)
    {
        Description = "CSV, multi-label: the label columns, comma-separated or repeated (CheXpert style: 1, 0, -1 uncertain, blank missing).",
        AllowMultipleArgumentsPerToken = true,
    };

    public Option<string?> GroupColumn { get; } = new(DataSourceOptions.GroupColumnOption)
    {
        Description = "A patient or study id; images that share it stay on one side of the validation split. A CSV column, or dicom:KEYWORD (e.g. dicom:PatientID, any layout) to read it from each DICOM file's tag.",
    };

    public Option<string?> Validation { get; } = new(DataSourceOptions.ValidationOption)
    {
        Description = "A validation split in the same form as --data (instead of val/ or a held-out part).",
    };

    public Option<string?> Test { get; } = new(DataSourceOptions.TestOption)
    {
        Description = "A test split in the same form as --data (instead of test/).",
    };

    public void AddTo(Command command)
    {
        command.Options.Add(Data);
        command.Options.Add(ImageColumn);
        command.Options.Add(LabelColumn);
        command.Options.Add(LabelColumns);
        command.Options.Add(GroupColumn);
        command.Options.Add(Validation);
        command.Options.Add(Test);
    }

    public DataSourceOptions Read(ParseResult parse)
    {
        var labelColumns = (parse.GetValue(LabelColumns) ?? Array.Empty<string>())
            .SelectMany(v => v.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            .ToList();
        var duplicate = labelColumns.GroupBy(c => c, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new CliException(ExitCodes.Usage, $"{DataSourceOptions.LabelColumnsOption}: '{duplicate.Key}' is listed twice.");
        }

        return new DataSourceOptions
        {
            DataPath = parse.GetValue(Data)!,
            ImageColumn = parse.GetValue(ImageColumn)!,
            LabelColumn = parse.GetValue(LabelColumn)!,
            LabelColumns = labelColumns.Count == 0 ? null : labelColumns,
            GroupColumn = parse.GetValue(GroupColumn),
            ValidationPath = parse.GetValue(Validation),
            TestPath = parse.GetValue(Test),
        };
    }
}
