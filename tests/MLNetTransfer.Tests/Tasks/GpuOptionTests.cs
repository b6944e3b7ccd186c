using System;
using System.Linq;
using Microsoft.ML;
using MLNetTransfer.Tests.Conformance;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace MLNetTransfer.Tests.Tasks;

/// <summary>
/// The GPU options where no GPU is usable (the tests reference TorchSharp-cpu and the CPU ONNX Runtime): asking for
/// GPU 0 without fallback fails before any work with a message that says CUDA is not available; with fallback, training
/// and scoring run on the CPU.
/// </summary>
[Collection("NoParallelization")]
public sealed class GpuOptionTests
{
    private readonly ITestOutputHelper _output;

    public GpuOptionTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void A_gpu_without_fallback_fails_clearly_when_cuda_is_absent()
    {
        if (cuda.is_available())
        {
            _output.WriteLine("CUDA is available here; the no-GPU path is not exercised.");
            return;
        }

        using var images = new TestImages(8, seed: 61);
        var ml = new MLContext(seed: 1);
        var data = images.Load(ml);
        var prepared = TestImages.KeyAndImages(ml).Fit(data).Transform(data);
        var options = TestImages.FastOptions();
        options.GpuDeviceId = 0;
        options.FallbackToCpu = false;
        var e = Assert.Throws<InvalidOperationException>(() => ml.Transforms.FineTuneResNet(options).Fit(prepared));
        _output.WriteLine(e.Message);
        Assert.Contains("GPU 0", e.Message);
        Assert.Contains("CUDA is not available", e.Message);
        Assert.Contains("CPU", e.Message);
    }

    [Fact]
    public void A_gpu_with_fallback_trains_and_scores_on_the_cpu()
    {
        using var images = new TestImages(32, seed: 62);
        var ml = new MLContext(seed: 1);
        var data = images.Load(ml);
        var options = TestImages.FastOptions(epochs: 1);
        options.GpuDeviceId = 0;
        options.FallbackToCpu = true;
        using var model = TestImages.KeyAndImages(ml).Append(ml.Transforms.FineTuneResNet(options)).Fit(data);
        var scores = EstimatorConformance.ReadVectors(model.Transform(data), "Score");
        Assert.Equal(images.Rows.Count, scores.Length);
        Assert.All(scores, s => Assert.Equal(1.0, s.Sum(), 5));
    }
}
