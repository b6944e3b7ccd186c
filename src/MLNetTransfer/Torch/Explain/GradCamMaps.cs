namespace MLNetTransfer.Torch.Explain;

/// <summary>What <see cref="GradCam.Compute"/> returns for one image and one output.</summary>
/// <param name="StageMap">ReLU(Σ_k α_k A_k) at the stage's resolution, row-major <c>[StageHeight, StageWidth]</c>, not normalised.</param>
/// <param name="StageHeight">Rows of <paramref name="StageMap"/>.</param>
/// <param name="StageWidth">Columns of <paramref name="StageMap"/>.</param>
/// <param name="Map">The stage map upsampled bilinearly to the network's input and divided by its maximum (all zeros stay zeros), <c>[Height, Width]</c> in [0, 1].</param>
/// <param name="Height">Rows of <paramref name="Map"/>: the network input's height.</param>
/// <param name="Width">Columns of <paramref name="Map"/>.</param>
/// <param name="Logits">The head's outputs for the image (the explained one among them).</param>
internal sealed record GradCamMaps(float[] StageMap, int StageHeight, int StageWidth, float[] Map, int Height, int Width, float[] Logits);
