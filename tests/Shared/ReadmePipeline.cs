using System;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Xunit;

namespace MLNetTransfer.Tests.Shared;

/// <summary>
/// README.md's pipeline block (the first C# block of "In an ML.NET pipeline"), made to run on tiny data: the data folder,
/// the model path, 64 px images and one epoch replace the README's values. Each replacement must match exactly once, so
/// an edit of the README that the tests would no longer follow fails here instead of silently running something else.
/// Linked into the test projects that run it (ReadmeCodeTests, PackageConsumerTests).
/// </summary>
internal static class ReadmePipeline
{
    /// <summary>The block as README.md has it.</summary>
    public static string Block(string repositoryRoot)
    {
        string readme = File.ReadAllText(Path.Combine(repositoryRoot, "README.md"));
        int section = readme.IndexOf("## In an ML.NET pipeline", StringComparison.Ordinal);
        Assert.True(section >= 0, "README.md has no section 'In an ML.NET pipeline'.");
        var match = Regex.Match(readme[section..], @"^```csharp\n(.*?)^```", RegexOptions.Multiline | RegexOptions.Singleline);
        Assert.True(match.Success, "README.md's 'In an ML.NET pipeline' section has no C# block.");
        return match.Groups[1].Value;
    }

    /// <summary>The block reading <paramref name="dataFolder"/>, saving <paramref name="modelPath"/>, 64 px images (56 px crop), one epoch.</summary>
    public static string Tiny(string block, string dataFolder, string modelPath) => new[]
    {
        ("\"chest_xray\"", Literal(dataFolder)),
        ("\"model.zip\"", Literal(modelPath)),
        ("ResizeTo = 256, CropSize = 224", "ResizeTo = 64, CropSize = 56"),
        ("Epochs = 10, WarmupEpochs = 1", "Epochs = 1, WarmupEpochs = 0"),
    }.Aggregate(block, (code, r) =>
    {
        int count = Regex.Matches(code, Regex.Escape(r.Item1)).Count;
        Assert.True(count == 1, $"README.md's pipeline block has {count} occurrences of {r.Item1}, expected 1: update {nameof(ReadmePipeline)}.");
        return code.Replace(r.Item1, r.Item2, StringComparison.Ordinal);
    });

    /// <summary>The repository root: the folder above <paramref name="start"/> that holds MLNetTransfer.sln.</summary>
    public static string RepositoryRoot(string start)
    {
        var folder = new DirectoryInfo(start);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "MLNetTransfer.sln")))
        {
            folder = folder.Parent;
        }

        Assert.True(folder is not null, $"No MLNetTransfer.sln above {start}");
        return folder!.FullName;
    }

    private static string Literal(string path) => "@\"" + path.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
