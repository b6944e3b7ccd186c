using System;
using MLNetTransfer.Torch.Losses;
using Xunit;

namespace MLNetTransfer.Torch.Tests.Losses;

/// <summary>"One class only" is reported as a user error that says which class is there.</summary>
public sealed class LabelChecksTests
{
    [Fact]
    public void Two_classes_pass()
    {
        LabelChecks.RequireAtLeastTwoClasses([0, 1, 1], classes: 2, "The training set");
        LabelChecks.RequireAtLeastTwoClasses([2, 0], classes: 5, "The training set");
    }

    [Fact]
    public void One_class_names_the_class_present_and_the_context()
    {
        var e = Assert.Throws<InvalidOperationException>(() => LabelChecks.RequireAtLeastTwoClasses([1, 1, 1], classes: 2, "The training set"));
        Assert.Contains("The training set has only one class", e.Message);
        Assert.Contains("all 3 examples are class 1", e.Message);
        Assert.Contains("0..1", e.Message);

        var named = Assert.Throws<InvalidOperationException>(
            () => LabelChecks.RequireAtLeastTwoClasses([0, 0], classes: 2, "The training set", ["normal", "pneumonia"]));
        Assert.Contains("class 0 'normal'", named.Message);
        Assert.Contains("1 'pneumonia'", named.Message);
    }

    [Fact]
    public void No_labels_and_bad_labels_are_refused()
    {
        var empty = Assert.Throws<InvalidOperationException>(() => LabelChecks.RequireAtLeastTwoClasses([], classes: 2, "The validation set"));
        Assert.Contains("The validation set has no labelled examples", empty.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => LabelChecks.RequireAtLeastTwoClasses([0, -1], classes: 2, "The training set"));
    }
}
