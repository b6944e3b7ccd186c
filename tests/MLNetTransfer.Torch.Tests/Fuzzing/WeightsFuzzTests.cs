using System;
using System.IO;
using MLNetTransfer.Tests.Shared.Fuzzing;
using MLNetTransfer.Torch.Weights;
using Xunit;
using Xunit.Abstractions;

namespace MLNetTransfer.Torch.Tests.Fuzzing;

/// <summary>
/// The weights readers on seeded mutations of files PyTorch wrote (<see cref="FuzzSeeds"/>): <see cref="PthReader"/>
/// (zip + restricted unpickler), <see cref="SafetensorsReader"/> and <see cref="OnnxResNetImporter"/> each read the
/// file, or throw the <see cref="InvalidDataException"/> they document, naming it, within 64 x the file + 32 MiB.
/// .pth cases mutate the raw archive half the time and one record re-zipped the other half.
/// </summary>
public sealed class WeightsFuzzTests : IClassFixture<FuzzSeeds>, IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("mlnettransfer-fuzz-weights-").FullName;
    private readonly FuzzSeeds _seeds;
    private readonly ITestOutputHelper _output;

    public WeightsFuzzTests(FuzzSeeds seeds, ITestOutputHelper output)
    {
        _seeds = seeds;
        _output = output;
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Mutated_pth_files_read_or_are_invalid_data_naming_the_file()
    {
        byte[] seed = File.ReadAllBytes(_seeds.Pth);
        Assert.Equal(7, PthReader.Read(_seeds.Pth).Count);
        Run("PthReader", 3_000_000, FuzzHarness.Cases(300), ".pth",
            random =>
            {
                if (random.Next(2) == 0)
                {
                    return (ByteMutator.Mutate(seed, random, out string raw), "raw: " + raw);
                }

                return (ByteMutator.MutateZipEntry(seed, random, out string entry), entry);
            },
            path => PthReader.Read(path));
    }

    [Fact]
    public void Mutated_safetensors_files_read_or_are_invalid_data_naming_the_file()
    {
        byte[] seed = File.ReadAllBytes(_seeds.Safetensors);
        Assert.Equal(5, SafetensorsReader.Read(_seeds.Safetensors).Count);
        Run("SafetensorsReader", 4_000_000, FuzzHarness.Cases(300), ".safetensors",
            random => (ByteMutator.Mutate(seed, random, out string what), what),
            path => SafetensorsReader.Read(path));
    }

    [Fact]
    public void Mutated_onnx_resnets_import_or_are_invalid_data_naming_the_file()
    {
        byte[] seed = File.ReadAllBytes(_seeds.Onnx);
        Assert.True(OnnxResNetImporter.Read(_seeds.Onnx).HasHead);
        Run("OnnxResNetImporter", 5_000_000, FuzzHarness.Cases(300), ".onnx",
            random => (ByteMutator.Mutate(seed, random, out string what), what),
            path => OnnxResNetImporter.Read(path));
    }

    private void Run(string reader, int baseSeed, int cases, string extension, Func<Random, (byte[], string)> mutate, Action<string> read)
    {
        var report = FuzzHarness.Run(reader, baseSeed, cases, _folder, extension, mutate, read,
            new[] { typeof(InvalidDataException) }, TimeSpan.FromSeconds(10));
        _output.WriteLine(report.ToString());
        Assert.True(report.Failures.Count == 0, report.ToString());
    }
}
