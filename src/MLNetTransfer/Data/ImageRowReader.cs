using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;
using MLNetTransfer.Scoring;
using MLNetTransfer.Torch.Data;
using MLNetTransfer.Torch.Metrics;

namespace MLNetTransfer.Data;

/// <summary>
/// Reads an IDataView's image, label and group columns into the engine's types. Images go through the scoring chain's
/// own ML.NET steps (<see cref="ScoringPixelLoader"/>), so training sees the pixels the saved model will be scored on: an
/// MLImage column (from <c>LoadImages</c>) is resized and extracted at once, then reduced by <c>reduce</c> (to one
/// channel for a gray network), so the data view's images need not stay in memory; a text column of file paths is
/// loaded, resized and extracted by ML.NET when a batch needs it. A byte vector of encoded files
/// (<c>LoadRawImageBytes</c>) is refused by the fine-tuning estimator (<see cref="SchemaChecks.EncodedBytesRefused"/>),
/// since its scoring chain could not decode it. Labels: a key (single-label; the key's values name the classes), a
/// Boolean (binary), or a known-size float vector (multi-label: 1, 0, -1 uncertain, NaN missing).
/// </summary>
internal static class ImageRowReader
{
    /// <summary>
    /// The image gate's limits (<see cref="ImageFileCheck"/>): the pixel budget and the smallest shorter side; and what
    /// to do with a refused image (<see cref="BadImagePolicy"/>).
    /// </summary>
    public readonly record struct ImageGate(long MaxPixels, int MinimumSide, BadImagePolicy Policy = BadImagePolicy.Fail);

    // One row's image as the gate sees it: a file still to check (IsFile), or an MLImage whose size was checked on reading.
    private readonly record struct Gated(string Name, long Row, string? Problem, bool IsFile);

    // skipped: where BadImagePolicy.Skip lists the rows it leaves out.
    public static LabeledImageRows Read(IDataView data, LabelSchema labels, string imageColumn, string? groupColumn, string? imageFolder,
        IModelPixelLoader loader, Func<DecodedImage, DecodedImage> reduce, string context, ImageGate gate, List<SkippedImage>? skipped = null)
    {
        if (data.Schema[imageColumn].Type is ImageDataViewType && loader is ScoringPixelLoader ml)
        {
            // The pixels the scoring chain extracts, next to the columns read below.
            data = ml.ForImageColumn(data, imageColumn).Transform(data);
        }

        var schema = data.Schema;
        var image = schema[imageColumn];
        var label = schema[labels.ColumnName];
        var columns = new List<DataViewSchema.Column> { image, label };
        if (image.Type is ImageDataViewType)
        {
            columns.Add(schema[ScoringPixelLoader.PixelsColumnOf(imageColumn)]);
        }

        DataViewSchema.Column? group = groupColumn is null ? null : schema[groupColumn];
        if (group is { } g)
        {
            columns.Add(g);
        }

        var images = new List<ImageSource>();
        var classes = labels.Task == TaskKind.MultiLabel ? null : new List<int>();
        var targets = labels.Task == TaskKind.MultiLabel ? new List<float[]>() : null;
        var groups = new List<string?>();
        var gated = new List<Gated>();
        using var cursor = data.GetRowCursor(columns);
        var readImage = ImageGetter(data, cursor, image, imageFolder, loader, reduce, context, gate, gated);
        var readLabel = LabelGetter(cursor, label, labels, context);
        var readGroup = group is null ? null : GroupIds.Getter(cursor, group.Value);
        while (cursor.MoveNext())
        {
            long row = cursor.Position;
            var (ci, target) = readLabel(row);
            images.Add(readImage(row));
            classes?.Add(ci);
            targets?.Add(target!);
            groups.Add(readGroup?.Invoke());
        }

        if (images.Count == 0)
        {
            throw new InvalidOperationException($"{context} has no rows.");
        }

        var rows = new LabeledImageRows(images, classes, targets, groups);
        return gated.Count == 0 ? rows : Gate(rows, gated, context, gate, loader, skipped);
    }

    // Every file through the image gate now, before epoch 1, so that a bad file never surfaces mid-run (gated holds one
    // entry per row, in row order). Fail throws naming them all; Skip leaves their rows out and lists them.
    private static LabeledImageRows Gate(LabeledImageRows rows, List<Gated> gated, string context, ImageGate gate, IModelPixelLoader loader, List<SkippedImage>? skipped)
    {
        var problems = new string?[gated.Count];
        System.Threading.Tasks.Parallel.For(0, gated.Count, i => problems[i] = gated[i].IsFile
            ? loader.Problem(gated[i].Name, gate.MaxPixels, gate.MinimumSide)
            : gated[i].Problem);
        var refused = Enumerable.Range(0, gated.Count).Where(i => problems[i] is not null).ToList();
        if (refused.Count == 0)
        {
            return rows;
        }

        if (gate.Policy == BadImagePolicy.Fail)
        {
            throw new ImageFileException(context, refused.Select(i => new KeyValuePair<string, string>(gated[i].Name, problems[i]!)).ToList());
        }

        skipped?.AddRange(refused.Select(i => new SkippedImage(gated[i].Name, context, gated[i].Row, problems[i]!)));
        var kept = Enumerable.Range(0, gated.Count).Where(i => problems[i] is null).ToList();
        if (kept.Count == 0)
        {
            int first = refused[0];
            throw new InvalidOperationException(
                $"{context} has no rows left: BadImagePolicy.Skip left out all {refused.Count} of its images (the first, '{gated[first].Name}', {problems[first]}).");
        }

        return rows.Subset(kept);
    }

    private static Func<long, ImageSource> ImageGetter(IDataView data, DataViewRowCursor cursor, DataViewSchema.Column column, string? imageFolder,
        IModelPixelLoader loader, Func<DecodedImage, DecodedImage> reduce, string context, ImageGate gate, List<Gated> gated)
    {
        var type = column.Type;
        if (type is ImageDataViewType)
        {
            var getter = cursor.GetGetter<MLImage>(column);
            var pixelGetter = cursor.GetGetter<VBuffer<float>>(data.Schema[ScoringPixelLoader.PixelsColumnOf(column.Name)]);
            MLImage value = null!;
            VBuffer<float> pixels = default;
            return row =>
            {
                try
                {
                    getter(ref value);
                    if (value is not null && ImageFileCheck.SizeProblem(value.Width, value.Height, gate.MaxPixels, gate.MinimumSide) is { } problem)
                    {
                        // LoadImages has decoded it already (the pixel budget cannot spare that); its size is still
                        // refused, as a file's would be. Its pixels are not read: the row is refused or left out.
                        gated.Add(new Gated(value.Tag ?? $"{column.Name} row {row}", row, $"(row {row} of column '{column.Name}', decoded by LoadImages) {problem}", IsFile: false));
                        return null!;
                    }

                    pixelGetter(ref pixels);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // LoadImages decodes here, and its errors (e.g. "Invalid input stream contents" for a corrupt file)
                    // do not name the file; the row's text columns (its path, usually) do.
                    throw new InvalidDataException(
                        $"{context}: row {row} of column '{column.Name}' could not be loaded as an image ({e.GetType().Name}: {e.Message}){DescribeTextColumns(data, row, column.Name)}.", e);
                }

                if (value is null)
                {
                    throw new InvalidDataException($"Row {row} of column '{column.Name}' has no image (LoadImages could not read it?).");
                }

                gated.Add(new Gated(value.Tag ?? $"{column.Name} row {row}", row, null, IsFile: false));
                return ImageSource.FromImage(reduce(ScoringPixelLoader.FromPixels(pixels.GetValues(), loader.Size)), value.Tag ?? $"{column.Name} row {row}");
            };
        }

        if (type is TextDataViewType)
        {
            var getter = cursor.GetGetter<ReadOnlyMemory<char>>(column);
            ReadOnlyMemory<char> value = default;
            return row =>
            {
                getter(ref value);
                string path = value.ToString();
                if (string.IsNullOrWhiteSpace(path))
                {
                    throw new InvalidDataException($"Row {row} of column '{column.Name}' has an empty image path.");
                }

                string file = imageFolder is null ? path : Path.Combine(imageFolder, path);
                gated.Add(new Gated(file, row, null, IsFile: true));
                return ImageSource.FromLoader(() => loader.Load(file), file);
            };
        }

        if (type is VectorDataViewType { ItemType: NumberDataViewType n } && n.RawType == typeof(byte))
        {
            var getter = cursor.GetGetter<VBuffer<byte>>(column);
            VBuffer<byte> value = default;
            return row =>
            {
                getter(ref value);
                return ImageSource.FromEncoded(value.DenseValues().ToArray(), $"{column.Name} row {row}");
            };
        }

        throw SchemaChecks.Mismatch(column.Name, SchemaChecks.ImageExpected, type);
    }

    // "; the row has ImagePath = '/data/x.png', Patient = 'p1'": the text columns of one row, read by a second cursor
    // (error path only).
    private static string DescribeTextColumns(IDataView data, long row, string imageColumn)
    {
        try
        {
            var text = data.Schema.Where(c => !c.IsHidden && c.Type is TextDataViewType && c.Name != imageColumn).ToList();
            if (text.Count == 0)
            {
                return "";
            }

            using var cursor = data.GetRowCursor(text);
            while (cursor.MoveNext())
            {
                if (cursor.Position != row)
                {
                    continue;
                }

                var parts = new List<string>();
                foreach (var column in text)
                {
                    ReadOnlyMemory<char> value = default;
                    cursor.GetGetter<ReadOnlyMemory<char>>(column)(ref value);
                    parts.Add($"{column.Name} = '{value}'");
                }

                return "; the row has " + string.Join(", ", parts);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Best effort: the message is still clear without the row's text.
        }

        return "";
    }

    private static Func<long, (int Class, float[]? Targets)> LabelGetter(DataViewRowCursor cursor, DataViewSchema.Column column, LabelSchema labels, string context)
    {
        switch (labels.Kind)
        {
            case LabelKind.Key:
            {
                var getter = cursor.GetGetter<uint>(column);
                uint value = 0;
                return row =>
                {
                    getter(ref value);
                    if (value == 0)
                    {
                        throw new InvalidDataException($"{context}: row {row} has a missing label in column '{column.Name}' (key value 0; was the value absent from MapValueToKey's data?).");
                    }

                    return ((int)value - 1, null);
                };
            }

            case LabelKind.Boolean:
            {
                var getter = cursor.GetGetter<bool>(column);
                bool value = false;
                return _ =>
                {
                    getter(ref value);
                    return (value ? 1 : 0, null);
                };
            }

            default:
            {
                var getter = cursor.GetGetter<VBuffer<float>>(column);
                VBuffer<float> value = default;
                return row =>
                {
                    getter(ref value);
                    var dense = value.DenseValues().ToArray();
                    foreach (float v in dense)
                    {
                        if (!(float.IsNaN(v) || v is 0f or 1f or -1f))
                        {
                            throw new InvalidDataException($"{context}: row {row} of column '{column.Name}' holds {v}; multi-label targets are 1, 0, -1 (uncertain) or NaN (missing).");
                        }
                    }

                    return (-1, dense);
                };
            }
        }
    }
}
