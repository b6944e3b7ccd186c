using System;
using Xunit;

namespace MLNetTransfer.Torch.Tests.Metrics;

/// <summary>Numeric comparisons with a reference value, where NaN equals NaN (an undefined AUC is a result).</summary>
internal static class AssertClose
{
    /// <summary>|actual - expected| ≤ <paramref name="tolerance"/>, or both NaN.</summary>
    public static void Absolute(double expected, double actual, double tolerance, string what)
    {
        if (double.IsNaN(expected) || double.IsNaN(actual))
        {
            Assert.True(double.IsNaN(expected) && double.IsNaN(actual), $"{what}: expected {expected}, got {actual}.");
            return;
        }

        Assert.True(Math.Abs(actual - expected) <= tolerance, $"{what}: expected {expected:R}, got {actual:R} (tolerance {tolerance}).");
    }

    /// <summary>|actual - expected| ≤ <paramref name="tolerance"/> · |expected|, or both NaN.</summary>
    public static void Relative(double expected, double actual, double tolerance, string what)
    {
        Absolute(expected, actual, tolerance * Math.Abs(expected), what);
    }

    /// <summary>Element by element, absolute.</summary>
    public static void Absolute(double[] expected, double[] actual, double tolerance, string what)
    {
        Assert.True(expected.Length == actual.Length, $"{what}: expected {expected.Length} values, got {actual.Length}.");
        for (int i = 0; i < expected.Length; i++)
        {
            Absolute(expected[i], actual[i], tolerance, $"{what}[{i}]");
        }
    }
}
