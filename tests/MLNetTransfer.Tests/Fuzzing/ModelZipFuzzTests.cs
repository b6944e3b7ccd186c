using System;
using System.IO;
using System.Reflection;
using System.Runtime.ExceptionServices;
using Microsoft.ML;
using MLNetTransfer.Tests.Shared;
using MLNetTransfer.Tests.Shared.Fuzzing;
using Xunit;
using Xunit.Abstractions;

namespace MLNetTransfer.Tests.Fuzzing;

/// <summary>
/// A saved model.zip, mutated: raw bytes of the archive, or one entry's bytes re-zipped so that the zip's CRCs pass and
/// the readers behind them are reached (ML.NET's Model/ streams, the schema, the ONNX graph's first 4 KiB).
/// <c>ml.Model.ExtractOnnx</c> and <c>LoadCalibration</c> return or throw the <see cref="InvalidDataException"/> they
/// document, naming the file; <c>ml.Model.Load</c> (ML.NET's) loads or throws one of the exceptions ML.NET's loaders
/// throw for a damaged stream (what the loader that ML.NET calls by reflection threw, unwrapped; the long form found
/// ML.NET's own ArgumentOutOfRangeException and FileNotFoundException there too), never a NullReferenceException or
/// IndexOutOfRangeException. Each case writes and opens a 59 MB archive, so the quick form
/// runs 30 cases of LoadCalibration and 15 of Model.Load, and the long form the case count divided by 20.
/// </summary>
[Collection("NoParallelization")]
public sealed class ModelZipFuzzTests : IClassFixture<ModelZipSeed>, IDisposable
{
    // Each case writes and opens a 59 MB archive: about 0.5 s for LoadCalibration, 1.4 s for Model.Load (which builds
    // an ONNX Runtime session) on 2 cores.
    private const int QuickCalibrationCases = 30;
    private const int QuickLoadCases = 15;

    private readonly ModelZipSeed _seed;
    private readonly TempDataFolder _folder = new();
    private readonly ITestOutputHelper _output;

    public ModelZipFuzzTests(ModelZipSeed seed, ITestOutputHelper output)
    {
        _seed = seed;
        _output = output;
    }

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Mutated_model_zips_give_their_onnx_and_calibration_or_invalid_data_naming_the_file()
    {
        var ml = new MLContext();
        Assert.NotEmpty(ml.Model.LoadCalibration(_seed.Path).Temperatures);
        // LoadCalibration reads the graph through ExtractOnnx, then parses it.
        Run("LoadCalibration (ExtractOnnx)", 11_000_000, QuickCalibrationCases, path => ml.Model.LoadCalibration(path), new[] { typeof(InvalidDataException) }, namesFile: true);
    }

    [Fact]
    public void Mutated_model_zips_load_or_throw_what_a_damaged_stream_throws()
    {
        var ml = new MLContext();
        (ml.Model.Load(_seed.Path, out _) as IDisposable)?.Dispose();
        Run("Model.Load", 12_000_000, QuickLoadCases, path =>
        {
            try
            {
                (ml.Model.Load(path, out _) as IDisposable)?.Dispose();
            }
            catch (TargetInvocationException e)
            {
                // ML.NET calls each transformer's loader by reflection, nested for a chain: what the innermost loader
                // threw is what a damaged stream caused.
                Exception inner = e;
                while (inner is TargetInvocationException { InnerException: { } next })
                {
                    inner = next;
                }

                ExceptionDispatchInfo.Throw(inner);
            }
        }, new[]
        {
            typeof(InvalidDataException), typeof(FormatException), typeof(InvalidOperationException), typeof(EndOfStreamException),
            // A loader's assembly name, stored in the file, damaged: ML.NET's AssemblyName parse, or no such assembly.
            typeof(FileLoadException), typeof(FileNotFoundException),
            // A column name in a stored schema damaged: ML.NET's trainers' loaders check their feature column with
            // ArgumentOutOfRangeException, and its stream reader a stored length the same way. ML.NET's, not ours to
            // change: the command line turns every one of these into exit 3 naming the file (ModelFileFuzzTests).
            typeof(ArgumentOutOfRangeException),
        }, namesFile: false);
    }

    private void Run(string reader, int baseSeed, int quick, Action<string> read, Type[] documented, bool namesFile)
    {
        byte[] seed = File.ReadAllBytes(_seed.Path);
        var entries = ByteMutator.Entries(seed);
        var report = FuzzHarness.Run(reader, baseSeed, FuzzHarness.Cases(quick, costDivisor: 20), _folder.Root, ".zip",
            random => random.Next(2) == 0
                ? (ByteMutator.MutateZipEntry(entries, random, out string entry), entry)
                : (ByteMutator.Mutate(seed, random, out string raw), "raw: " + raw),
            read, documented, TimeSpan.FromSeconds(60), namesFile: namesFile);
        _output.WriteLine(report.ToString());
        Assert.True(report.Failures.Count == 0, report.ToString());
    }
}
