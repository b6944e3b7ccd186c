using System;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using MLNetTransfer.Tests.Shared;
using Xunit;

namespace MLNetTransfer.Tests.Surface;

/// <summary>
/// README.md's C# blocks compile as written, each as a program of its own, against the public surface: the library
/// as an app references it (no InternalsVisibleTo reaches the compilation), ML.NET and the .NET runtime.
/// </summary>
public sealed class ReadmeCodeTests
{
    [Fact]
    public void Every_csharp_block_in_README_compiles_against_the_public_surface()
    {
        var blocks = Blocks(File.ReadAllText(Path.Combine(RepositoryRoot(), "README.md")));
        Assert.NotEmpty(blocks);
        var failures = blocks.Select(b => (b.Line, Errors: Compile(b.Code))).Where(r => r.Errors.Length > 0)
            .Select(r => $"README.md block at line {r.Line}:\n  " + string.Join("\n  ", r.Errors)).ToList();
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public void An_internal_type_does_not_compile()
    {
        // The check must be able to fail: engine types are internal, so a block that names one is refused.
        var errors = Compile("using MLNetTransfer.Torch.FineTuning;\nvar o = new FineTuneOptions();\n");
        Assert.Contains(errors, e => e.Contains("CS0122", StringComparison.Ordinal) || e.Contains("inaccessible", StringComparison.Ordinal));
    }

    private static (int Line, string Code)[] Blocks(string markdown) => Regex.Matches(markdown, @"^```csharp\n(.*?)^```", RegexOptions.Multiline | RegexOptions.Singleline)
        .Select(m => (markdown[..m.Index].Count(c => c == '\n') + 1, m.Groups[1].Value))
        .ToArray();

    private static string[] Compile(string code)
    {
        // Every assembly of the test's own load context: the runtime, ML.NET, TorchSharp and the library, as an app
        // that references the MLNetTransfer package gets them.
        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Concat(Directory.EnumerateFiles(AppContext.BaseDirectory, "*.dll"))
            .Where(path => !Path.GetFileName(path).StartsWith("MLNetTransfer.Tests", StringComparison.Ordinal))
            .DistinctBy(Path.GetFileName)
            .Select(path => TryReference(path))
            .OfType<MetadataReference>();
        var compilation = CSharpCompilation.Create(
            "ReadmeBlock",
            new[] { CSharpSyntaxTree.ParseText(code, new CSharpParseOptions(LanguageVersion.Latest)) },
            references,
            new CSharpCompilationOptions(OutputKind.ConsoleApplication, nullableContextOptions: NullableContextOptions.Enable));
        return compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => d.ToString()).ToArray();
    }

    private static MetadataReference? TryReference(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            using var pe = new System.Reflection.PortableExecutable.PEReader(stream);
            return pe.HasMetadata ? MetadataReference.CreateFromFile(path) : null;
        }
        catch (BadImageFormatException)
        {
            return null;
        }
    }

    private static string RepositoryRoot() => ReadmePipeline.RepositoryRoot(AppContext.BaseDirectory);
}
