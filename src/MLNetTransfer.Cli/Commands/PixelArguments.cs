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

    public void AddTo(Command command)
    {
        command.Options.Add(Pixels);
        command.Options.Add(Window);
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

        return new PixelSettings { Mode = mode, Window = window };
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
