using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

// Field names follow PyTorch's state_dict keys on purpose: torchvision's weights load by name, and the ONNX
// initializers carry the same names.
#pragma warning disable IDE1006

namespace MLNetTransfer.Torch.Modules;

/// <summary>
/// A ResNet (He et al. 2015) with torchvision's module tree, so that its <c>state_dict</c> keys are torchvision's:
/// <c>conv1</c>, <c>bn1</c>, <c>layer1.0.conv1</c> … <c>layer4.N.downsample.1</c>, <c>fc</c>. Port of
/// <c>torchvision/models/resnet.py</c> (v0.14) with a configurable block layout (<see cref="ResNetLayout"/>), 1 or 3
/// input channels and a replaceable head.
/// </summary>
/// <remarks>
/// Input: a float batch <c>[N, C, H, W]</c> already normalised the way the weights expect (see
/// <see cref="InputNormalization"/>). Output of <see cref="forward"/>: the head's output (logits); of
/// <see cref="ForwardFeatures"/>: the pooled <see cref="ResNetLayout.FeatureCount"/>-wide features.
/// </remarks>
internal sealed class ResNet : Module<Tensor, Tensor>
{
    private Module<Tensor, Tensor> conv1;
    private readonly Module<Tensor, Tensor> bn1;
    private readonly Module<Tensor, Tensor> maxpool;
    private readonly Module<Tensor, Tensor> layer1;
    private readonly Module<Tensor, Tensor> layer2;
    private readonly Module<Tensor, Tensor> layer3;
    private readonly Module<Tensor, Tensor> layer4;
    private readonly Module<Tensor, Tensor> avgpool;
    private Module<Tensor, Tensor> fc;
    private InputNormalization _normalization;
    private TorchSharp.Modules.BatchNorm2d[] _evalBatchNorms = Array.Empty<TorchSharp.Modules.BatchNorm2d>();

    /// <summary>Builds a randomly initialised ResNet (torchvision's initialisation: Kaiming-normal convs, BN 1/0).</summary>
    /// <param name="layout">Block type and blocks per stage.</param>
    /// <param name="numClasses">Outputs of the default <c>fc</c> head (a single Linear layer).</param>
    /// <param name="inChannels">1 (grayscale) or 3 (RGB) input channels.</param>
    public ResNet(ResNetLayout layout, long numClasses = 1000, long inChannels = 3) : base(nameof(ResNet))
    {
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(numClasses);
        if (inChannels is not (1 or 3))
        {
            throw new ArgumentOutOfRangeException(nameof(inChannels), inChannels, "A ResNet stem takes 1 (grayscale) or 3 (RGB) channels.");
        }

        Layout = layout;
        _normalization = inChannels == 3 ? InputNormalization.ImageNet : InputNormalization.Identity1;
        conv1 = Conv2d(inChannels, 64, 7, stride: 2, padding: 3, bias: false);
        bn1 = BatchNorm2d(64);
        maxpool = MaxPool2d(3, stride: 2, padding: 1);
        long inPlanes = 64;
        layer1 = MakeStage(layout, 64, layout.BlocksPerStage[0], 1, ref inPlanes);
        layer2 = MakeStage(layout, 128, layout.BlocksPerStage[1], 2, ref inPlanes);
        layer3 = MakeStage(layout, 256, layout.BlocksPerStage[2], 2, ref inPlanes);
        layer4 = MakeStage(layout, 512, layout.BlocksPerStage[3], 2, ref inPlanes);
        avgpool = AdaptiveAvgPool2d(1);
        fc = Linear(layout.FeatureCount, numClasses);

        RegisterComponents();
        InitializeWeights();
    }

    /// <summary>Block type and blocks per stage.</summary>
    public ResNetLayout Layout { get; }

    /// <summary>
    /// What the weights expect of the input. Random weights and torchvision's take <see cref="InputNormalization.ImageNet"/>;
    /// loaders and <see cref="GrayscaleStem"/> set what fits the weights they produce.
    /// </summary>
    public InputNormalization Normalization
    {
        get => _normalization;
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            if (value.Channels != InChannels)
            {
                throw new ArgumentException($"A normalisation of {value.Channels} channel(s) does not fit conv1 with {InChannels} input channel(s).", nameof(value));
            }

            _normalization = value;
        }
    }

    /// <summary>Input channels of <c>conv1</c> (1 or 3).</summary>
    public long InChannels => ((TorchSharp.Modules.Conv2d)conv1).in_channels;

    /// <summary>Width of the pooled features that feed the head.</summary>
    public int FeatureCount => Layout.FeatureCount;

    /// <summary>The stem convolution (<c>conv1</c>).</summary>
    public TorchSharp.Modules.Conv2d Conv1 => (TorchSharp.Modules.Conv2d)conv1;

    /// <summary>The stem BatchNorm (<c>bn1</c>).</summary>
    public TorchSharp.Modules.BatchNorm2d Bn1 => (TorchSharp.Modules.BatchNorm2d)bn1;

    /// <summary>The head (<c>fc</c>): a Linear layer unless replaced with <see cref="ReplaceHead"/>.</summary>
    public Module<Tensor, Tensor> Head => fc;

    /// <summary>The four stages, <c>layer1</c>..<c>layer4</c>, in order.</summary>
    public IReadOnlyList<Module<Tensor, Tensor>> Stages => new[] { layer1, layer2, layer3, layer4 };

    /// <summary>Logits: the head applied to <see cref="ForwardFeatures"/>.</summary>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        return scope.MoveToOuter(fc.call(ForwardFeatures(input)));
    }

    /// <summary>The backbone: stem, four stages, global average pool and flatten, <c>[N, FeatureCount]</c>.</summary>
    public Tensor ForwardFeatures(Tensor input)
    {
        using var scope = NewDisposeScope();
        // Each intermediate is released as soon as the next exists (Intermediates; Sequential does the same inside a
        // stage). Held until the scope ends, the stem's and stages' outputs of a frozen backbone are dead weight: about
        // 250 MB for a ResNet50 on a batch of 16 at 224 px. The stem's ReLU is in place, as torchvision's.
        var x = conv1.call(input);
        if (x.device_type == DeviceType.CPU && x.shape[0] > 1)
        {
            // On the CPU, every activation from the stem on is channels-last (NHWC in memory): oneDNN's convolutions
            // and libtorch's BatchNorm and max-pool kernels are faster on it (PyTorch's performance tuning guide,
            // "channels last"), the max-pool 10x here. Converting the input would not do: a 1-channel image is NCHW
            // and NHWC at once, and the convolution then keeps NCHW. The weights stay contiguous for everything that
            // reads them. A ResNet18 training step at 224 px: 296 ms against 337 ms NCHW (BENCHMARKS.md, phase
            // table). A single image stays NCHW: libtorch has a faster path for it there (ResNet18 eval at 224 px:
            // 13 ms against 30 ms channels-last), while from two images on channels-last is faster (22 against 32 ms).
            x = Intermediates.Release(scope, x, Intermediates.ChannelsLast(x));
        }

        x = Intermediates.Release(scope, x, bn1.call(x)).relu_();
        x = Intermediates.Release(scope, x, maxpool.call(x));
        x = Intermediates.Release(scope, x, layer1.call(x));
        x = Intermediates.Release(scope, x, layer2.call(x));
        x = Intermediates.Release(scope, x, layer3.call(x));
        x = Intermediates.Release(scope, x, layer4.call(x));
        x = Intermediates.Release(scope, x, avgpool.call(x));
        return scope.MoveToOuter(Intermediates.Release(scope, x, x.flatten(1)));
    }

    /// <summary>
    /// Sets the BatchNorm layers that stay in eval mode (running statistics fixed) whatever <see cref="train"/> is
    /// called with: a frozen backbone's BatchNorm must not drift to the new data's batch statistics, and a plain
    /// <c>bn.eval()</c> would be undone by the next <c>model.train()</c> (docs/pitfalls.md, "Frozen BatchNorm must stay
    /// in eval mode"; Detectron overrides train() the same way). Applies at once.
    /// </summary>
    internal void KeepInEvalMode(IEnumerable<TorchSharp.Modules.BatchNorm2d> batchNorms)
    {
        ArgumentNullException.ThrowIfNull(batchNorms);
        _evalBatchNorms = batchNorms.ToArray();
        if (training)
        {
            foreach (var bn in _evalBatchNorms)
            {
                bn.eval();
            }
        }
    }

    /// <summary>
    /// The weights came from a graph whose BatchNorm was folded into the convs (a torchvision ONNX export): the
    /// BatchNorm layers hold identity statistics that are right in eval mode only, so fine-tuning keeps them in eval
    /// mode whatever the strategy (their affine parameters may still train, as a per-channel scale and shift).
    /// </summary>
    public bool HasFoldedBatchNorm { get; internal set; }

    /// <summary>The BatchNorm layers kept in eval mode (see <see cref="KeepInEvalMode"/>).</summary>
    internal IReadOnlyList<TorchSharp.Modules.BatchNorm2d> EvalModeBatchNorms => _evalBatchNorms;

    /// <summary>Train or eval mode for every submodule, except that <see cref="EvalModeBatchNorms"/> stay in eval mode.</summary>
    public override void train(bool train = true)
    {
        base.train(train);
        if (train)
        {
            foreach (var bn in _evalBatchNorms)
            {
                bn.eval();
            }
        }
    }

    /// <summary>
    /// Replaces the head (<c>fc</c>) and disposes the old one. Its parameters appear under <c>fc.</c> in the state_dict,
    /// as when a torchvision model's <c>fc</c> attribute is reassigned.
    /// </summary>
    public void ReplaceHead(Module<Tensor, Tensor> head)
    {
        ArgumentNullException.ThrowIfNull(head);
        var old = fc;
        register_module(nameof(fc), null!); // TorchSharp: a null module unregisters the name.
        fc = head;
        register_module(nameof(fc), head);
        old.Dispose();
    }

    /// <summary>Replaces the stem convolution, e.g. with a 1-channel one (see <see cref="GrayscaleStem"/>).</summary>
    internal void ReplaceConv1(TorchSharp.Modules.Conv2d newConv1)
    {
        var old = conv1;
        register_module(nameof(conv1), null!);
        conv1 = newConv1;
        register_module(nameof(conv1), newConv1);
        old.Dispose();
    }

    private static Module<Tensor, Tensor> MakeStage(ResNetLayout layout, long planes, int blocks, long stride, ref long inPlanes)
    {
        var modules = new List<(string, Module<Tensor, Tensor>)>(blocks);
        for (int i = 0; i < blocks; i++)
        {
            string name = i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            long s = i == 0 ? stride : 1;
            if (layout.Block == ResNetBlockKind.Basic)
            {
                modules.Add((name, new BasicBlock(nameof(BasicBlock), inPlanes, planes, s)));
                inPlanes = planes;
            }
            else
            {
                modules.Add((name, new Bottleneck(nameof(Bottleneck), inPlanes, planes, s)));
                inPlanes = planes * Bottleneck.Expansion;
            }
        }

        return Sequential(modules);
    }

    /// <summary>
    /// Back to a random initialisation, running statistics included: the "from scratch" baseline on the same layout.
    /// </summary>
    internal void ResetParameters()
    {
        using var _ = no_grad();
        foreach (var (_, module) in named_modules())
        {
            switch (module)
            {
                case TorchSharp.Modules.BatchNorm2d bn:
                    bn.weight!.fill_(1);
                    bn.bias!.zero_();
                    bn.running_mean!.zero_();
                    bn.running_var!.fill_(1);
                    bn.num_batches_tracked?.zero_();
                    break;
                case TorchSharp.Modules.Linear linear:
                    // PyTorch's Linear.reset_parameters: kaiming_uniform_(a = sqrt(5)), bias U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
                    init.kaiming_uniform_(linear.weight!, a: Math.Sqrt(5));
                    double bound = 1 / Math.Sqrt(linear.weight!.shape[1]);
                    linear.bias?.uniform_(-bound, bound);
                    break;
            }
        }

        InitializeWeights();
    }

    // torchvision: kaiming_normal_(mode="fan_out", nonlinearity="relu") for convs; BN weight 1, bias 0; the Linear
    // keeps PyTorch's default. (zero_init_residual=False, torchvision's default, so the last BN of a block is 1.)
    private void InitializeWeights()
    {
        using var _ = no_grad();
        foreach (var (_, module) in named_modules())
        {
            if (module is TorchSharp.Modules.Conv2d conv)
            {
                init.kaiming_normal_(conv.weight, mode: init.FanInOut.FanOut, nonlinearity: init.NonlinearityType.ReLU);
            }
        }
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            conv1.Dispose();
            bn1.Dispose();
            maxpool.Dispose();
            layer1.Dispose();
            layer2.Dispose();
            layer3.Dispose();
            layer4.Dispose();
            avgpool.Dispose();
            fc.Dispose();
        }

        base.Dispose(disposing);
    }
}
