using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace MLNetTransfer.Onnx.Tests.Support;

/// <summary>Runs a model with ONNX Runtime (CPU) and copies its float outputs out (bool outputs as 1 and 0).</summary>
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
            var info = r.GetTensorTypeAndShape();
            outputs[outputNames[i]] = info.ElementDataType == TensorElementType.Bool
                ? (info.Shape, r.GetTensorDataAsSpan<bool>().ToArray().Select(b => b ? 1f : 0f).ToArray())
                : (info.Shape, r.GetTensorDataAsSpan<float>().ToArray());
        }

        return outputs;
    }
}
