using System;
using System.Linq;
using MLNetTransfer.Torch.Losses;
using Xunit;
using static TorchSharp.torch;

namespace MLNetTransfer.Torch.Tests.Losses;

/// <summary>
/// The validation loss is the mean over the whole set, whatever the batch size: with class weights or missing labels the
/// mean is weighted, so per-batch sums and weights must add up to the one-batch loss (which itself equals PyTorch's, see
/// the loss classes' reference tests). A mean of batch means, as before, missed it by several percent.
/// </summary>
[Collection("NoParallelization")]
public sealed class LossTotalsTests
{
    private static readonly int[] Chunks = { 1, 3, 7, 40 };

    [Fact]
    public void Single_label_totals_add_up_to_the_whole_set_loss_for_any_batch_size()
    {
        using var scope = NewDisposeScope();
        var generator = new Random(4);
        int n = 40, classes = 3;
        var logits = tensor(Enumerable.Range(0, n * classes).Select(_ => (float)(generator.NextDouble() * 4 - 2)).ToArray(), new long[] { n, classes });
        // Imbalanced labels, where the weighted mean and a mean of batch means part most.
        var labels = tensor(Enumerable.Range(0, n).Select(i => (long)(i < 30 ? 0 : i < 37 ? 1 : 2)).ToArray());
        var loss = new SingleLabelLoss(classes, [0.4f, 2f, 5f], labelSmoothing: 0.1);
        double whole = loss.Compute(logits, labels).item<float>();
        double batchMeans = 0;
        foreach (int size in Chunks)
        {
            double sum = 0, weight = 0;
            batchMeans = 0;
            for (int start = 0; start < n; start += size)
            {
                int length = Math.Min(size, n - start);
                var (s, w) = loss.Totals(logits.narrow(0, start, length), labels.narrow(0, start, length));
                sum += s;
                weight += w;
                batchMeans += loss.Compute(logits.narrow(0, start, length), labels.narrow(0, start, length)).item<float>() * length;
            }

            Assert.Equal(whole, sum / weight, 5);
            if (size == 7)
            {
                Assert.True(Math.Abs(batchMeans / n - whole) > 1e-3, "batch means should differ here, or the test proves nothing");
            }
        }
    }

    [Fact]
    public void Multi_label_totals_add_up_to_the_whole_set_loss_for_any_batch_size()
    {
        using var scope = NewDisposeScope();
        var generator = new Random(5);
        int n = 40, labels = 2;
        var logits = tensor(Enumerable.Range(0, n * labels).Select(_ => (float)(generator.NextDouble() * 4 - 2)).ToArray(), new long[] { n, labels });
        // Missing (NaN) and uncertain (-1) targets, more of them in the first rows.
        var values = Enumerable.Range(0, n * labels).Select(i => i < 30 && i % 3 == 0 ? float.NaN : i % 11 == 4 ? -1f : i % 2).Select(v => (float)v).ToArray();
        var targets = tensor(values, new long[] { n, labels });
        var loss = new MultiLabelLoss(labels, [3f, 0.5f], UncertaintyPolicy.Ignore);
        double whole = loss.Compute(logits, targets).item<float>();
        foreach (int size in Chunks)
        {
            double sum = 0, weight = 0;
            for (int start = 0; start < n; start += size)
            {
                int length = Math.Min(size, n - start);
                var (s, w) = loss.Totals(logits.narrow(0, start, length), targets.narrow(0, start, length));
                sum += s;
                weight += w;
            }

            Assert.Equal(whole, sum / weight, 5);
        }
    }
}
