using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using MLNetTransfer.Onnx.Tests.Support;
using Onnx;
using Xunit;

namespace MLNetTransfer.Onnx.Tests;

/// <summary>
/// Metadata written by the writer, read back by OnnxSharp's protobuf classes and by ONNX Runtime's
/// <c>ModelMetadata.CustomMetadataMap</c> (what a scoring app has at hand).
/// </summary>
public sealed class MetadataTests
{
    private static readonly ResNetOnnxSpec _spec = new(ResidualBlockKind.Basic, 2, 2, 2, 2)
    {
        ArchitectureName = "resnet18",
        InputSize = 72,
        CropSize = 64,
        Thresholds = new[] { 0.3f },
    };

    private static readonly ModelMetadata _metadata = new()
    {
        ClassLabels = new[] { "normal", "pneumonia \"viral\", Übersicht" },
        ThresholdMethod = "youden",
        ModelVersion = 3,
        Description = "A test model.",
        Extras = new Dictionary<string, string> { ["dataset"] = "chest-xray", ["train.epochs"] = "12" },
    };

    private static readonly byte[] _bytes = ResNetOnnxWriter.Write(SyntheticWeights.For(_spec, 2), _spec, _metadata);

    [Fact]
    public void Model_fields_and_metadata_props_read_back_with_onnxsharp()
    {
        var model = ModelProto.Parser.ParseFrom(_bytes);
        Assert.Equal(8, model.IrVersion);
        Assert.Equal(17, Assert.Single(model.OpsetImport, o => o.Domain == string.Empty).Version);
        Assert.Equal("MLNetTransfer", model.ProducerName);
        Assert.False(string.IsNullOrEmpty(model.ProducerVersion));
        Assert.Equal(3, model.ModelVersion);
        Assert.Equal("A test model.", model.DocString);

        var props = model.MetadataProps.ToDictionary(p => p.Key, p => p.Value);
        Assert.All(props.Keys, k => Assert.StartsWith("mlnettransfer.", k));
        Assert.Equal("2", props["mlnettransfer.format_version"]);
        Assert.Equal(model.ProducerVersion, props["mlnettransfer.producer_version"]);
        Assert.Equal("resnet18", props["mlnettransfer.architecture"]);
        Assert.Equal(_metadata.ClassLabels, JsonSerializer.Deserialize<string[]>(props["mlnettransfer.class_labels"]));
        Assert.Equal("2", props["mlnettransfer.num_outputs"]);
        Assert.Equal("72", props["mlnettransfer.input_size"]);
        Assert.Equal("64", props["mlnettransfer.crop_size"]);
        Assert.Equal(new[] { 0.485f, 0.456f, 0.406f }, JsonSerializer.Deserialize<float[]>(props["mlnettransfer.mean"]));
        Assert.Equal(new[] { 0.229f, 0.224f, 0.225f }, JsonSerializer.Deserialize<float[]>(props["mlnettransfer.std"]));
        Assert.Equal("3", props["mlnettransfer.input_channels"]);
        Assert.Equal("3", props["mlnettransfer.network_channels"]);
        Assert.Equal("binary", props["mlnettransfer.task"]);
        Assert.Equal("softmax", props["mlnettransfer.output_activation"]);
        Assert.Equal(new[] { 1f }, JsonSerializer.Deserialize<float[]>(props["mlnettransfer.temperatures"]));
        Assert.Equal(new[] { 0.3f }, JsonSerializer.Deserialize<float[]>(props["mlnettransfer.thresholds"]));
        Assert.Equal("youden", props["mlnettransfer.threshold_method"]);
        Assert.Equal("false", props["mlnettransfer.test_time_flip"]);
        Assert.DoesNotContain("mlnettransfer.decision_threshold", props.Keys);
        Assert.Equal("chest-xray", props["mlnettransfer.dataset"]);
        Assert.Equal("12", props["mlnettransfer.train.epochs"]);
    }

    [Fact]
    public void Calibration_thresholds_and_flip_read_back_per_label()
    {
        var spec = new ResNetOnnxSpec(ResidualBlockKind.Basic, 1, 1, 1, 1)
        {
            Activation = OutputActivation.Sigmoid, InputSize = 32, CropSize = 32,
            Temperatures = new[] { 0.8f, 1.25f, 2f }, Thresholds = new[] { 0.1f, 0.55f, 0.9f }, TestTimeFlip = true,
        };
        var model = ModelProto.Parser.ParseFrom(ResNetOnnxWriter.Write(SyntheticWeights.For(spec, 3), spec));
        var props = model.MetadataProps.ToDictionary(p => p.Key, p => p.Value);
        Assert.Equal(spec.Temperatures, JsonSerializer.Deserialize<float[]>(props[ModelMetadataKeys.Temperatures]));
        Assert.Equal(spec.Thresholds, JsonSerializer.Deserialize<float[]>(props[ModelMetadataKeys.Thresholds]));
        Assert.Equal("fixed", props[ModelMetadataKeys.ThresholdMethod]);
        Assert.Equal("true", props[ModelMetadataKeys.TestTimeFlip]);
        Assert.Equal("multilabel", props[ModelMetadataKeys.Task]);
    }

    [Fact]
    public void Onnx_runtime_sees_the_same_metadata()
    {
        var expected = ModelProto.Parser.ParseFrom(_bytes).MetadataProps.ToDictionary(p => p.Key, p => p.Value);
        using var session = new InferenceSession(_bytes);
        var meta = session.ModelMetadata;
        Assert.Equal("MLNetTransfer", meta.ProducerName);
        Assert.Equal(3, meta.Version);
        Assert.Equal(expected.OrderBy(kv => kv.Key), meta.CustomMetadataMap.OrderBy(kv => kv.Key));
    }

    [Fact]
    public void Initializers_carry_state_dict_names()
    {
        var graph = ModelProto.Parser.ParseFrom(_bytes).Graph;
        var names = graph.Initializer.Select(i => i.Name).ToHashSet();
        Assert.Contains("conv1.weight", names);
        Assert.Contains("conv1.bias", names); // bn1 folded into conv1
        Assert.Contains("layer2.0.downsample.0.weight", names);
        Assert.Contains("layer2.0.downsample.0.bias", names);
        Assert.Contains("fc.weight", names);
        Assert.Contains("fc.bias", names);
        Assert.DoesNotContain(names, n => n.Contains("bn") || n.Contains("running") || n.Contains("downsample.1"));
        var keys = SyntheticWeights.For(_spec, 2).Names.ToHashSet();
        Assert.All(names.Where(n => !n.StartsWith("preprocess.")), n =>
            Assert.True(keys.Contains(n) || (n.EndsWith(".bias") && keys.Contains(n[..^5] + ".weight")), n));

        // The fc weights are stored as they are.
        var fc = graph.Initializer.Single(i => i.Name == "fc.weight");
        Assert.Equal(new long[] { 2, 512 }, fc.Dims);
        var stored = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(fc.RawData.Span).ToArray();
        Assert.Equal(SyntheticWeights.For(_spec, 2)["fc.weight"].Values.ToArray(), stored);

        // Preprocessing, then the stem.
        Assert.Equal(new[] { "Slice", "Div", "Sub", "Div", "Conv", "Relu", "MaxPool" }, graph.Node.Take(7).Select(n => n.OpType));
        Assert.Equal(new[] { "GlobalAveragePool", "Flatten", "Gemm", "Softmax" }, graph.Node.TakeLast(4).Select(n => n.OpType));
        Assert.DoesNotContain(graph.Node, n => n.OpType is "BatchNormalization" or "Dropout");
    }

    [Theory]
    [InlineData((int)OutputActivation.Sigmoid, 4, "multilabel")]
    [InlineData((int)OutputActivation.Sigmoid, 1, "multilabel")]
    [InlineData((int)OutputActivation.Softmax, 2, "binary")]
    [InlineData((int)OutputActivation.Softmax, 5, "multiclass")]
    public void Task_follows_from_activation_and_outputs_when_not_given(int activation, int outputs, string task)
    {
        // The enum is internal to the library, so the theory takes its value.
        var spec = new ResNetOnnxSpec(ResidualBlockKind.Basic, 1, 1, 1, 1) { Activation = (OutputActivation)activation, InputSize = 32, CropSize = 32 };
        var model = ModelProto.Parser.ParseFrom(ResNetOnnxWriter.Write(SyntheticWeights.For(spec, outputs), spec));
        Assert.Equal(task, model.MetadataProps.Single(p => p.Key == ModelMetadataKeys.Task).Value);
        Assert.DoesNotContain(model.MetadataProps, p => p.Key == ModelMetadataKeys.ClassLabels);
    }

    [Fact]
    public void Stream_overload_writes_the_same_bytes_and_leaves_the_stream_open()
    {
        using var stream = new System.IO.MemoryStream();
        ResNetOnnxWriter.Write(stream, SyntheticWeights.For(_spec, 2), _spec, _metadata);
        Assert.True(stream.CanWrite);
        Assert.Equal(_bytes, stream.ToArray());
    }
}
