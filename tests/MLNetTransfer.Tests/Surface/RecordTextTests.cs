using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using System.Threading;
using Xunit;

namespace MLNetTransfer.Tests.Surface;

/// <summary>
/// Every public record of the library prints its values: a member that holds a collection is listed, not named by its
/// type (the compiler's record ToString prints <c>System.Collections.Generic.List`1[System.Double]</c> for a list).
/// </summary>
public sealed class RecordTextTests
{
    // Records are the types the compiler gives an EqualityContract (records) or a PrintMembers method (record structs).
    private static bool IsRecord(Type t) =>
        t.GetProperty("EqualityContract", BindingFlags.NonPublic | BindingFlags.Instance) is not null
        || t.GetMethod("PrintMembers", BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Public) is not null;

    private static List<string> RecordNames() => typeof(ResNetFineTuneTrainer).Assembly.GetExportedTypes()
        .Where(IsRecord).Select(t => t.FullName!).OrderBy(n => n, StringComparer.Ordinal).ToList();

    public static TheoryData<string> PublicRecords() => new(RecordNames());

    [Fact]
    public void The_library_has_the_records_this_test_is_about()
    {
        var names = RecordNames();
        Assert.Contains(typeof(EpochMetrics).FullName, names);
        Assert.Contains(typeof(FineTuneResult).FullName, names);
    }

    [Theory]
    [MemberData(nameof(PublicRecords))]
    public void Its_text_lists_its_values_and_names_no_collection_type(string typeName)
    {
        var type = typeof(ResNetFineTuneTrainer).Assembly.GetType(typeName)!;
        object instance = Sample(type, depth: 0);
        string text = instance.ToString()!;
        Assert.DoesNotContain("System.Collections", text);
        Assert.DoesNotContain("`1[", text);
        Assert.DoesNotMatch(@"System\.\w+\[\]", text); // an array's type name (System.Single[])
        Assert.False(string.IsNullOrWhiteSpace(text));
    }

    // An instance built through the widest public constructor, every collection given two elements.
    private static object Sample(Type type, int depth)
    {
        if (type == typeof(string))
        {
            return "text";
        }

        if (type.IsEnum)
        {
            return Enum.GetValues(type).GetValue(0)!;
        }

        if (type.IsPrimitive || type == typeof(TimeSpan) || type == typeof(CancellationToken))
        {
            return type == typeof(bool) ? true : type == typeof(TimeSpan) ? TimeSpan.FromSeconds(3) : Activator.CreateInstance(type)!;
        }

        if (type == typeof(FreezeStrategy))
        {
            return FreezeStrategy.FeatureExtraction;
        }

        if (type.IsGenericType && typeof(IEnumerable).IsAssignableFrom(type))
        {
            var element = type.GetGenericArguments()[0];
            var array = Array.CreateInstance(element, 2);
            array.SetValue(Sample(element, depth + 1), 0);
            array.SetValue(Sample(element, depth + 1), 1);
            return array;
        }

        if (Nullable.GetUnderlyingType(type) is { } inner)
        {
            return Sample(inner, depth);
        }

        var constructor = type.GetConstructors().OrderByDescending(c => c.GetParameters().Length).FirstOrDefault();
        if (constructor is null || depth > 3)
        {
            return Activator.CreateInstance(type)!;
        }

        return constructor.Invoke(constructor.GetParameters().Select(p => Sample(p.ParameterType, depth + 1)).ToArray());
    }
}
