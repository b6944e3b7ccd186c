using System.IO;
using System.Linq;
using MLNetTransfer.SyntheticData;
using MLNetTransfer.Tests.Shared;
using Xunit;
using Xunit.Abstractions;

namespace MLNetTransfer.Cli.Tests.Output;

/// <summary>
/// train, evaluate and export check their output paths before reading an image: each refusal is exit 1, names the
/// option(s), and comes before the first training line, and the data set is left as it was.
/// </summary>
[Collection("NoParallelization")]
[Trait("Category", "Reliability")]
public sealed class OutputPathTests : System.IDisposable
{
    private readonly ITestOutputHelper _log;
    private readonly TempDataFolder _folder = new();

    public OutputPathTests(ITestOutputHelper log)
    {
        _log = log;
        SyntheticChestXrays.WriteSplit(Path.Combine(_folder.Root, "data"), SyntheticChestXrays.Generate(16, 64, seed: 5));
    }

    private string Data => Path.Combine(_folder.Root, "data");

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void An_output_whose_folder_cannot_be_created_is_refused_naming_output_before_training()
    {
        string blocker = Path.Combine(_folder.Root, "blocker");
        File.WriteAllText(blocker, "a file where --output needs a folder");
        string output = Path.Combine(blocker, "sub", "model.zip");

        var run = Train("--output", output);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("--output", run.Error);
        Assert.Contains(blocker, run.Error);
        Assert.DoesNotContain("Fine-tuning", run.Output);
        Assert.DoesNotContain("poch", run.Output);
    }

    [Fact]
    public void An_output_that_is_an_existing_folder_is_refused_naming_output()
    {
        string folder = Directory.CreateDirectory(Path.Combine(_folder.Root, "model.zip")).FullName;

        var run = Train("--output", folder);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("--output", run.Error);
        Assert.Contains("is a folder", run.Error);
        Assert.DoesNotContain("Fine-tuning", run.Output);
    }

    [Fact]
    public void Metrics_json_and_output_naming_one_file_are_refused_naming_both()
    {
        string same = Path.Combine(_folder.Root, "out.zip");

        var run = Train("--output", same, "--metrics-json", same);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains($"--output and --metrics-json name the same file {same}", run.Error);
        Assert.False(File.Exists(same));
        Assert.DoesNotContain("Fine-tuning", run.Output);
    }

    [Fact]
    public void An_output_that_is_an_image_of_the_data_set_is_refused_and_the_image_is_kept()
    {
        string image = Directory.EnumerateFiles(Data, "*.png", SearchOption.AllDirectories).Order().First();
        byte[] before = File.ReadAllBytes(image);

        var run = Train("--metrics-json", image);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("--metrics-json", run.Error);
        Assert.Contains("--data", run.Error);
        Assert.Contains(image, run.Error);
        Assert.Equal(before, File.ReadAllBytes(image));
        Assert.DoesNotContain("Fine-tuning", run.Output);
    }

    [Fact]
    public void Export_refuses_an_onnx_path_that_is_the_model()
    {
        string model = Path.Combine(_folder.Root, "model.zip");
        File.WriteAllText(model, "not read: the path check comes first");

        var run = CliProcess.Run(_log, "export", "--model", model, "--onnx", model);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("--onnx", run.Error);
        Assert.Contains("--model", run.Error);
        Assert.Equal("not read: the path check comes first", File.ReadAllText(model));
    }

    [Fact]
    public void Evaluate_refuses_a_report_folder_that_is_the_data_folder()
    {
        string model = Path.Combine(_folder.Root, "model.zip");
        File.WriteAllText(model, "not read: the path check comes first");

        var run = CliProcess.Run(_log, "evaluate", "--model", model, "--data", Data, "--report", Data);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("--report", run.Error);
        Assert.Contains("--data", run.Error);
    }

    [Fact]
    public void A_missing_report_folder_is_probed_and_not_left_behind_when_a_later_output_is_refused()
    {
        string report = Path.Combine(_folder.Root, "new", "report");
        string blocker = Path.Combine(_folder.Root, "blocker");
        File.WriteAllText(blocker, "a file where --checkpoint-dir needs a folder");

        // --report is probed (created, written, removed) before --checkpoint-dir, whose folder cannot be created.
        var run = Train("--report", report, "--checkpoint-dir", Path.Combine(blocker, "checkpoints"));

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("--checkpoint-dir", run.Error);
        Assert.False(Directory.Exists(Path.Combine(_folder.Root, "new")));
    }

    [Fact]
    public void Metrics_json_and_validation_list_naming_one_file_are_refused_naming_both()
    {
        string same = Path.Combine(_folder.Root, "same.json");

        var run = Train("--metrics-json", same, "--validation-list", same);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains($"--metrics-json and --validation-list name the same file {same}", run.Error);
    }

    [Theory]
    [InlineData("index.html")]
    [InlineData("roc.png")]
    public void A_report_folder_holding_a_users_file_by_a_report_name_is_refused_naming_report_and_the_file(string name)
    {
        string report = Directory.CreateDirectory(Path.Combine(_folder.Root, "shared")).FullName;
        string users = Path.Combine(report, name);
        File.WriteAllText(users, "the user's own file");

        var run = Train("--report", report);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("--report", run.Error);
        Assert.Contains(users, run.Error);
        Assert.Equal("the user's own file", File.ReadAllText(users));
        Assert.DoesNotContain("Fine-tuning", run.Output);
    }

    [Fact]
    public void An_output_named_like_a_report_file_in_the_report_folder_is_refused_naming_both()
    {
        string report = Path.Combine(_folder.Root, "out");
        string metrics = Path.Combine(report, "index.html");

        var run = Train("--report", report, "--metrics-json", metrics);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains($"--report and --metrics-json both write {metrics}", run.Error);
        Assert.DoesNotContain("Fine-tuning", run.Output);
    }

    [Fact]
    public void A_previous_report_is_replaced_and_marked_as_ours()
    {
        // A report written before the marker existed: recognised by its page's opening, as HtmlPage renders it.
        string report = Directory.CreateDirectory(Path.Combine(_folder.Root, "report")).FullName;
        string page = Path.Combine(report, "index.html");
        File.WriteAllText(page, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>mlnet-transfer train: old</title>");
        File.WriteAllText(Path.Combine(report, "roc.png"), "an old plot");
        File.WriteAllText(Path.Combine(report, "notes.txt"), "not a report name: kept");

        var run = Train("--report", report, "--output", Path.Combine(_folder.Root, "model.zip"));

        Assert.Equal(0, run.ExitCode);
        Assert.DoesNotContain("mlnet-transfer train: old", File.ReadAllText(page));
        Assert.True(File.Exists(Path.Combine(report, ".mlnet-transfer-report")));
        Assert.Equal("not a report name: kept", File.ReadAllText(Path.Combine(report, "notes.txt")));

        // Now marked: a second run takes the folder even after the page was replaced by hand.
        File.WriteAllText(page, "edited by hand");
        Assert.Equal(0, Train("--report", report, "--output", Path.Combine(_folder.Root, "model.zip")).ExitCode);
        Assert.StartsWith("<!DOCTYPE html>", File.ReadAllText(page));
    }

    private CliProcess.Result Train(params string[] outputs) => CliProcess.Run(_log, new[]
    {
        "train", "--data", Data, "--grayscale", "--strategy", "full", "--epochs", "1", "--batch-size", "8", "--image-size", "32",
    }.Concat(outputs));
}
