namespace MLNetTransfer;

/// <summary>
/// Decodes an image file to full-precision intensities, for models fed float pixels rather than ML.NET's 8-bit
/// <c>LoadImages</c>: 16-bit PNGs (<see cref="ImageFileReader"/>) and DICOM files (the MLNetTransfer.Dicom package's
/// reader). Set it as <see cref="ResNetFineTuneTrainer.Options.PixelReader"/>; the fitted model then takes a float
/// <see cref="ResNetFineTuneTransformer.PixelsColumnName"/> column that <see cref="ImagePixelInput.LoadModelInput"/>
/// fills with the same reader, in training, validation and scoring alike.
/// </summary>
/// <remarks>Implementations must be thread-safe: training decodes on several threads at once.</remarks>
public interface IImagePixelReader
{
    /// <summary>
    /// The reader and its settings in one line, e.g. <c>dicom(frame=0, voi=window 1)</c>. It is stored in the model, so
    /// that a scorer can check it feeds the model as it was trained.
    /// </summary>
    string Description { get; }

    /// <summary>
    /// Why <paramref name="path"/> cannot be read, in words that follow the file's name (e.g. "is not a DICOM file"),
    /// or null when it can. Checked for every image before the first epoch, so it should read headers only.
    /// </summary>
    /// <param name="path">The image file.</param>
    string? FindProblem(string path);

    /// <summary>Decodes the image at <paramref name="path"/>.</summary>
    /// <param name="path">The image file.</param>
    /// <returns>Its pixels, channel-major, scaled to [0, 1] at full precision.</returns>
    /// <exception cref="System.IO.InvalidDataException">The file cannot be decoded; the message names it.</exception>
    ImagePixels Read(string path);
}
