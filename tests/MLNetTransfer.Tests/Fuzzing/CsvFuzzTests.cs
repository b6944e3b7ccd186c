using System;
using System.IO;
using System.Linq;
using System.Text;
using Microsoft.ML;
using MLNetTransfer.Tests.Shared;
using MLNetTransfer.Tests.Shared.Fuzzing;
using Xunit;
using Xunit.Abstractions;

namespace MLNetTransfer.Tests.Fuzzing;

/// <summary>
/// The CSV readers (<c>ml.Data.LoadImageSplits</c> and <c>LoadFromImageCsv</c> over <c>CsvSplitReader</c>) on seeded
/// mutations of small valid CSV files, single-label with a group column and CheXpert-style multi-label: they read the
/// file, or throw the <see cref="InvalidDataException"/> they document, naming it.
/// </summary>
public sealed class CsvFuzzTests : IDisposable
{
    private readonly TempDataFolder _folder = new();
    private readonly ITestOutputHelper _output;

    public CsvFuzzTests(ITestOutputHelper output) => _output = output;

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Mutated_single_label_csvs_read_or_are_invalid_data_naming_the_file()
    {
        var lines = Enumerable.Range(0, 12).Select(i => $"{_folder.Image($"img/{i}.png")},{(i % 2 == 0 ? "NORMAL" : "\"OPACITY, left\"")},p{i / 2}");
        byte[] seed = Encoding.UTF8.GetBytes("Path,Label,Patient\n" + string.Join("\n", lines) + "\n");
        var options = new ImageSplitsOptions { GroupColumnName = "Patient" };
        Run("LoadImageSplits (CSV)", 9_000_000, seed, path => new MLContext().Data.LoadImageSplits(path, options));
    }

    [Fact]
    public void Mutated_multi_label_csvs_read_or_are_invalid_data_naming_the_file()
    {
        var lines = Enumerable.Range(0, 10).Select(i => $"{_folder.Image($"img/m{i}.png")},{i % 2}.0,{(i % 3 == 0 ? "-1.0" : "")},{(i % 4 == 0 ? "1" : "0")}");
        byte[] seed = Encoding.UTF8.GetBytes("Path,Atelectasis,Edema,Effusion\n" + string.Join("\n", lines) + "\n");
        var options = new ImageCsvOptions { LabelColumnNames = new[] { "Atelectasis", "Edema", "Effusion" } };
        Run("LoadFromImageCsv (multi-label)", 10_000_000, seed, path => new MLContext().Data.LoadFromImageCsv(path, options));
    }

    private void Run(string reader, int baseSeed, byte[] seed, Action<string> read)
    {
        string valid = Path.Combine(_folder.Root, "seed.csv");
        File.WriteAllBytes(valid, seed);
        read(valid);
        var report = FuzzHarness.Run(reader, baseSeed, FuzzHarness.Cases(300), _folder.Root, ".csv",
            random => (ByteMutator.Mutate(seed, random, out string what), what),
            read,
            new[] { typeof(InvalidDataException) },
            TimeSpan.FromSeconds(10));
        _output.WriteLine(report.ToString());
        Assert.True(report.Failures.Count == 0, report.ToString());
    }
}
