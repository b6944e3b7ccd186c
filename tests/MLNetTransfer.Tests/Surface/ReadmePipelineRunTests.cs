using System;
using System.IO;
using System.Linq;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetTransfer.SyntheticData;
using MLNetTransfer.Tests.Shared;
using Xunit;
using Xunit.Abstractions;

namespace MLNetTransfer.Tests.Surface;

/// <summary>
/// README.md's pipeline block does not only compile (<see cref="ReadmeCodeTests"/>): it runs, as written but on tiny
/// data (<see cref="ReadmePipeline.Tiny"/>: 64 px synthetic chest X-rays, one epoch), trains, evaluates with ML.NET's
/// evaluators and saves a model.zip that scores a data view of image paths alone (issue 15, item 7).
/// </summary>
[Collection("NoParallelization")]
public sealed class ReadmePipelineRunTests
{
    private readonly ITestOutputHelper _output;

    public ReadmePipelineRunTests(ITestOutputHelper output) => _output = output;

    private sealed class ModelInput
    {
        public string ImagePath { get; set; } = "";
    }

    [Fact]
    public void The_README_pipeline_block_runs_on_tiny_data_and_saves_a_label_free_model()
    {
        string root = Path.Combine(Path.GetTempPath(), $"mlnettransfer-readme-{Guid.NewGuid():N}");
        try
        {
            string data = Path.Combine(root, "chest_xray"), model = Path.Combine(root, "model.zip");
            SyntheticChestXrays.WriteDataset(data, size: 64, train: 40, validation: 8, test: 16);
            string code = ReadmePipeline.Tiny(ReadmePipeline.Block(ReadmePipeline.RepositoryRoot(AppContext.BaseDirectory)), data, model);

            var entry = Compile(code);
            var console = Console.Out;
            using var captured = new StringWriter();
            Console.SetOut(captured);
            try
            {
                entry.Invoke(null, entry.GetParameters().Length == 0 ? null : new object[] { Array.Empty<string>() });
            }
            finally
            {
                Console.SetOut(console);
            }

            string printed = captured.ToString();
            _output.WriteLine(printed);
            Assert.Matches(@"Test AUC \d\.\d{3}, accuracy .*; macro one-vs-rest AUC \d\.\d{3}", printed);
            Assert.True(File.Exists(model), $"The block did not write {model}.");

            // The saved model scores the test images given as paths alone.
            var ml = new MLContext(seed: 1);
            using var loaded = (IDisposable)ml.Model.Load(model, out _);
            var paths = Directory.EnumerateFiles(Path.Combine(data, "test"), "*.png", SearchOption.AllDirectories).Select(p => new ModelInput { ImagePath = p }).ToList();
            var predicted = ((ITransformer)loaded).Transform(ml.Data.LoadFromEnumerable(paths)).GetColumn<string>("PredictedLabel").ToList();
            Assert.Equal(paths.Count, predicted.Count);
            Assert.All(predicted, p => Assert.Contains(p, SyntheticChestXrays.ClassNames));
        }
        finally
        {
            if (Directory.Exists(root))
            {
                Directory.Delete(root, recursive: true);
            }
        }
    }

    // The block compiled as ReadmeCodeTests compiles it (the test's own assemblies, no InternalsVisibleTo), then loaded
    // into this process, where the same assemblies are already loaded.
    private static MethodInfo Compile(string code)
    {
        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Concat(Directory.EnumerateFiles(AppContext.BaseDirectory, "*.dll"))
            .Where(path => !Path.GetFileName(path).StartsWith("MLNetTransfer.Tests", StringComparison.Ordinal))
            .DistinctBy(Path.GetFileName)
            .Select(Reference)
            .OfType<MetadataReference>();
        var compilation = CSharpCompilation.Create(
            "ReadmePipelineBlock",
            new[] { CSharpSyntaxTree.ParseText(code, new CSharpParseOptions(LanguageVersion.Latest)) },
            references,
            new CSharpCompilationOptions(OutputKind.ConsoleApplication, nullableContextOptions: NullableContextOptions.Enable));
        using var image = new MemoryStream();
        var emitted = compilation.Emit(image);
        Assert.True(emitted.Success, string.Join("\n", emitted.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)));
        return Assembly.Load(image.ToArray()).EntryPoint!;
    }

    private static MetadataReference? Reference(string path)
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
}
