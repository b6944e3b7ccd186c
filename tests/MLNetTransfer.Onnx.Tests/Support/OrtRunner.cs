using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.OnnxRuntime;

namespace MLNetTransfer.Onnx.Tests.Support;

/// <summary>Runs a model with ONNX Runtime (CPU) and copies its float outputs out.</summary>
internal static class OrtRunner
{
    public static Dictionary<string, (long[] Shape, float[] Values)> Run(InferenceSession session, string inputName, float[] input, long[] shape)
    {
        using var value = OrtValue.CreateTensorValueFromMemory(input, shape);
        using var options = new RunOptions();
        var outputNames = session.OutputMetadata.Keys.ToArray();
        using var results = session.Run(options, new[] { inputName }, new[] { value }, outputNames);
        var outputs = new Dictionary<string, (long[], float[])>();
        for (int i = 0; i < outputNames.Length; i++)
        {
            var r = results[i];
            outputs[outputNames[i]] = (r.GetTensorTypeAndShape().Shape, r.GetTensorDataAsSpan<float>().ToArray());
        }

        return outputs;
    }
}
