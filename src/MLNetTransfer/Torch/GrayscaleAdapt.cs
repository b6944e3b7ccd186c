namespace MLNetTransfer;

/// <summary>How a 1-channel <c>conv1</c> is made from pretrained RGB weights.</summary>
public enum GrayscaleAdapt
{
    /// <summary>
    /// Sum over the colour channels (fastai <c>_load_pretrained_weights</c>, timm <c>adapt_input_conv</c>): a gray
    /// image through the summed kernel equals the same image copied to R = G = B through the RGB kernel. The default.
    /// </summary>
    Sum,

    /// <summary>
    /// The mean of the colour channels, as often quoted. It shrinks conv1's output three times, so a pretrained (and
    /// especially a frozen) <c>bn1</c> no longer sees the statistics it was trained on (docs/pitfalls.md, "Grayscale:
    /// sum, not mean"). Offered for comparison only.
    /// </summary>
    Mean,
}
