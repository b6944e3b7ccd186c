using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;
using Microsoft.ML.Transforms.Onnx;
using MLNetTransfer.FineTuning;
using MLNetTransfer.Onnx;
using Onnx;
using Xunit;

namespace MLNetTransfer.Tests.Scoring;

/// <summary>
/// The scoring chain turns one-element vectors into scalars with a trained perceptron
/// (src/MLNetTransfer/FineTuning/IdentityPerceptron.cs) because ML.NET has no public, saveable step that does it. Each
/// route that comment rules out is tried here on ML.NET itself, so the ML.NET upgrade that opens one fails a test (and
/// the perceptron can then go); and the perceptron is checked to pass its input through unchanged.
/// </summary>
public sealed class IdentityPerceptronTests
{
    private sealed class VectorRow
    {
        [VectorType(1)]
        public float[] V { get; set; } = Array.Empty<float>();
    }

    private sealed class PairRow
    {
        [VectorType(2)]
        public float[] X { get; set; } = Array.Empty<float>();
    }

    [Fact]
    public void The_perceptron_score_is_its_input()
    {
        var rng = new Random(7);
        var values = new List<float> { float.NaN, float.PositiveInfinity, float.NegativeInfinity, 0f, 1f, -1f, 0.5f, -3.25f, 1e-30f, -1e30f, float.Epsilon, float.MaxValue, -float.MaxValue, 123456.79f };
        values.AddRange(Enumerable.Range(0, 200).Select(_ => (float)((rng.NextDouble() - 0.5) * Math.Pow(10, rng.Next(-8, 9)))));
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(values.Select(v => new VectorRow { V = new[] { v } }));

        var scored = IdentityPerceptron.Create(ml, nameof(VectorRow.V)).Transform(data);

        Assert.Equal(NumberDataViewType.Single, scored.Schema["Score"].Type);
        var scores = scored.GetColumn<float>("Score").ToArray();
        Assert.Equal(values.Select(BitConverter.SingleToInt32Bits), scores.Select(BitConverter.SingleToInt32Bits));

        // Score = 1 * x + 0, so negative zero comes out as positive zero: equal as a float, not in its bits.
        var negativeZero = ml.Data.LoadFromEnumerable(new[] { new VectorRow { V = new[] { -0f } } });
        Assert.Equal(0, BitConverter.SingleToInt32Bits(IdentityPerceptron.Create(ml, nameof(VectorRow.V)).Transform(negativeZero).GetColumn<float>("Score").Single()));
    }

    [Fact]
    public void OnnxTransformer_types_a_rank0_output_as_a_scalar_but_cannot_read_it()
    {
        using var file = new TempOnnx(RankZeroAndVectorGraph());
        var ml = new MLContext(seed: 1);
        var data = Pairs(ml);

        using var onnx = ml.Transforms.ApplyOnnxModel(new[] { "Total" }, new[] { "X" }, file.Path).Fit(data);
        var scored = onnx.Transform(data);

        Assert.Equal(NumberDataViewType.Single, scored.Schema["Total"].Type);
        var e = Record.Exception(() => scored.GetColumn<float>("Total").ToArray());
        Assert.True(e is not null, "ML.NET's OnnxTransformer now reads a rank-0 output: the graph can emit scalars and IdentityPerceptron can go.");
        Assert.IsType<ArgumentNullException>(Innermost(e));
    }

    [Fact]
    public void OnnxTransformer_gives_an_N_output_as_a_vector_and_ShapeDictionary_cannot_drop_its_axis()
    {
        using var file = new TempOnnx(RankZeroAndVectorGraph());
        var ml = new MLContext(seed: 1);
        var data = Pairs(ml);

        using var onnx = ml.Transforms.ApplyOnnxModel(new[] { "Second" }, new[] { "X" }, file.Path).Fit(data);
        var plain = onnx.Transform(data);
        Assert.Equal(new VectorDataViewType(NumberDataViewType.Single, 1), plain.Schema["Second"].Type);
        Assert.Equal(new[] { 2.5f, -3f }, plain.GetColumn<float[]>("Second").Select(v => v.Single()));

        OnnxOptions Reshaped(int[] shape) => new()
        {
            ModelFile = file.Path,
            InputColumns = new[] { "X" },
            OutputColumns = new[] { "Second" },
            ShapeDictionary = new Dictionary<string, int[]> { ["Second"] = shape },
        };
        Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.ApplyOnnxModel(Reshaped(Array.Empty<int>())).Fit(data));
        using var resized = ml.Transforms.ApplyOnnxModel(Reshaped(new[] { 1 })).Fit(data);
        Assert.IsType<VectorDataViewType>(resized.Transform(data).Schema["Second"].Type);
    }

    [Fact]
    public void ML_NET_transforms_keep_a_one_element_vector_a_vector()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(new[] { new VectorRow { V = new[] { 2.5f } } });
        var estimators = new Dictionary<string, IEstimator<ITransformer>>
        {
            ["Expression"] = ml.Transforms.Expression("Out", "x : x", nameof(VectorRow.V)),
            ["ConvertType"] = ml.Transforms.Conversion.ConvertType("Out", nameof(VectorRow.V), DataKind.Single),
            ["CopyColumns"] = ml.Transforms.CopyColumns("Out", nameof(VectorRow.V)),
            ["Concatenate"] = ml.Transforms.Concatenate("Out", nameof(VectorRow.V)),
            ["MapValue"] = ml.Transforms.Conversion.MapValue("Out", new[] { new KeyValuePair<float, float>(2.5f, 2.5f) }, nameof(VectorRow.V)),
        };

        foreach (var (name, estimator) in estimators)
        {
            var type = estimator.Fit(data).Transform(data).Schema["Out"].Type;
            Assert.True(type is VectorDataViewType, $"ML.NET's {name} now makes {type} of a one-element vector: IdentityPerceptron can go.");
        }
    }

    [Fact]
    public void Linear_predictors_cannot_be_built_without_a_trainer()
    {
        foreach (var type in new[] { typeof(LinearBinaryModelParameters), typeof(BinaryPredictionTransformer<>), typeof(LinearRegressionModelParameters), typeof(RegressionPredictionTransformer<>) })
        {
            Assert.True(type.GetConstructors().Length == 0, $"ML.NET's {type.Name} now has a public constructor: IdentityPerceptron can build weight 1, bias 0 without training.");
        }
    }

    private static IDataView Pairs(MLContext ml) =>
        ml.Data.LoadFromEnumerable(new[] { new PairRow { X = new[] { 0.5f, 2.5f } }, new PairRow { X = new[] { 1f, -3f } } });

    private static Exception Innermost(Exception e)
    {
        while (e.InnerException is not null)
        {
            e = e.InnerException;
        }

        return e;
    }

    // X [N, 2] in; Second = X[:, 1], declared [N]; Total = ReduceSum(X) over all axes, declared rank 0.
    private static byte[] RankZeroAndVectorGraph()
    {
        var graph = new GraphBuilder("rank_test");
        string x = graph.AddInput("X", 2);
        string one = graph.AddInt64Scalar("one", 1);
        graph.AddNode("Gather", "second", new[] { x, one }, "Second", GraphBuilder.Int("axis", 1));
        graph.AddOutput("Second");
        graph.AddNode("ReduceSum", "total", new[] { x }, "Total", GraphBuilder.Int("keepdims", 0));
        graph.Graph.Output.Add(new ValueInfoProto
        {
            Name = "Total",
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = new TensorShapeProto() } },
        });
        var model = new ModelProto { IrVersion = ResNetOnnxWriter.IrVersion, Graph = graph.Graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = string.Empty, Version = ResNetOnnxWriter.OpsetVersion });
        return Google.Protobuf.MessageExtensions.ToByteArray(model);
    }

    private sealed class TempOnnx : IDisposable
    {
        public TempOnnx(byte[] onnx)
        {
            Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"identity-perceptron-{Guid.NewGuid():N}.onnx");
            File.WriteAllBytes(Path, onnx);
        }

        public string Path { get; }

        public void Dispose() => File.Delete(Path);
    }
}
