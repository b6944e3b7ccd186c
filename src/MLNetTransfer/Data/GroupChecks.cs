using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace MLNetTransfer.Data;

/// <summary>
/// No group (patient, study) on two sides of a split: images of one patient in training and in validation or test make
/// the held-out metrics optimistic (the patient overlap that Roberts et al., "Common pitfalls and recommendations for
/// using machine learning to detect and prognosticate for COVID-19 using chest radiographs and CT scans", Nature Machine
/// Intelligence 3, 2021, found in many published models). <see cref="GroupedSplit"/> keeps groups together by itself;
/// given splits are checked here.
/// </summary>
internal static class GroupChecks
{
    /// <exception cref="InvalidDataException">A group is in more than one split; the message names it and where it is.</exception>
    public static void RequireDisjoint(string groupColumn, (string Path, IReadOnlyList<ImageRecord> Records) train,
        (string Path, IReadOnlyList<ImageRecord> Records)? validation, (string Path, IReadOnlyList<ImageRecord> Records)? test)
    {
        var splits = new List<(string Name, string Path, IReadOnlyList<ImageRecord> Records)> { ("training", train.Path, train.Records) };
        if (validation is { } v)
        {
            splits.Add(("validation", v.Path, v.Records));
        }

        if (test is { } t)
        {
            splits.Add(("test", t.Path, t.Records));
        }

        for (int a = 0; a < splits.Count; a++)
        {
            var first = splits[a].Records.Where(r => r.Group is not null).GroupBy(r => r.Group!, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
            for (int b = a + 1; b < splits.Count; b++)
            {
                var shared = splits[b].Records.FirstOrDefault(r => r.Group is not null && first.ContainsKey(r.Group));
                if (shared is not null)
                {
                    int count = splits[b].Records.Where(r => r.Group is not null && first.ContainsKey(r.Group)).Select(r => r.Group).Distinct(StringComparer.Ordinal).Count();
                    throw new InvalidDataException(
                        $"{DataParameters.GroupColumn} {groupColumn}: '{shared.Group}' is in the {splits[a].Name} split ({first[shared.Group!].Source}) " +
                        $"and in the {splits[b].Name} split ({shared.Source}); {count} group(s) are on both sides. Images of one patient on both sides make " +
                        "the held-out metrics optimistic: move each patient's images to one split.");
                }
            }
        }
    }
}
