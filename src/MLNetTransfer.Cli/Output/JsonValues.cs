using System;
using System.IO;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace MLNetTransfer.Cli.Output;

/// <summary>
/// How <c>compare</c> and <c>train --strategy compare</c> write their JSON files, the way <see cref="MetricsJson"/> writes
/// the metrics file: indented, invariant numbers, an undefined value (NaN) as null.
/// </summary>
internal static class JsonValues
{
    /// <summary>Writes one JSON object, whose members <paramref name="members"/> writes, to <paramref name="path"/> (its folder created); returns the full path.</summary>
    public static string WriteObject(string path, Action<Utf8JsonWriter> members)
    {
        string full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        using var stream = File.Create(full);
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        json.WriteStartObject();
        members(json);
        json.WriteEndObject();
        return full;
    }

    /// <summary>A number, or null when it is not finite.</summary>
    public static void NumberOrNull(this Utf8JsonWriter json, string name, double value)
    {
        if (double.IsFinite(value))
        {
            json.WriteNumber(name, value);
        }
        else
        {
            json.WriteNull(name);
        }
    }

    /// <summary>A 95% interval as [lower, upper], each end null when undefined.</summary>
    public static void Interval(this Utf8JsonWriter json, string name, ConfidenceInterval interval)
    {
        json.WriteStartArray(name);
        foreach (double end in new[] { interval.Lower, interval.Upper })
        {
            if (double.IsFinite(end))
            {
                json.WriteNumberValue(end);
            }
            else
            {
                json.WriteNullValue();
            }
        }

        json.WriteEndArray();
    }
}
