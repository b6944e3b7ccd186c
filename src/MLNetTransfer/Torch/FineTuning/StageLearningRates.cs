using System;

namespace MLNetTransfer;

/// <summary>
/// Peak learning rates per parameter group for full fine-tuning with discriminative learning rates: early layers, which
/// hold generic features, move least (fastai's <c>slice(lo, hi)</c>, ULMFiT's discriminative fine-tuning). The stem
/// (<c>conv1</c>, <c>bn1</c>) uses <see cref="Layer1"/>.
/// </summary>
public sealed class StageLearningRates
{
    /// <summary>layer1 and the stem. Default 1e-5.</summary>
    public double Layer1 { get; init; } = 1e-5;

    /// <summary>layer2. Default 1e-5.</summary>
    public double Layer2 { get; init; } = 1e-5;

    /// <summary>layer3. Default 1e-4.</summary>
    public double Layer3 { get; init; } = 1e-4;

    /// <summary>layer4. Default 1e-4.</summary>
    public double Layer4 { get; init; } = 1e-4;

    /// <summary>The new head. Default 1e-3.</summary>
    public double Head { get; init; } = 1e-3;

    /// <summary>
    /// The default ladder for a head rate of <paramref name="head"/>: layer3–4 at a tenth of it, layer1–2 (and the stem)
    /// at a hundredth; with the default head rate 1e-3 these are the defaults above.
    /// </summary>
    public static StageLearningRates ScaledTo(double head) => new()
    {
        Head = head,
        Layer4 = head / 10,
        Layer3 = head / 10,
        Layer2 = head / 100,
        Layer1 = head / 100,
    };

    /// <summary>
    /// Rates that shrink by <paramref name="decay"/> per stage going down from the head: layer4 = head × decay,
    /// layer3 = head × decay², … (timm's layer-wise decay, per stage).
    /// </summary>
    public static StageLearningRates Decaying(double head, double decay)
    {
        if (!(head > 0) || !(decay > 0 && decay <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(decay), $"Need head > 0 and 0 < decay <= 1; got head {head}, decay {decay}.");
        }

        return new StageLearningRates
        {
            Head = head,
            Layer4 = head * decay,
            Layer3 = head * decay * decay,
            Layer2 = head * Math.Pow(decay, 3),
            Layer1 = head * Math.Pow(decay, 4),
        };
    }

    /// <summary>The rate of stage 0 (stem + layer1) … 3 (layer4), or 4 for the head.</summary>
    public double ForStage(int stage) => stage switch
    {
        0 => Layer1,
        1 => Layer2,
        2 => Layer3,
        3 => Layer4,
        4 => Head,
        _ => throw new ArgumentOutOfRangeException(nameof(stage)),
    };

    internal void Validate()
    {
        for (int s = 0; s <= 4; s++)
        {
            double r = ForStage(s);
            if (!(r > 0) || double.IsInfinity(r))
            {
                throw new ArgumentOutOfRangeException(nameof(StageLearningRates), $"Learning rate of {(s == 4 ? "the head" : $"layer{s + 1}")} must be positive and finite; got {r}.");
            }
        }
    }

    /// <inheritdoc/>
    public override string ToString() => $"layer1 {Layer1:G3}, layer2 {Layer2:G3}, layer3 {Layer3:G3}, layer4 {Layer4:G3}, head {Head:G3}";
}
