using System.IO;
using System.Linq;
using MLNetTransfer.Cli.Tests.Fuzzing;
using MLNetTransfer.Tests.Shared;
using SkiaSharp;
using Xunit;
using Xunit.Abstractions;

namespace MLNetTransfer.Cli.Tests.Explain;

/// <summary>
/// <c>mlnet-transfer explain</c> on a model trained by <c>mlnet-transfer train</c>: one heatmap PNG per image (the
/// predicted class of a two-class model) at the network's input size, an index.html that links each with a relative
/// path; and a bad image, --stage or --class give the documented exit code and name the culprit.
/// </summary>
[Collection("NoParallelization")]
public sealed class ExplainCommandTests : IClassFixture<CliModelSeed>
{
    private readonly CliModelSeed _seed;
    private readonly ITestOutputHelper _log;

    public ExplainCommandTests(CliModelSeed seed, ITestOutputHelper log)
    {
        _seed = seed;
        _log = log;
    }

    [Fact]
    public void Writes_one_heatmap_per_image_and_an_index_page()
    {
        string model = _seed.ModelPath(_log);
        using var folder = new TempDataFolder();
        string output = Path.Combine(folder.Root, "explained");
        var images = Directory.GetFiles(_seed.TestImages, "*.png", SearchOption.AllDirectories);
        var run = CliProcess.Run(_log, "explain", "--model", model, _seed.TestImages, "--output", output);
        Assert.Equal(0, run.ExitCode);

        var pngs = Directory.GetFiles(output, "*.png");
        Assert.Equal(images.Length, pngs.Length);
        foreach (var png in pngs)
        {
            using var bitmap = SKBitmap.Decode(png);
            Assert.Equal((64, 64), (bitmap.Width, bitmap.Height));
        }

        string html = File.ReadAllText(Path.Combine(output, "index.html"));
        Assert.All(pngs, p => Assert.Contains($"src=\"{System.Uri.EscapeDataString(Path.GetFileName(p))}\"", html));
        Assert.DoesNotContain(folder.Root, html.Split("src=\"").Skip(1).Select(s => s.Split('"')[0]).FirstOrDefault() ?? "");
        Assert.Contains("probability", html);
        Assert.Contains(Path.GetFileName(images[0]), html);
    }

    [Fact]
    public void A_named_class_and_stage_are_explained_for_every_image()
    {
        string model = _seed.ModelPath(_log);
        using var folder = new TempDataFolder();
        string output = Path.Combine(folder.Root, "explained");
        var image = Directory.GetFiles(_seed.TestImages, "*.png", SearchOption.AllDirectories)[0];
        var run = CliProcess.Run(_log, "explain", "--model", model, image, "--output", output, "--class", "OPACITY", "--stage", "layer3");
        Assert.Equal(0, run.ExitCode);
        Assert.Single(Directory.GetFiles(output, "*-OPACITY.png"));
        Assert.Contains("stage layer3", File.ReadAllText(Path.Combine(output, "index.html")));
    }

    [Fact]
    public void A_bad_stage_class_or_image_is_named_with_its_exit_code()
    {
        string model = _seed.ModelPath(_log);
        using var folder = new TempDataFolder();
        string output = Path.Combine(folder.Root, "explained");
        var image = Directory.GetFiles(_seed.TestImages, "*.png", SearchOption.AllDirectories)[0];

        var stage = CliProcess.Run(_log, "explain", "--model", model, image, "--output", output, "--stage", "layer9");
        Assert.Equal(1, stage.ExitCode);
        Assert.Contains("--stage 'layer9'", stage.Error);
        Assert.Contains("layer1, layer2, layer3, layer4", stage.Error);

        var cls = CliProcess.Run(_log, "explain", "--model", model, image, "--output", output, "--class", "PNEUMONIA");
        Assert.Equal(1, cls.ExitCode);
        Assert.Contains("--class 'PNEUMONIA'", cls.Error);
        Assert.Contains("NORMAL", cls.Error);

        string broken = Path.Combine(folder.Root, "broken.png");
        File.WriteAllBytes(broken, new byte[] { 0x89, 0x50, 0x4E, 0x47, 1, 2, 3 });
        var bad = CliProcess.Run(_log, "explain", "--model", model, image, broken, "--output", output);
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains(broken, bad.Error);
        Assert.Single(Directory.GetFiles(output, "*.png"));

        var intoInput = CliProcess.Run(_log, "explain", "--model", model, _seed.TestImages, "--output", _seed.TestImages);
        Assert.Equal(1, intoInput.ExitCode);
        Assert.Contains("--output", intoInput.Error);

        var noModel = CliProcess.Run(_log, "explain", "--model", Path.Combine(folder.Root, "none.zip"), image, "--output", output);
        Assert.Equal(3, noModel.ExitCode);
        Assert.Contains("--model", noModel.Error);
    }
}
