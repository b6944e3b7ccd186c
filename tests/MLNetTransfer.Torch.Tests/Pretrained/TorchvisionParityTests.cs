using System;
using System.Linq;
using MLNetTransfer.Torch.Modules;
using MLNetTransfer.Torch.Tests.Reference;
using MLNetTransfer.Torch.Weights;
using TorchSharp;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace MLNetTransfer.Torch.Tests.Pretrained;

/// <summary>
/// torchvision resnet18 and resnet50 state_dicts saved by PyTorch (random weights, randomised BatchNorm) give, through
/// our ResNet, the logits PyTorch computed on the same input.
/// </summary>
[Collection("NoParallelization")]
public sealed class TorchvisionParityTests : IClassFixture<TorchvisionReferences>
{
    private readonly TorchvisionReferences _refs;
    private readonly ITestOutputHelper _output;

    public TorchvisionParityTests(TorchvisionReferences refs, ITestOutputHelper output)
    {
        _refs = refs;
        _output = output;
    }

    [Theory]
    [InlineData("resnet18", ".pth")]
    [InlineData("resnet18", ".safetensors")]
    [InlineData("resnet50", ".pth")]
    [InlineData("resnet50", ".safetensors")]
    public void Logits_equal_pytorch_logits(string arch, string format)
    {
        string path = format == ".pth" ? _refs.PthPath(arch) : _refs.SafetensorsPath(arch);
        using var model = PretrainedResNet.FromFile(path);
        Assert.Equal(arch == "resnet18" ? ResNetLayout.ResNet18 : ResNetLayout.ResNet50, model.Layout);
        model.eval();

        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var input = tensor(TorchvisionReferences.ReadFloats(_refs.InputPath), new long[] { 2, 3, 64, 64 });
        var logits = model.call(input).data<float>().ToArray();
        var expected = TorchvisionReferences.ReadFloats(_refs.LogitsPath(arch));
        Assert.Equal(expected.Length, logits.Length);
        float maxAbs = expected.Max(MathF.Abs);
        float maxDiff = logits.Zip(expected, (a, b) => MathF.Abs(a - b)).Max();
        _output.WriteLine($"{arch}{format}: max |logit| {maxAbs:G4}, max |diff| {maxDiff:G3} ({maxDiff / maxAbs:E2} relative)");
        Assert.True(maxDiff <= 1e-4f * maxAbs, $"max |diff| {maxDiff} > 1e-4 x {maxAbs}");
    }

    [Fact]
    public void A_torchvision_onnx_export_gives_the_same_logits()
    {
        // The other ONNX form: BatchNorm folded into each Conv's bias, a Gemm head. The importer walks the graph and
        // puts an identity BatchNorm after each conv.
        using var model = PretrainedResNet.FromFile(_refs.Resnet18OnnxPath);
        Assert.Equal(ResNetLayout.ResNet18, model.Layout);
        model.eval();
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var input = tensor(TorchvisionReferences.ReadFloats(_refs.InputPath), new long[] { 2, 3, 64, 64 });
        var logits = model.call(input).data<float>().ToArray();
        var expected = TorchvisionReferences.ReadFloats(_refs.LogitsPath("resnet18"));
        float maxAbs = expected.Max(MathF.Abs);
        float maxDiff = logits.Zip(expected, (a, b) => MathF.Abs(a - b)).Max();
        _output.WriteLine($"resnet18.onnx: max |diff| {maxDiff:G3} ({maxDiff / maxAbs:E2} relative)");
        Assert.True(maxDiff <= 1e-4f * maxAbs, $"max |diff| {maxDiff} > 1e-4 x {maxAbs}");
    }

    [Fact]
    public void BatchNorm_folded_by_an_onnx_export_stays_in_eval_mode_when_fine_tuning()
    {
        using var fromOnnx = PretrainedResNet.FromFile(_refs.Resnet18OnnxPath);
        using var fromPth = PretrainedResNet.FromFile(_refs.PthPath("resnet18"));
        Assert.True(fromOnnx.HasFoldedBatchNorm);
        Assert.False(fromPth.HasFoldedBatchNorm);

        // The identity statistics put in place of the folded ones are right in eval mode only: even the stages that
        // train keep their BatchNorm in eval mode, whatever the mode asks.
        var plan = new MLNetTransfer.Torch.FineTuning.FreezePlan(fromOnnx, FreezeStrategy.LastStages(1), 2,
            BatchNormMode.Train, 1e-3, 0.1, 0);
        Assert.Equal(fromOnnx.named_modules().Count(m => m.module is TorchSharp.Modules.BatchNorm2d), fromOnnx.EvalModeBatchNorms.Count);
        _ = plan;
    }

    [Theory]
    [InlineData("resnet18")]
    [InlineData("resnet50")]
    public void State_dict_keys_and_shapes_are_torchvisions(string arch)
    {
        var file = PthReader.Read(_refs.PthPath(arch));
        using var model = new ResNet(arch == "resnet18" ? ResNetLayout.ResNet18 : ResNetLayout.ResNet50);
        var ours = model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.shape);
        Assert.Equal(file.Select(t => t.Name).OrderBy(n => n, StringComparer.Ordinal), ours.Keys.OrderBy(n => n, StringComparer.Ordinal));
        foreach (var t in file)
        {
            Assert.True(t.Shape.SequenceEqual(ours[t.Name]), $"{t.Name}: torchvision [{string.Join(", ", t.Shape)}], ours [{string.Join(", ", ours[t.Name])}]");
        }
    }

    [Fact]
    public void Skipping_the_head_keeps_the_backbone_and_starts_a_new_head()
    {
        using var full = PretrainedResNet.FromFile(_refs.PthPath("resnet18"));
        using var transfer = PretrainedResNet.FromFile(_refs.PthPath("resnet18"), new PretrainedOptions { SkipHead = true, NumClasses = 3 });
        full.eval();
        transfer.eval();
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var input = tensor(TorchvisionReferences.ReadFloats(_refs.InputPath), new long[] { 2, 3, 64, 64 });
        Assert.True(full.ForwardFeatures(input).allclose(transfer.ForwardFeatures(input), rtol: 0, atol: 0));
        Assert.Equal(new long[] { 2, 3 }, transfer.call(input).shape);
    }

    [Fact]
    public void A_head_of_another_size_needs_SkipHead()
    {
        var e = Assert.Throws<ArgumentException>(() => PretrainedResNet.FromFile(_refs.PthPath("resnet18"), new PretrainedOptions { NumClasses = 2 }));
        Assert.Contains("SkipHead", e.Message);
        Assert.Contains("resnet18.pth", e.Message);
    }

    [Fact]
    public void A_file_of_another_architecture_is_refused_by_name()
    {
        var e = Assert.Throws<System.IO.InvalidDataException>(() =>
            PretrainedResNet.FromFile(_refs.PthPath("resnet50"), new PretrainedOptions { ExpectedLayout = ResNetLayout.ResNet18 }));
        Assert.Contains("resnet50.pth", e.Message);
        Assert.Contains("resnet50", e.Message.Replace("resnet50.pth", "", StringComparison.Ordinal));
        Assert.Contains("resnet18", e.Message);
    }

    [Fact]
    public void Weights_that_do_not_fit_name_the_missing_and_misshaped_keys()
    {
        var file = PthReader.Read(_refs.PthPath("resnet18"));

        // resnet18's weights into a resnet34: the extra blocks are missing from the file.
        using var resnet34 = new ResNet(ResNetLayout.ResNet34);
        var missing = Assert.Throws<WeightsMismatchException>(() =>
            StateDictLoader.Load(resnet34, file, "resnet18.pth", strict: true, Array.Empty<string>(), "resnet34"));
        Assert.Contains("layer1.2.conv1.weight", missing.Report.Missing);
        Assert.Contains("missing from the file", missing.Message);
        Assert.Contains("resnet18.pth", missing.Message);

        // ... into a 1-channel stem: conv1.weight does not fit, even when not strict (as in PyTorch).
        using var gray = new ResNet(ResNetLayout.ResNet18, inChannels: 1);
        var before = gray.Conv1.weight!.clone();
        var misshaped = Assert.Throws<WeightsMismatchException>(() =>
            StateDictLoader.Load(gray, file, "resnet18.pth", strict: false, Array.Empty<string>(), "resnet18"));
        Assert.Contains("conv1.weight: file [64, 3, 7, 7] vs model [64, 1, 7, 7]", misshaped.Message);
        // A refused file changes nothing.
        Assert.True(before.equal(gray.Conv1.weight!).all().item<bool>());

        // Not strict: the blocks resnet18 has are loaded, the others reported.
        var report = StateDictLoader.Load(resnet34, file, "resnet18.pth", strict: false, Array.Empty<string>(), "resnet34");
        Assert.Contains("layer1.1.conv1.weight", report.Loaded);
        Assert.Contains("layer3.5.bn2.running_var", report.Missing);
        Assert.False(report.IsExactMatch);
    }
}
