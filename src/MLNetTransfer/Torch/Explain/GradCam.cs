using System;
using System.Linq;
using MLNetTransfer.Torch.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetTransfer.Torch.Explain;

/// <summary>
/// Grad-CAM (Selvaraju et al., "Grad-CAM: Visual Explanations from Deep Networks via Gradient-based Localization",
/// ICCV 2017, eq. 1 and 2) on a <see cref="ResNet"/>: with <c>A</c> the output of a stage and <c>y</c> the head's
/// pre-softmax (or pre-sigmoid) output for the chosen class, <c>α_k = mean_{i,j} ∂y/∂A_k[i,j]</c> and
/// <c>L = ReLU(Σ_k α_k A_k)</c>. The map is then upsampled to the input with bilinear interpolation
/// (<c>align_corners=False</c>, as the paper's reference code and pytorch-grad-cam do) and divided by its maximum.
/// </summary>
/// <remarks>
/// The network runs up to the stage without autograd; the stage's output is then a leaf that requires a gradient, and
/// only the rest of the network is recorded. <c>torch.autograd.grad</c> returns <c>∂y/∂A</c> alone, so no parameter
/// gradient is computed or left behind in the model. The stem and pooling are torchvision's: conv1 → bn1 → ReLU →
/// max-pool 3x3/2 (padding 1) → layer1..4 → mean over height and width → head (torchvision/models/resnet.py).
/// </remarks>
internal static class GradCam
{
    /// <summary>Computes the maps for one image.</summary>
    /// <param name="model">The network, in eval mode (BatchNorm with running statistics) for a deterministic map.</param>
    /// <param name="input">The normalised input <c>[1, C, H, W]</c> as conv1 takes it.</param>
    /// <param name="target">The head output to explain (a class of a softmax head, a label of a sigmoid head).</param>
    /// <param name="stage">0 for <c>layer1</c> … 3 for <c>layer4</c> (see <see cref="GradCamStage"/>).</param>
    public static GradCamMaps Compute(ResNet model, Tensor input, int target, int stage)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(input);
        if (input.dim() != 4 || input.shape[0] != 1)
        {
            throw new ArgumentException($"Grad-CAM explains one image [1, C, H, W]; got [{string.Join(", ", input.shape)}].", nameof(input));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(stage);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(stage, 3);
        using var scope = NewDisposeScope();
        var stages = model.Stages;
        Tensor activations;
        using (no_grad())
        {
            var x = model.Conv1.call(input);
            x = model.Bn1.call(x).relu_();
            x = nn.functional.max_pool2d(x, 3, 2, 1);
            for (int s = 0; s <= stage; s++)
            {
                x = stages[s].call(x);
            }

            activations = x.detach().requires_grad_(true);
        }

        Tensor logits, gradient;
        using (enable_grad())
        {
            var y = activations;
            for (int s = stage + 1; s < 4; s++)
            {
                y = stages[s].call(y);
            }

            logits = model.Head.call(y.mean(new long[] { 2, 3 }));
            if (target < 0 || target >= logits.shape[1])
            {
                throw new ArgumentOutOfRangeException(nameof(target), target, $"The head has {logits.shape[1]} outputs.");
            }

            gradient = autograd.grad(new[] { logits[0, target] }, new[] { activations })[0];
        }

        using (no_grad())
        {
            var alpha = gradient.mean(new long[] { 2, 3 }, keepdim: true);             // [1, K, 1, 1]
            var cam = (alpha * activations).sum(1, keepdim: true).relu();           // [1, 1, h, w]
            long height = input.shape[2], width = input.shape[3];
            var up = nn.functional.interpolate(cam, new long[] { height, width }, mode: InterpolationMode.Bilinear, align_corners: false);
            float max = up.max().item<float>();
            if (max > 0)
            {
                up = up / max;
            }

            return new GradCamMaps(
                cam.data<float>().ToArray(), (int)cam.shape[2], (int)cam.shape[3],
                up.data<float>().ToArray(), (int)height, (int)width,
                logits.detach().data<float>().ToArray());
        }
    }
}
