using MLNetTransfer.Data;
using Xunit;

namespace MLNetTransfer.Tests.Data;

/// <summary>One CheXpert-style multi-label cell: 1, 0, -1, blank, and CheXpert's own "1.0", "0.0", "-1.0".</summary>
public class MultiLabelValueTests
{
    [Theory]
    [InlineData("1", 1f)]
    [InlineData("1.0", 1f)]
    [InlineData("0.0", 0f)]
    [InlineData("-0", 0f)]
    [InlineData("-1.0", -1f)]
    [InlineData(" -1 ", -1f)]
    [InlineData("", float.NaN)]
    public void MultiLabelValuesThatAreAccepted(string text, float expected)
    {
        Assert.True(MultiLabelValue.TryParse(text, out float value));
        Assert.Equal(expected, value);
        Assert.False(float.IsNegative(value) && value == 0);
    }

    [Theory]
    [InlineData("2")]
    [InlineData("0.5")]
    [InlineData("yes")]
    [InlineData("NaN")]
    [InlineData("1e0x")]
    public void MultiLabelValuesThatAreRefused(string text) => Assert.False(MultiLabelValue.TryParse(text, out _));
}
