using System.Collections.Generic;

namespace MLNetTransfer.Data;

/// <summary>The splits of a data set as records, before they become data views.</summary>
internal sealed record ImageSplitRecords(
    TaskKind Task,
    IReadOnlyList<string> ClassNames,
    (string Path, IReadOnlyList<ImageRecord> Records) Train,
    (string Path, IReadOnlyList<ImageRecord> Records)? Validation,
    (string Path, IReadOnlyList<ImageRecord> Records)? Test,
    IReadOnlyList<string> Warnings);
