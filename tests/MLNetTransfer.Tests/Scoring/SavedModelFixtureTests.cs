using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using Microsoft.ML;
using Xunit;

namespace MLNetTransfer.Tests.Scoring;

/// <summary>
/// A model saved by an earlier build of the library (ML.NET 5.0.1, ONNX Runtime 1.31.1, SkiaSharp 2.88.9: see
/// tests/fixtures/mlnet-5.0.1/README.md) loads with today's packages and gives the scores that build wrote down.
/// </summary>
[Collection("NoParallelization")]
public sealed class SavedModelFixtureTests
{
    private const double Tolerance = 1e-6;

    /// <summary>Set to 1 to (re)write the fixture folder with the current build; only ever done on the build it is named for.</summary>
    public const string WriteVariable = "MLNETTRANSFER_WRITE_FIXTURE";

    [Fact]
    public void A_model_saved_with_the_5_0_1_build_loads_and_scores_as_it_did()
    {
        string folder = SavedModelFixture.Folder;
        var expected = Expected(folder);
        var ml = new MLContext(seed: 1);
        var model = ml.Model.Load(Path.Combine(folder, "model.zip"), out _);
        try
        {
            AssertSame(expected, SavedModelFixture.Score(ml, model, SavedModelFixture.ReadRows(folder)));
        }
        finally
        {
            (model as IDisposable)?.Dispose();
        }
    }

    [Fact]
    public void The_fixture_discriminates_between_its_images()
    {
        // A fixture whose images all score alike would let a broken image decoder or resize pass unnoticed.
        var expected = Expected(SavedModelFixture.Folder);
        Assert.Equal(6, expected.Count);
        Assert.True(expected.Select(e => e.Probability).Distinct().Count() == expected.Count, "Two fixture images have the same probability.");
        Assert.True(expected.Max(e => e.Probability) - expected.Min(e => e.Probability) > 0.01,
            $"The fixture's probabilities span only [{expected.Min(e => e.Probability)}, {expected.Max(e => e.Probability)}].");
        Assert.Equal(new[] { "NORMAL", "OPACITY" }, expected.Select(e => e.PredictedLabel).Distinct().Order());
    }

    [Fact]
    public void The_generator_rebuilds_a_model_that_scores_as_the_fixture()
    {
        // With the variable set, this writes the fixture (done once, on the build it is named for); otherwise it builds
        // the same model into a temporary folder, so the generator that made the fixture is itself checked.
        if (Environment.GetEnvironmentVariable(WriteVariable) == "1")
        {
            SavedModelFixture.Write(SavedModelFixture.Folder);
            return;
        }

        var temp = Directory.CreateTempSubdirectory("mlnettransfer-fixture-");
        try
        {
            SavedModelFixture.Write(temp.FullName);
            var rebuilt = Expected(temp.FullName);
            AssertSame(Expected(SavedModelFixture.Folder), rebuilt);
        }
        finally
        {
            temp.Delete(recursive: true);
        }
    }

    private static List<SavedModelFixture.Scored> Expected(string folder) =>
        JsonSerializer.Deserialize<List<SavedModelFixture.Scored>>(File.ReadAllText(Path.Combine(folder, "expected-scores.json")))!;

    private static void AssertSame(IReadOnlyList<SavedModelFixture.Scored> expected, IReadOnlyList<SavedModelFixture.Scored> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++)
        {
            var (e, a) = (expected[i], actual[i]);
            Assert.Equal(e.Image, a.Image);
            Assert.Equal(e.PredictedLabel, a.PredictedLabel);
            Assert.Equal(e.Score.Length, a.Score.Length);
            for (int j = 0; j < e.Score.Length; j++)
            {
                Assert.True(Math.Abs(e.Score[j] - a.Score[j]) <= Tolerance, $"{e.Image}: Score[{j}] was {e.Score[j]:R}, now {a.Score[j]:R}.");
            }

            Assert.True(Math.Abs(e.Probability - a.Probability) <= Tolerance, $"{e.Image}: Probability was {e.Probability:R}, now {a.Probability:R}.");
            Assert.True(Math.Abs(e.Logit - a.Logit) <= Tolerance, $"{e.Image}: Logit was {e.Logit:R}, now {a.Logit:R}.");
        }
    }
}
