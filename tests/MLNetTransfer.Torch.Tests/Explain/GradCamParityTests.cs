using System;
using System.Linq;
using System.Text.Json;
using MLNetTransfer.Torch.Explain;
using MLNetTransfer.Torch.Modules;
using MLNetTransfer.Torch.Tests.Reference;
using MLNetTransfer.Torch.Weights;
using TorchSharp;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace MLNetTransfer.Torch.Tests.Explain;

/// <summary>
/// Our Grad-CAM equals PyTorch's on the same weights and input (torchvision resnet18 with seeded random weights and
/// randomised BatchNorm statistics): the stage-resolution map and the upsampled, max-normalised map to 1e-4, for a
/// single-label head, a multi-label head, a stage other than the last and a one-channel stem.
/// </summary>
[Collection("NoParallelization")]
public sealed class GradCamParityTests : IClassFixture<GradCamReferences>
{
    private readonly GradCamReferences _refs;
    private readonly ITestOutputHelper _output;

    public GradCamParityTests(GradCamReferences refs, ITestOutputHelper output)
    {
        _refs = refs;
        _output = output;
    }

    [Theory]
    [InlineData("single")]
    [InlineData("multilabel")]
    [InlineData("single_layer3")]
    [InlineData("gray_layer2")]
    public void Maps_equal_pytorch_grad_cam(string name)
    {
        var c = _refs.Cases("cases").Single(e => e.GetProperty("name").GetString() == name);
        int channels = c.GetProperty("channels").GetInt32(), size = c.GetProperty("size").GetInt32();
        int classes = c.GetProperty("classes").GetInt32();
        using var model = new ResNet(ResNetLayout.ResNet18, classes, channels);
        StateDictLoader.Load(model, PthReader.Read(_refs.PathOf(c.GetProperty("weights").GetString()!)), name, strict: true, Array.Empty<string>(), "resnet18");
        model.eval();
        var input = TorchvisionReferences.ReadFloats(_refs.PathOf(c.GetProperty("input").GetString()!));
        int stage = GradCamStage.Index(c.GetProperty("stage").GetString(), "stage");

        long live = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        GradCamMaps maps;
        using (var x = tensor(input, new long[] { 1, channels, size, size }))
        {
            maps = GradCam.Compute(model, x, c.GetProperty("target").GetInt32(), stage);
        }

        Assert.Equal(live, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
        Assert.True(model.parameters().All(p => p.grad is null), "Grad-CAM left parameter gradients in the model");

        var shape = ReferenceJsonFile.Ints(c.GetProperty("stage_shape"));
        Assert.Equal(shape, new[] { maps.StageHeight, maps.StageWidth });
        var expectedStage = ReferenceJsonFile.Floats(c.GetProperty("stage_map"));
        var expectedMap = ReferenceJsonFile.Floats(c.GetProperty("map"));
        var expectedLogits = ReferenceJsonFile.Floats(c.GetProperty("logits"));
        Assert.Equal((size, size), (maps.Height, maps.Width));

        float stagePeak = expectedStage.Max();
        float stageDiff = MaxDiff(maps.StageMap, expectedStage);
        float mapDiff = MaxDiff(maps.Map, expectedMap);
        float logitDiff = MaxDiff(maps.Logits, expectedLogits);
        _output.WriteLine($"{name}: stage map {maps.StageHeight}x{maps.StageWidth} peak {stagePeak:G4}, max |diff| {stageDiff:E2} ({stageDiff / stagePeak:E2} of the peak); upsampled map max |diff| {mapDiff:E2}; logits {logitDiff:E2}");
        Assert.True(stagePeak > 0, "the reference map is all zero: the case tests nothing");
        Assert.True(stageDiff <= 1e-4f * stagePeak, $"stage map: max |diff| {stageDiff} > 1e-4 x peak {stagePeak}");
        Assert.True(mapDiff <= 1e-4f, $"upsampled map: max |diff| {mapDiff} > 1e-4");
        Assert.True(logitDiff <= 1e-4f, $"logits: max |diff| {logitDiff} > 1e-4");
    }

    [Fact]
    public void An_unknown_stage_names_the_option_and_the_valid_names()
    {
        var e = Assert.Throws<ArgumentException>(() => GradCamStage.Index("layer5", "--stage"));
        Assert.Contains("--stage", e.Message);
        Assert.Contains("layer5", e.Message);
        Assert.Contains("layer1, layer2, layer3, layer4", e.Message);
    }

    private static float MaxDiff(float[] actual, float[] expected)
    {
        Assert.Equal(expected.Length, actual.Length);
        return actual.Zip(expected, (a, b) => MathF.Abs(a - b)).Max();
    }
}
