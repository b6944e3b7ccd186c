using Onnx;
using Google.Protobuf;

namespace MLNetTransfer.Onnx.Tests.Support;

/// <summary>Wraps a test-built graph into a model of the writer's IR version and opset.</summary>
internal static class Graphs
{
    public static byte[] ToModel(GraphBuilder graph)
    {
        var model = new ModelProto { IrVersion = ResNetOnnxWriter.IrVersion, ProducerName = "tests", Graph = graph.Graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = string.Empty, Version = ResNetOnnxWriter.OpsetVersion });
        return model.ToByteArray();
    }
}
