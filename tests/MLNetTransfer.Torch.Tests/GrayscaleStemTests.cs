using System;
using System.Linq;
using MLNetTransfer.Torch.Modules;
using TorchSharp;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace MLNetTransfer.Torch.Tests;

/// <summary>
/// A gray image copied to R = G = B through the RGB network equals the image itself through the adapted 1-channel
/// network (docs/design.md, "Grayscale inputs"), away from conv1's zero-padded border.
/// </summary>
[Collection("NoParallelization")]
public sealed class GrayscaleStemTests
{
    private const int Size = 224;
    private readonly ITestOutputHelper _output;

    public GrayscaleStemTests(ITestOutputHelper output) => _output = output;

    public static TheoryData<string> Sources => new() { "mlnet-resnet18", "random-resnet50" };

    [Theory]
    [MemberData(nameof(Sources))]
    public void Sum_adaptation_reproduces_the_rgb_network_on_replicated_gray(string source)
    {
        using var rgb = Make(source, grayscale: null);
        using var gray = Make(source, GrayscaleAdapt.Sum);
        Assert.Equal(3, rgb.InChannels);
        Assert.Equal(1, gray.InChannels);
        Assert.Equal(new[] { 1f }, gray.Normalization.Std);
        // The gray level the adapted network pads with lies among the channel means it replaces (see GrayscaleStem).
        Assert.InRange(gray.Normalization.Mean[0], rgb.Normalization.Mean.Min() - 0.05f, rgb.Normalization.Mean.Max() + 0.05f);

        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var (g, x) = Inputs(rgb.Normalization);
        var stemRgb = rgb.Bn1.call(rgb.Conv1.call(x));
        var stemGray = gray.Bn1.call(gray.Conv1.call(g - gray.Normalization.Mean[0]));

        // conv1 is 7x7, stride 2, pad 3: output i reads input rows 2i-3 .. 2i+3, inside the image for 2 <= i <= 110.
        var interior = TensorIndex.Slice(2, 111);
        float scale = stemRgb.abs().max().item<float>();
        float interiorDiff = (stemRgb[.., .., interior, interior] - stemGray[.., .., interior, interior]).abs().max().item<float>();
        float borderDiff = (stemRgb - stemGray).abs().max().item<float>();
        _output.WriteLine($"{source}: stem max {scale:G4}; interior max |diff| {interiorDiff:G3}; including the border {borderDiff:G3}");
        Assert.True(interiorDiff <= 1e-4f * scale, $"interior differs by {interiorDiff} (scale {scale})");

        // At the border the two differ, as documented: the RGB network pads with the normalised 0 (= the channel mean),
        // the adapted one with black. The test says so rather than hide it.
        Assert.True(borderDiff > 1e-3f * scale, "the border was expected to differ (zero padding means different pixels)");

        // Through the whole backbone the border difference spreads into every pooled feature, a little. Measured on
        // 224 px: 0.04 % (random ResNet50, ImageNet statistics) and 1.7 % (ML.NET's ResNet18, whose 0-255 scale makes
        // the per-channel padding levels further apart) relative L2. (Logits are not compared: ML.NET's file has no
        // head, so each model gets its own random one.)
        var fRgb = rgb.ForwardFeatures(x);
        var fGray = gray.ForwardFeatures(g - gray.Normalization.Mean[0]);
        float featureDiff = ((fRgb - fGray).norm() / fRgb.norm()).item<float>();
        _output.WriteLine($"{source}: pooled features relative L2 diff {featureDiff:P2}, all from the border");
        Assert.True(featureDiff < 0.05f, $"pooled features differ by {featureDiff:P2}");
    }

    [Fact]
    public void Mean_adaptation_shrinks_conv1_three_times_and_misleads_a_frozen_bn1()
    {
        using var rgb = Make("mlnet-resnet18", grayscale: null);
        using var sum = Make("mlnet-resnet18", GrayscaleAdapt.Sum);
        using var mean = Make("mlnet-resnet18", GrayscaleAdapt.Mean);

        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var (g, x) = Inputs(rgb.Normalization);
        var interior = TensorIndex.Slice(2, 111);

        // Before BN, with the folded offset (what was subtracted from bn1.running_mean): a third of the true response.
        var rm = rgb.Bn1.running_mean!.reshape(1, -1, 1, 1);
        var preSum = sum.Conv1.call(g - sum.Normalization.Mean[0]) + (rm - sum.Bn1.running_mean!.reshape(1, -1, 1, 1));
        var preMean = mean.Conv1.call(g - mean.Normalization.Mean[0]) + (rm - mean.Bn1.running_mean!.reshape(1, -1, 1, 1));
        var preRgb = rgb.Conv1.call(x);
        Assert.True(((preSum - preRgb)[.., .., interior, interior]).abs().max().item<float>() <= 1e-4f * preRgb.abs().max().item<float>());
        var ratio = (preMean[.., .., interior, interior] / preSum[.., .., interior, interior]).median().item<float>();
        Assert.InRange(ratio, 1f / 3 - 1e-4f, 1f / 3 + 1e-4f);

        // After the pretrained, frozen bn1 the mean-adapted stem is far from what the next layers were trained on.
        var bnRgb = rgb.Bn1.call(rgb.Conv1.call(x))[.., .., interior, interior];
        var bnMean = mean.Bn1.call(mean.Conv1.call(g - mean.Normalization.Mean[0]))[.., .., interior, interior];
        float relative = ((bnRgb - bnMean).norm() / bnRgb.norm()).item<float>();
        _output.WriteLine($"mean adaptation: relative error after bn1 {relative:P1}");
        Assert.True(relative > 0.2f, $"expected the mean adaptation to be visibly off after bn1, got {relative}");
    }

    [Fact]
    public void Adapting_a_one_channel_model_is_refused()
    {
        using var model = new ResNet(ResNetLayout.ResNet18, inChannels: 1);
        var e = Assert.Throws<ArgumentException>(() => GrayscaleStem.Adapt(model));
        Assert.Contains("1 channel", e.Message);
    }

    private static ResNet Make(string source, GrayscaleAdapt? grayscale)
    {
        var options = new PretrainedOptions { Grayscale = grayscale is not null, GrayscaleAdaptation = grayscale ?? GrayscaleAdapt.Sum };
        ResNet model;
        if (source == "mlnet-resnet18")
        {
            model = MLNetResNet18.Load(options);
        }
        else
        {
            // Random weights with non-trivial BN statistics, identical for every call (same seed), ImageNet normalisation.
            random.manual_seed(7);
            model = new ResNet(ResNetLayout.ResNet50);
            using (no_grad())
            {
                foreach (var (_, m) in model.named_modules())
                {
                    if (m is TorchSharp.Modules.BatchNorm2d bn)
                    {
                        bn.running_mean!.uniform_(-0.5, 0.5);
                        bn.running_var!.uniform_(0.5, 2.0);
                        bn.weight!.uniform_(0.5, 1.5);
                        bn.bias!.uniform_(-0.2, 0.2);
                    }
                }
            }

            if (grayscale is { } mode)
            {
                GrayscaleStem.Adapt(model, mode);
            }
        }

        model.eval();
        return model;
    }

    // A gray image g in [0, 1] ([1, 1, H, W]) and the same image copied to three channels and normalised ([1, 3, H, W]).
    private static (Tensor Gray, Tensor Rgb) Inputs(InputNormalization norm)
    {
        var g = tensor(TestImages.Gray(2, Size, seed: 3), new long[] { 1, 1, Size, Size });
        var mean = tensor(norm.Mean, new long[] { 1, 3, 1, 1 });
        var std = tensor(norm.Std, new long[] { 1, 3, 1, 1 });
        return (g, (g.expand(1, 3, Size, Size) - mean) / std);
    }
}
