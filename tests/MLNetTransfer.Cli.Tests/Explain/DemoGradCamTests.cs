using System.IO;
using MLNetTransfer.Tests.Shared;
using SkiaSharp;
using Xunit;
using Xunit.Abstractions;

namespace MLNetTransfer.Cli.Tests.Explain;

/// <summary>The demo's report shows Grad-CAM overlays of test images: four PNGs beside index.html, linked from a Grad-CAM section.</summary>
[Collection("NoParallelization")]
public sealed class DemoGradCamTests
{
    private readonly ITestOutputHelper _log;

    public DemoGradCamTests(ITestOutputHelper log) => _log = log;

    [Fact]
    public void The_demo_report_shows_grad_cam_overlays_of_test_images()
    {
        using var folder = new TempDataFolder();
        string output = Path.Combine(folder.Root, "demo");
        Assert.Equal(0, CliProcess.Run(_log, "demo", "--output-dir", output, "--train-images", "21", "--epochs", "1").ExitCode);
        string report = Path.Combine(output, "report");
        string html = File.ReadAllText(Path.Combine(report, "index.html"));
        Assert.Contains("<h2>Grad-CAM</h2>", html);
        for (int i = 1; i <= 4; i++)
        {
            string png = Path.Combine(report, $"gradcam-{i}.png");
            Assert.Contains($"src=\"gradcam-{i}.png\"", html);
            using var bitmap = SKBitmap.Decode(png);
            Assert.Equal((112, 112), (bitmap.Width, bitmap.Height));
        }

        // Both classes of the test split appear (the images are taken from each class folder in turn).
        Assert.Contains("NORMAL/", html);
        Assert.Contains("OPACITY/", html);
        Assert.True(html.IndexOf("<h2>Grad-CAM</h2>", System.StringComparison.Ordinal) < html.IndexOf("</body>", System.StringComparison.Ordinal));
    }
}
