using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;

namespace MLNetTransfer.Bench.Training;

/// <summary>The RESULT lines bench/run.sh collected, one JSON object each, and the summaries the report needs.</summary>
internal sealed class Results
{
    private readonly List<JsonElement> _rows;

    public Results(string path)
    {
        _rows = File.ReadLines(path).Where(l => l.Length > 0).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();
    }

    public IEnumerable<JsonElement> Where(string bench) => _rows.Where(r => r.GetProperty("bench").GetString() == bench);

    /// <summary>The (arch, crop) pairs measured, in the order they first ran.</summary>
    public IReadOnlyList<(string Arch, int Crop)> TrainConfigs() =>
        Where("train").Select(r => (r.GetProperty("arch").GetString()!, r.GetProperty("crop").GetInt32())).Distinct().ToList();

    /// <summary>images/s of one implementation on one config, per round.</summary>
    public IReadOnlyList<(int Round, double ImagesPerSecond, JsonElement Row)> Runs(string arch, int crop, string impl) =>
        Where("train").Where(r => r.GetProperty("arch").GetString() == arch && r.GetProperty("crop").GetInt32() == crop && r.GetProperty("impl").GetString() == impl)
            .Select(r => (r.GetProperty("round").GetInt32(), r.GetProperty("images_per_s").GetDouble(), r)).ToList();

    /// <summary>The fastest run: other work on the machine only ever slows a run down.</summary>
    public (double ImagesPerSecond, JsonElement Row)? Best(string arch, int crop, string impl)
    {
        var runs = Runs(arch, crop, impl);
        return runs.Count == 0 ? null : runs.OrderByDescending(r => r.ImagesPerSecond).Select(r => (r.ImagesPerSecond, r.Row)).First();
    }

    /// <summary>numerator ÷ denominator within each round (both ran back to back), for the spread across rounds.</summary>
    public IReadOnlyList<double> PairedRatios(string arch, int crop, string numerator, string denominator)
    {
        var d = Runs(arch, crop, denominator).ToDictionary(r => r.Round, r => r.ImagesPerSecond);
        return Runs(arch, crop, numerator).Where(r => d.ContainsKey(r.Round)).Select(r => r.ImagesPerSecond / d[r.Round]).ToList();
    }

    public string? Text(string bench, string property) =>
        Where(bench).Select(r => r.TryGetProperty(property, out var v) ? v.ToString() : null).FirstOrDefault(v => v is not null);
}
