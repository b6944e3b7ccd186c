using System;
using System.IO;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace MLNetTransfer.Cli.Output;

/// <summary>
/// How the command line writes its JSON files (<see cref="MetricsJson"/>, <c>compare</c>, <c>train --strategy
/// compare</c>): indented, invariant numbers, an undefined value (NaN) as null.
/// </summary>
internal static class JsonValues
{
    /// <summary>Writes one JSON object, whose members <paramref name="members"/> writes, to <paramref name="path"/> (its folder created); returns the full path. Written through <see cref="AtomicFile"/>: a failure leaves the previous file.</summary>
    public static string WriteObject(string path, Action<Utf8JsonWriter> members)
    {
        string full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        AtomicFile.Write(full, stream =>
        {
            using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
            json.WriteStartObject();
            members(json);
            json.WriteEndObject();
        });
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

    /// <summary>An array element: a number, or null when it is not finite.</summary>
    public static void NumberOrNullValue(this Utf8JsonWriter json, double value)
    {
        if (double.IsFinite(value))
        {
            json.WriteNumberValue(value);
        }
        else
        {
            json.WriteNullValue();
        }
    }

    /// <summary>A 95% interval as [lower, upper]; null when there is none or it is undefined (an absent class, a zero variance).</summary>
    public static void Interval(this Utf8JsonWriter json, string name, ConfidenceInterval? interval)
    {
        if (interval is null || !interval.IsDefined)
        {
            json.WriteNull(name);
            return;
        }

        json.WriteStartArray(name);
        json.NumberOrNullValue(interval.Lower);
        json.NumberOrNullValue(interval.Upper);
        json.WriteEndArray();
    }
}
