using System.Collections.Generic;
using System.Text.RegularExpressions;

namespace MLNetTransfer.Cli.Data;

/// <summary>
/// The library's data messages name its parameters (<c>dataPath</c>, <c>ImageColumnName</c>, ...); the person at the
/// command line set them through options, so each name becomes the option that sets it.
/// </summary>
internal static partial class OptionNames
{
    private static readonly Dictionary<string, string> Options = new()
    {
        ["dataPath"] = DataSourceOptions.DataOption,
        [nameof(ImageSplitsOptions.ValidationPath)] = DataSourceOptions.ValidationOption,
        [nameof(ImageSplitsOptions.TestPath)] = DataSourceOptions.TestOption,
        [nameof(ImageCsvOptions.ImageColumnName)] = DataSourceOptions.ImageColumnOption,
        [nameof(ImageCsvOptions.LabelColumnName)] = DataSourceOptions.LabelColumnOption,
        [nameof(ImageCsvOptions.LabelColumnNames)] = DataSourceOptions.LabelColumnsOption,
        [nameof(ImageCsvOptions.GroupColumnName)] = DataSourceOptions.GroupColumnOption,
    };

    /// <summary><paramref name="message"/> with the library's parameter names replaced by the options that set them.</summary>
    public static string InMessage(string message) => Names().Replace(message, m => Options[m.Value]);

    // Whole names only, and not inside a path or a quoted column name ("/data/dataPath/x.png", "'TestPath'"); a name
    // may end a sentence.
    [GeneratedRegex("""(?<![\w/\\.'"-])(dataPath|ValidationPath|TestPath|ImageColumnName|LabelColumnNames|LabelColumnName|GroupColumnName)(?![\w/\\'"-]|\.\w)""")]
    private static partial Regex Names();
}
