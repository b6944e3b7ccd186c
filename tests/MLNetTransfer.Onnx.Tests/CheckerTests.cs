using System.Collections.Generic;
using System.Linq;
using MLNetTransfer.Onnx.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace MLNetTransfer.Onnx.Tests;

/// <summary>
/// ONNX's own checker (<c>onnx.checker.check_model(full_check=True)</c>, Debian's python3-onnx 1.12) on models of
/// many configurations, with torch-free random weights. The parity tests check their models too.
/// </summary>
public sealed class CheckerTests
{
    private readonly ITestOutputHelper _output;

    public CheckerTests(ITestOutputHelper output) => _output = output;

    private static readonly Dictionary<string, (ResNetOnnxSpec Spec, int Outputs)> _cases = new()
    {
        ["resnet18-defaults-224"] = (new ResNetOnnxSpec(ResidualBlockKind.Basic, 2, 2, 2, 2), 2),
        ["resnet34-gray-input-rgb-net-crop"] = (new ResNetOnnxSpec(ResidualBlockKind.Basic, 3, 4, 6, 3)
        {
            InputChannels = 1, InputSize = 80, CropSize = 64,
        }, 5),
        ["mlnet-resnet18-rgb-input-gray-net-mlp-sigmoid"] = (new ResNetOnnxSpec(ResidualBlockKind.Basic, 2, 2, 2, 3)
        {
            NetworkChannels = 1, Mean = new[] { 0.45f }, Std = new[] { 0.23f }, Head = ClassifierHeadKind.Mlp,
            Activation = OutputActivation.Sigmoid, InputSize = 64, CropSize = 64, IncludeLogits = true,
        }, 3),
        ["resnet50-binary-single-sigmoid-custom-names"] = (new ResNetOnnxSpec(ResidualBlockKind.Bottleneck, 3, 4, 6, 3)
        {
            Activation = OutputActivation.Sigmoid, InputSize = 64, CropSize = 64,
            InputName = "Image", OutputName = "Probability", IncludeLogits = true, LogitsName = "RawScore",
        }, 1),
        ["resnet18-binary-temperature-flip-prediction-outputs-crop"] = (new ResNetOnnxSpec(ResidualBlockKind.Basic, 2, 2, 2, 2)
        {
            InputSize = 72, CropSize = 64, IncludeLogits = true, IncludePredictionOutputs = true,
            Temperatures = new[] { 1.8f }, Thresholds = new[] { 0.3f }, TestTimeFlip = true,
        }, 2),
        ["resnet18-multiclass-flip"] = (new ResNetOnnxSpec(ResidualBlockKind.Basic, 2, 2, 2, 2)
        {
            InputSize = 64, CropSize = 64, IncludePredictionOutputs = true, TestTimeFlip = true,
        }, 4),
        ["resnet50-multilabel-per-label-temperatures-thresholds-flip-labels"] = (new ResNetOnnxSpec(ResidualBlockKind.Bottleneck, 3, 4, 6, 3)
        {
            Activation = OutputActivation.Sigmoid, InputSize = 64, CropSize = 64, IncludeLogits = true, Head = ClassifierHeadKind.Mlp,
            Temperatures = new[] { 0.9f, 1.1f, 1.4f }, Thresholds = new[] { 0.2f, 0.5f, 0.7f }, TestTimeFlip = true,
            PredictedLabelsName = "PredictedLabels",
        }, 3),
    };

    public static TheoryData<string> Cases => new(_cases.Keys);

    [Theory]
    [MemberData(nameof(Cases))]
    public void The_onnx_checker_accepts_the_model(string name)
    {
        var (spec, outputs) = _cases[name];
        byte[] bytes = ResNetOnnxWriter.Write(SyntheticWeights.For(spec, outputs), spec);
        var (rc, stdout, stderr) = OnnxChecker.Check(bytes, name);
        _output.WriteLine($"{name}: {bytes.Length / 1e6:F1} MB, checker exit {rc}: {stdout.Trim()}");
        Assert.True(rc == 0, $"onnx.checker rejected {name}:\n{stderr}");
    }

    [Fact]
    public void The_installed_onnx_knows_opset_17()
    {
        var (rc, stdout, stderr) = OnnxChecker.RunPython("import onnx; print(onnx.__version__, onnx.defs.onnx_opset_version())");
        Assert.True(rc == 0, stderr);
        _output.WriteLine($"onnx {stdout.Trim()}");
        Assert.True(int.Parse(stdout.Trim().Split(' ').Last(), System.Globalization.CultureInfo.InvariantCulture) >= ResNetOnnxWriter.OpsetVersion);
    }
}
