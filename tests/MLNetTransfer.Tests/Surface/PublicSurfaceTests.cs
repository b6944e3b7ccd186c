using System;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Xunit;

namespace MLNetTransfer.Tests.Surface;

/// <summary>
/// One public surface: what users need is public in the <c>MLNetTransfer</c> namespace and documented; the engine
/// (Torch/) and the ONNX writer (Onnx/) are internal layers whose dependencies run one way (docs/architecture.md).
/// </summary>
public sealed class PublicSurfaceTests
{
    private static readonly Type[] _exported = typeof(ResNetFineTuneTrainer).Assembly.GetExportedTypes();

    [Fact]
    public void Every_public_type_is_in_the_MLNetTransfer_namespace()
    {
        var elsewhere = _exported.Where(t => t.Namespace != "MLNetTransfer").Select(t => t.FullName).ToList();
        Assert.True(elsewhere.Count == 0, "Public types outside the MLNetTransfer namespace: " + string.Join(", ", elsewhere));
        Assert.Contains(typeof(FreezeStrategy), _exported);
        Assert.Contains(typeof(GrayscaleAdapt), _exported);
        Assert.Contains(typeof(ResNetFineTuneTrainer.Options), _exported);
    }

    [Fact]
    public void Every_public_type_has_an_xml_doc()
    {
        string xml = Path.ChangeExtension(typeof(ResNetFineTuneTrainer).Assembly.Location, ".xml");
        Assert.True(File.Exists(xml), $"{xml} is missing: the library generates its XML docs.");
        var documented = XDocument.Load(xml).Descendants("member")
            .Where(m => ((string?)m.Attribute("name"))?.StartsWith("T:", StringComparison.Ordinal) == true
                && m.Element("summary") is { } s && s.Value.Trim().Length > 0)
            .Select(m => ((string)m.Attribute("name")!)[2..])
            .ToHashSet(StringComparer.Ordinal);
        var undocumented = _exported.Select(t => t.FullName!.Replace('+', '.')).Where(n => !documented.Contains(n)).ToList();
        Assert.True(undocumented.Count == 0, "Public types without a summary: " + string.Join(", ", undocumented));
    }

    [Theory]
    // The engine knows TorchSharp, not ML.NET, and not the layers above it.
    [InlineData("src/MLNetTransfer/Torch", @"\bMicrosoft\.ML\b|\bIDataView\b|\bMLContext\b|\bMLNetTransfer\.(Onnx|FineTuning|Featurization|Scoring|Data|Evaluation)\b")]
    // The ONNX writer knows neither TorchSharp nor ML.NET nor the engine.
    [InlineData("src/MLNetTransfer/Onnx", @"\bMicrosoft\.ML\b|\bTorchSharp\b|\btorch\.|\bMLNetTransfer\.(Torch|FineTuning|Featurization|Scoring|Data|Evaluation)\b")]
    public void Dependencies_run_one_way(string folder, string forbidden)
    {
        var pattern = new Regex(forbidden);
        var offenders = Directory.EnumerateFiles(Path.Combine(RepositoryRoot(), folder), "*.cs", SearchOption.AllDirectories)
            .SelectMany(file => Code(File.ReadAllText(file)).Split('\n')
                .Select((line, i) => (file, line, i))
                .Where(x => pattern.IsMatch(x.line))
                .Select(x => $"{Path.GetRelativePath(RepositoryRoot(), x.file)}:{x.i + 1}: {x.line.Trim()}"))
            .ToList();
        Assert.True(offenders.Count == 0, $"{folder} reaches past its layer:\n" + string.Join("\n", offenders));
    }

    [Fact]
    public void The_layer_check_sees_a_forbidden_reference()
    {
        // The check above must be able to fail: code (not a comment or a string) that names ML.NET is caught.
        var pattern = new Regex(@"\bMicrosoft\.ML\b");
        Assert.Matches(pattern, Code("using Microsoft.ML; // text"));
        Assert.DoesNotMatch(pattern, Code("/// <c>Microsoft.ML.DnnImageFeaturizer.ResNet18</c>\nstring p = \"Microsoft.ML.X\";"));
    }

    // Source text with comments and string literals blanked out, line breaks kept.
    private static string Code(string source) => Regex.Replace(source,
        @"//[^\n]*|/\*.*?\*/|@""(?:[^""]|"""")*""|\$?""(?:[^""\\\n]|\\.)*""|'(?:[^'\\\n]|\\.)'",
        m => new string(m.Value.Select(c => c == '\n' ? '\n' : ' ').ToArray()), RegexOptions.Singleline);

    private static string RepositoryRoot()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "MLNetTransfer.sln")))
        {
            folder = folder.Parent;
        }

        Assert.True(folder is not null, $"No MLNetTransfer.sln above {AppContext.BaseDirectory}");
        return folder!.FullName;
    }
}
