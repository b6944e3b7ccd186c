using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace MLNetTransfer.Cli.Output;

/// <summary>
/// predict's rows streamed to a file as they are scored: CSV (<c>.csv</c>: file, predicted, probability, one p(class)
/// column per class, error) or JSON lines (<c>.jsonl</c>: one object per image, as <c>--json</c> writes each prediction,
/// or <c>{"file", "error"}</c> for an unreadable image).
/// </summary>
internal sealed class PredictionWriter : IDisposable
{
    private static readonly JsonWriterOptions JsonOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private readonly StreamWriter _writer;
    private readonly bool _csv;
    private readonly IReadOnlyList<string> _classes;

    private PredictionWriter(Stream stream, bool csv, IReadOnlyList<string> classes)
    {
        _writer = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16, leaveOpen: true);
        _csv = csv;
        _classes = classes;
        if (csv)
        {
            _writer.WriteLine(string.Join(",", new[] { "file", "predicted", "probability" }.Concat(classes.Select(c => $"p({c})")).Append("error").Select(Csv)));
        }
    }

    /// <summary>The format of <paramref name="path"/> by its extension, or a usage error naming --output.</summary>
    public static bool IsCsv(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".csv" => true,
        ".jsonl" => false,
        _ => throw new CliException(ExitCodes.Usage, $"--output: '{path}' must end in .csv or .jsonl (JSON lines)."),
    };

    public static PredictionWriter Open(Stream stream, string path, IReadOnlyList<string> classes) => new(stream, IsCsv(path), classes);

    public void Prediction(string file, string predicted, float probability, float[] scores)
    {
        if (_csv)
        {
            _writer.WriteLine(string.Join(",", new[] { Csv(file), Csv(predicted), Number(probability) }.Concat(scores.Select(Number)).Append("")));
            return;
        }

        WriteJson(json => WritePrediction(json, file, predicted, probability, _classes, scores));
    }

    /// <summary>One prediction's members (file, predicted, probability or null, scores by class), as <c>--json</c> and JSON lines write them.</summary>
    public static void WritePrediction(Utf8JsonWriter json, string file, string predicted, float probability, IReadOnlyList<string> classes, IReadOnlyList<float> scores)
    {
        json.WriteString("file", file);
        json.WriteString("predicted", predicted);
        if (float.IsFinite(probability))
        {
            json.WriteNumber("probability", probability);
        }
        else
        {
            json.WriteNull("probability");
        }

        json.WriteStartObject("scores");
        for (int j = 0; j < classes.Count; j++)
        {
            json.WriteNumber(classes[j], scores[j]);
        }

        json.WriteEndObject();
    }

    public void Error(string file, string problem)
    {
        if (_csv)
        {
            _writer.WriteLine(string.Join(",", new[] { Csv(file), "", "" }.Concat(_classes.Select(_ => "")).Append(Csv(problem))));
            return;
        }

        WriteJson(json =>
        {
            json.WriteString("file", file);
            json.WriteString("error", problem);
        });
    }

    public void Dispose() => _writer.Dispose();

    private void WriteJson(Action<Utf8JsonWriter> members)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, JsonOptions))
        {
            json.WriteStartObject();
            members(json);
            json.WriteEndObject();
        }

        _writer.WriteLine(Encoding.UTF8.GetString(buffer.ToArray()));
    }

    // "R" round-trips the float: the file holds exactly the scores ONNX Runtime returned.
    private static string Number(float value) => float.IsFinite(value) ? value.ToString("R", CultureInfo.InvariantCulture) : "";

    // RFC 4180: quote fields with a comma, quote or line break, doubling the quotes.
    private static string Csv(string value) => value.IndexOfAny(new[] { ',', '"', '\n', '\r' }) < 0 ? value : "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
