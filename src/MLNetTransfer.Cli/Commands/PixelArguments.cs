using System;
using System.CommandLine;
using System.Globalization;
using MLNetTransfer.Cli.Training;

namespace MLNetTransfer.Cli.Commands;

/// <summary>
/// <c>train</c>'s options for how images are read (<see cref="PixelSettings"/>): ML.NET's 8-bit loader, or a
/// full-precision reader for DICOM files and 16-bit PNGs (<see cref="ResNetFineTuneTrainer.Options.PixelReader"/>).
/// evaluate, predict and compare take no such options: a saved model names its reader.
/// </summary>
internal sealed class PixelArguments
{
    public Option<string> Pixels { get; } = new(Scoring.PixelReaders.PixelsOption)
    {
        Description = "How images are read: auto (the default: at full precision when the data hold DICOM files or 16-bit PNGs, by ML.NET's 8-bit loader otherwise), 8bit (ML.NET's loader; DICOM is refused) or full (every image at full precision). A full-precision model takes a float Pixels column; README.md, \"16-bit images and DICOM\".",
        DefaultValueFactory = _ => "auto",
    };

    public Option<string?> Window { get; } = new("--window")
    {
        Description = "Full precision, PNG and JPEG files: the stored values that map to black and white, LOW,HIGH (e.g. 0,4095 for 12-bit data in 16-bit PNGs); values outside are clamped. Default: the file's full range.",
    };

    public Option<int> DicomFrame { get; } = new("--dicom-frame")
    {
        Description = "DICOM: the frame of a multi-frame file to read, 0-based. Default 0.",
        DefaultValueFactory = _ => 0,
    };

    public Option<int> DicomWindowIndex { get; } = new("--dicom-window-index")
    {
        Description = "DICOM: which Window Center/Width pair (or VOI LUT) of the file to apply, 0-based. Default 0, the first.",
        DefaultValueFactory = _ => 0,
    };

    public Option<string?> DicomWindow { get; } = new("--dicom-window")
    {
        Description = "DICOM: apply this window to every file instead of the file's own, CENTER,WIDTH in modality units (e.g. -600,1500 for lungs in HU).",
    };

    public Option<bool> DicomNoVoi { get; } = new("--dicom-no-voi")
    {
        Description = "DICOM: apply no window or VOI LUT; the modality LUT's whole range is scaled to [0, 1] (every Hounsfield unit kept).",
    };

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { Pixels, Window, DicomFrame, DicomWindowIndex, DicomWindow, DicomNoVoi })
        {
            command.Options.Add(option);
        }
    }

    public PixelSettings Read(ParseResult parse)
    {
        var mode = parse.GetValue(Pixels)?.ToLowerInvariant() switch
        {
            "auto" => PixelMode.Auto,
            "8bit" => PixelMode.EightBit,
            "full" => PixelMode.Full,
            var other => throw new CliException(ExitCodes.Usage, $"{Scoring.PixelReaders.PixelsOption}: '{other}' is not one of auto, 8bit, full."),
        };
        var window = parse.GetValue(Window) is { } text ? ParseWindow(text) : ((double, double)?)null;
        if (window is not null && mode == PixelMode.EightBit)
        {
            throw new CliException(ExitCodes.Usage, $"--window applies to full-precision reading; {Scoring.PixelReaders.PixelsOption} 8bit reads through ML.NET's loader.");
        }

        var dicom = new Dicom.DicomReadOptions
        {
            Frame = TrainCommand.AtLeast(parse.GetValue(DicomFrame), 0, "--dicom-frame"),
            WindowIndex = TrainCommand.AtLeast(parse.GetValue(DicomWindowIndex), 0, "--dicom-window-index"),
            Window = parse.GetValue(DicomWindow) is { } w ? ParseDicomWindow(w) : null,
            ApplyVoi = !parse.GetValue(DicomNoVoi),
        };
        if (dicom.Window is not null && !dicom.ApplyVoi)
        {
            throw new CliException(ExitCodes.Usage, "--dicom-window and --dicom-no-voi contradict each other: give one.");
        }

        return new PixelSettings { Mode = mode, Window = window, Dicom = dicom };
    }

    private static Dicom.DicomWindow ParseDicomWindow(string text)
    {
        var parts = text.Split(',');
        if (parts.Length == 2
            && double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out double center)
            && double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out double width)
            && double.IsFinite(center) && double.IsFinite(width) && width >= 1)
        {
            return new Dicom.DicomWindow(center, width);
        }

        throw new CliException(ExitCodes.Usage, $"--dicom-window: '{text}' is not CENTER,WIDTH with a width of at least 1 (e.g. -600,1500).");
    }

    private static (double Low, double High) ParseWindow(string text)
    {
        var parts = text.Split(',');
        if (parts.Length == 2
            && double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out double low)
            && double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out double high)
            && double.IsFinite(low) && double.IsFinite(high) && high > low)
        {
            return (low, high);
        }

        throw new CliException(ExitCodes.Usage, $"--window: '{text}' is not LOW,HIGH with HIGH above LOW (e.g. 0,4095).");
    }
}
