using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using MLNetTransfer.Torch;
using MLNetTransfer.Torch.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetTransfer.Bench.Scoring;

/// <summary>The ways of scoring. Each returns the timing and the scores it computed (one float[] per image).</summary>
internal static class Runners
{
    /// <summary>Any IDataView path: transform, then one cursor over <paramref name="column"/>, one row at a time.</summary>
    public static (Measurement Measurement, float[][] Values) Cursor(string method, ITransformer transformer, IDataView data, string column, int count)
    {
        var values = new float[count][];
        var calls = new List<double>(count);
        var total = Stopwatch.StartNew();
        var view = transformer.Transform(data);
        var col = view.Schema[column];
        using (var cursor = view.GetRowCursor(new[] { col }))
        {
            var getter = cursor.GetGetter<VBuffer<float>>(col);
            var buffer = default(VBuffer<float>);
            int i = 0;
            long start = Stopwatch.GetTimestamp();
            while (cursor.MoveNext())
            {
                getter(ref buffer);
                values[i++] = buffer.DenseValues().ToArray();
                long now = Stopwatch.GetTimestamp();
                calls.Add(Stopwatch.GetElapsedTime(start, now).TotalMilliseconds);
                start = now;
            }

            if (i != count)
            {
                throw new InvalidOperationException($"{method}: {i} rows, expected {count}.");
            }
        }

        total.Stop();
        return (new Measurement(method, 1, count, total.Elapsed.TotalSeconds, calls) { LatencyMeaningful = false }, values);
    }

    /// <summary>One image at a time through ML.NET's PredictionEngine on the chain: what an app scoring single images gets.</summary>
    public static Measurement PredictionEngine(MLContext ml, ITransformer chain, string scoreColumn, IReadOnlyList<ImageSet.Row> rows, int classes)
    {
        var output = SchemaDefinition.Create(typeof(ScoreRow));
        var column = output[nameof(ScoreRow.Score)];
        column.ColumnName = scoreColumn;
        column.ColumnType = new VectorDataViewType(NumberDataViewType.Single, classes);
        // OwnsTransformer = false: by default, disposing a PredictionEngine disposes the transformer it was made from.
        using var engine = ml.Model.CreatePredictionEngine<ImageSet.Row, ScoreRow>(chain, new PredictionEngineOptions
        {
            IgnoreMissingColumns = true,
            OutputSchemaDefinition = output,
            OwnsTransformer = false,
        });
        var result = new ScoreRow();
        for (int i = 0; i < Math.Min(3, rows.Count); i++)
        {
            engine.Predict(rows[i], ref result);
        }

        var calls = new List<double>(rows.Count);
        var total = Stopwatch.StartNew();
        foreach (var row in rows)
        {
            long t0 = Stopwatch.GetTimestamp();
            engine.Predict(row, ref result);
            calls.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
        }

        total.Stop();
        return new Measurement("ML.NET PredictionEngine on the chain, one image per call", 1, rows.Count, total.Elapsed.TotalSeconds, calls);
    }

    private sealed class ScoreRow
    {
        public float[] Score { get; set; } = Array.Empty<float>();
    }

    /// <summary>ML.NET's ApplyOnnxModel alone, over an in-memory IDataView of the pixel vectors: the per-row ORT call as ML.NET makes it.</summary>
    public static (Measurement, float[][]) OnnxTransformerOnPixels(MLContext ml, byte[] onnx, float[][] pixels, int inputSize, string[] outputs, string scoreOutput)
    {
        var definition = SchemaDefinition.Create(typeof(PixelRow));
        var column = definition[nameof(PixelRow.Pixels)];
        column.ColumnName = BenchModel.PixelsColumn;
        column.ColumnType = new VectorDataViewType(NumberDataViewType.Single, 3, inputSize, inputSize);
        var data = ml.Data.LoadFromEnumerable(pixels.Select(p => new PixelRow { Pixels = p }).ToList(), definition);
        // A file deleted below, not a MemoryStream: ML.NET 5.0.1 copies a stream to a temp file it never deletes (see
        // src/MLNetTransfer/Scoring/OnnxModelFile.cs).
        string file = Path.Combine(Path.GetTempPath(), $"mlnettransfer-scoringbench-{Guid.NewGuid():N}.onnx");
        File.WriteAllBytes(file, onnx);
        try
        {
            using var onnxTransformer = ml.Transforms.ApplyOnnxModel(outputs, new[] { BenchModel.PixelsColumn }, file).Fit(data);
            // Warm-up on a few rows, then the timed pass.
            Cursor("warm-up", onnxTransformer, ml.Data.TakeRows(data, Math.Min(4, pixels.Length)), scoreOutput, Math.Min(4, pixels.Length));
            return Cursor("ML.NET ApplyOnnxModel on pixels", onnxTransformer, data, scoreOutput, pixels.Length);
        }
        finally
        {
            File.Delete(file);
        }
    }

    private sealed class PixelRow
    {
        public float[] Pixels { get; set; } = Array.Empty<float>();
    }

    /// <summary>ONNX Runtime called directly on the same pixel vectors, <paramref name="batchSize"/> images per Run.</summary>
    public static (Measurement, float[][]) OnnxRuntime(InferenceSession session, float[][] pixels, int inputSize, int batchSize, string scoreOutput, string? method = null)
    {
        string input = session.InputMetadata.Keys.Single();
        var outputs = session.OutputMetadata.Keys.ToArray();
        int scoreIndex = Array.IndexOf(outputs, scoreOutput);
        using var runOptions = new RunOptions();
        return TimeBatches(method ?? $"ONNX Runtime direct, batch {batchSize}", pixels, 3 * inputSize * inputSize, batchSize, (buffer, n) =>
        {
            using var value = OrtValue.CreateTensorValueFromMemory(buffer, new long[] { n, 3, inputSize, inputSize });
            using var results = session.Run(runOptions, new[] { input }, new[] { value }, outputs);
            return results[scoreIndex].GetTensorDataAsSpan<float>().ToArray();
        });
    }

    /// <summary>
    /// TorchSharp eval forward of the same architecture on the same pixels, with the graph's preprocessing done in
    /// torch (centre crop, /255, ImageNet mean/std) and a softmax, under no_grad. BatchNorm is not folded.
    /// </summary>
    public static (Measurement, float[][]) TorchSharpEval(ResNet model, float[][] pixels, int inputSize, int cropSize, int batchSize)
    {
        int offset = (int)Math.Round((inputSize - cropSize) / 2.0, MidpointRounding.ToEven);
        model.eval();
        using var noGrad = no_grad();
        using var mean = tensor(model.Normalization.Mean).reshape(1, 3, 1, 1);
        using var std = tensor(model.Normalization.Std).reshape(1, 3, 1, 1);
        return TimeBatches($"TorchSharp eval forward, batch {batchSize}", pixels, 3 * inputSize * inputSize, batchSize, (buffer, n) =>
        {
            using var scope = NewDisposeScope();
            var x = tensor(buffer, new long[] { n, 3, inputSize, inputSize })
                .narrow(2, offset, cropSize).narrow(3, offset, cropSize);
            x = (x / 255f - mean) / std;
            return model.call(x).softmax(1).contiguous().data<float>().ToArray();
        });
    }

    /// <summary>
    /// PyTorch's eval forward of the same layout (pytorch_eval.py, next to the app) at batch 16 and batch 1, in a child
    /// process of Debian's /usr/bin/python3 (PYTHON overrides). Random pixels: speed does not depend on them. Also the
    /// multiply-adds of one image, counted by PyTorch forward hooks on that network. Null, with a message, when Python or
    /// torch is missing.
    /// </summary>
    public static (Measurement Batch16, Measurement Batch1, long MultiplyAdds)? PyTorchEval(ResNet model, int cropSize, int images, Action<string> log)
    {
        string script = System.IO.Path.Combine(AppContext.BaseDirectory, "pytorch_eval.py");
        string block = model.Layout.Block == ResNetBlockKind.Basic ? "basic" : "bottleneck";
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("PYTHON") ?? "/usr/bin/python3")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in new[] { script, "--block", block, "--layers", string.Join(",", model.Layout.BlocksPerStage), "--crop", cropSize.ToString(CultureInfo.InvariantCulture), "--images", images.ToString(CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(arg);
        }

        try
        {
            using var process = Process.Start(start)!;
            string stdout = process.StandardOutput.ReadToEnd();
            string stderr = process.StandardError.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                log($"PyTorch eval skipped: the script exited with {process.ExitCode}: {stderr.Trim()}");
                return null;
            }

            using var json = System.Text.Json.JsonDocument.Parse(stdout);
            Measurement Read(int batch)
            {
                var m = json.RootElement.GetProperty(batch.ToString(CultureInfo.InvariantCulture));
                return new Measurement($"PyTorch {json.RootElement.GetProperty("torch").GetString()} eval forward, batch {batch}", batch,
                    m.GetProperty("images").GetInt32(), m.GetProperty("seconds").GetDouble(),
                    m.GetProperty("calls_ms").EnumerateArray().Select(c => c.GetDouble()).ToList());
            }

            return (Read(16), Read(1), json.RootElement.GetProperty("macs").GetInt64());
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            log($"PyTorch eval skipped: {e.Message}");
            return null;
        }
    }

    /// <summary>
    /// Scores <paramref name="pixels"/> in batches with <paramref name="score"/> (packed batch, image count → the
    /// batch's scores, row-major): a warm-up on a few images, then a timed pass over all, each call timed.
    /// </summary>
    private static (Measurement, float[][]) TimeBatches(string name, float[][] pixels, int length, int batchSize, Func<float[], int, float[]> score)
    {
        var buffers = new Dictionary<int, float[]>();
        float[][] Run(int count, List<double> calls)
        {
            var values = new float[count][];
            for (int start = 0; start < count; start += batchSize)
            {
                long t0 = Stopwatch.GetTimestamp();
                int n = Math.Min(batchSize, count - start);
                if (!buffers.TryGetValue(n, out var buffer))
                {
                    buffers[n] = buffer = new float[n * length];
                }

                for (int i = 0; i < n; i++)
                {
                    pixels[start + i].CopyTo(buffer, i * length);
                }

                var scores = score(buffer, n);
                int classes = scores.Length / n;
                for (int i = 0; i < n; i++)
                {
                    values[start + i] = scores.AsSpan(i * classes, classes).ToArray();
                }

                calls.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
            }

            return values;
        }

        Run(Math.Min(pixels.Length, Math.Max(batchSize, 4)), new List<double>());
        var timed = new List<double>();
        var total = Stopwatch.StartNew();
        var result = Run(pixels.Length, timed);
        total.Stop();
        return (new Measurement(name, batchSize, pixels.Length, total.Elapsed.TotalSeconds, timed), result);
    }

    /// <summary>Largest absolute difference between two score sets.</summary>
    public static double MaxDifference(float[][] a, float[][] b)
    {
        double max = 0;
        for (int i = 0; i < a.Length; i++)
        {
            if (a[i].Length != b[i].Length)
            {
                return double.PositiveInfinity;
            }

            for (int j = 0; j < a[i].Length; j++)
            {
                max = Math.Max(max, Math.Abs(a[i][j] - b[i][j]));
            }
        }

        return max;
    }
}
