namespace MLNetTransfer;

/// <summary>
/// The input of a saved full-precision model (<see cref="ModelFileCatalog.LoadPixelInput"/>): a float
/// <see cref="ResNetFineTuneTransformer.PixelsColumnName"/> column of 3 × <see cref="Size"/>² values, made by
/// <see cref="ImagePixelInput.LoadModelInput"/> with the reader <see cref="ReaderDescription"/> describes.
/// </summary>
/// <param name="ReaderDescription">The <see cref="IImagePixelReader.Description"/> of the reader the model was trained with.</param>
/// <param name="Size">The side of the input square (the <c>size</c> argument of <see cref="ImagePixelInput.LoadModelInput"/>).</param>
public sealed record ModelPixelInput(string ReaderDescription, int Size);
