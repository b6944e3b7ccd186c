using System.Collections.Generic;
using System.Linq;
using Microsoft.ML;
using MLNetTransfer.Cli.Data;

namespace MLNetTransfer.Cli.Scoring;

/// <summary>
/// The library's image gate (<c>ml.Data.FindImageProblem</c>) for the files the command line scores: ML.NET's
/// LoadImages half-decodes a truncated file without a word and turns an unreadable one into an error that names no file,
/// so <c>evaluate</c>, <c>predict</c>, <c>compare</c> and train's test split check each file first. Training images are
/// checked by <c>FineTuneResNet</c> itself, before epoch 1.
/// </summary>
internal static class ImageCheck
{
    private static readonly MLContext Context = ProcessTempFolder.NewContext();

    /// <summary>
    /// Null when the file passes the gate (within <paramref name="maxPixels"/>, 0 for the default), or, for a model fed
    /// full-precision pixels, <paramref name="reader"/>'s own check; otherwise why not.
    /// </summary>
    /// <remarks>The command line's readers (ImageFileReader, DicomPixelReader) name a missing file or a folder themselves.</remarks>
    public static string? Problem(string path, long maxPixels = 0, IImagePixelReader? reader = null) =>
        reader is null ? Context.Data.FindImageProblem(path, maxPixels) : reader.FindProblem(path);

    /// <summary>
    /// <c>--bad-images skip</c>: the records that pass the gate, in order, and those that do not, as rows of
    /// <paramref name="split"/> (checked in parallel).
    /// </summary>
    public static (IReadOnlyList<ImageRecord> Kept, IReadOnlyList<SkippedImageRow> Skipped) Partition(IReadOnlyList<ImageRecord> records, string split, long maxPixels = 0, IImagePixelReader? reader = null)
    {
        var problems = records.AsParallel().AsOrdered().Select(r => Problem(r.Path, maxPixels, reader)).ToArray();
        var kept = records.Where((_, i) => problems[i] is null).ToList();
        var skipped = records.Select((r, i) => (r.Path, Problem: problems[i])).Where(p => p.Problem is not null)
            .Select(p => new SkippedImageRow(p.Path, split, p.Problem!)).ToList();
        return (kept, skipped);
    }
}
