namespace MLNetTransfer.Torch.Explain;

/// <summary>What <see cref="GradCamNetwork.Explain"/> returns.</summary>
/// <param name="Maps">The Grad-CAM maps and the logits.</param>
/// <param name="Scores">The model's scores for the image, as its graph computes them (temperatures, activation, flip average).</param>
/// <param name="Image">The raw input planes cropped as the graph crops them: what the network looks at, <c>[C, Height, Width]</c>, 0–255 for 8-bit input.</param>
/// <param name="ImageChannels">Channels of <paramref name="Image"/> (the graph input's).</param>
internal sealed record GradCamResult(GradCamMaps Maps, float[] Scores, float[] Image, int ImageChannels);
