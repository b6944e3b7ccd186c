using System.Collections.Generic;
using System.Linq;
using Microsoft.ML;
using MLNetTransfer.Cli.Training;

namespace MLNetTransfer.Cli.Scoring;

/// <summary>
/// Which <see cref="IImagePixelReader"/> the command line reads images with: for <c>train</c>, from <c>--pixels</c> and
/// the data (<c>ml.Data.FindFullPrecisionImage</c>); for a saved model, the one its graph names
/// (<c>ml.Model.LoadPixelInput</c>), so that it is scored as it was trained.
/// </summary>
internal static class PixelReaders
{
    public const string PixelsOption = "--pixels";

    /// <summary>The reader <c>train</c> uses, or null for ML.NET's 8-bit loader, and why, in words.</summary>
    public static (IImagePixelReader? Reader, string Why) Choose(MLContext ml, PixelSettings settings, IEnumerable<string> paths)
    {
        switch (settings.Mode)
        {
            case PixelMode.EightBit:
                return (null, $"{PixelsOption} 8bit");
            case PixelMode.Full:
                return (Create(settings, paths), $"{PixelsOption} full");
        }

        var list = paths as IReadOnlyCollection<string> ?? paths.ToList();
        return ml.Data.FindFullPrecisionImage(list) is { } found
            ? (Create(settings, list), $"{PixelsOption} auto: {found} is {(Dicom.DicomFiles.IsDicom(found) ? "DICOM" : "a 16-bit PNG")}")
            : (null, $"{PixelsOption} auto: every image is 8-bit");
    }

    // DICOM in the data: the DICOM reader, which hands the other files to ImageFileReader (full range). Otherwise
    // ImageFileReader with --window.
    private static IImagePixelReader Create(PixelSettings settings, IEnumerable<string> paths)
    {
        if (!paths.Any(Dicom.DicomFiles.IsDicom))
        {
            return new ImageFileReader(window: settings.Window);
        }

        if (settings.Window is not null)
        {
            throw new CliException(ExitCodes.Usage, "--window applies to PNG and JPEG files; the data hold DICOM files, whose window is --dicom-window CENTER,WIDTH (or the file's own).");
        }

        return new Dicom.DicomPixelReader(settings.Dicom);
    }

    /// <summary>The reader a saved model's graph names; a <see cref="CliException"/> (exit 3) when this build has none that matches.</summary>
    public static IImagePixelReader FromDescription(string description, string modelPath)
    {
        if (ImageFileReader.TryFromDescription(description, out var reader))
        {
            return reader;
        }

        if (Dicom.DicomPixelReader.TryFromDescription(description, out var dicom))
        {
            return dicom;
        }

        throw new CliException(ExitCodes.ModelError,
            $"--model: {modelPath} was trained on pixels read by '{description}', a reader this mlnet-transfer does not have; it cannot be fed as it was trained.");
    }
}
