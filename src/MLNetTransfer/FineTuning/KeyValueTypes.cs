using System;

namespace MLNetTransfer.FineTuning;

/// <summary>A generic step to run with a key's value type, which is known only at run time (see <see cref="KeyValueTypes"/>).</summary>
internal interface IKeyValueStep<out TResult>
{
    TResult Run<T>();
}

/// <summary>
/// Runs an <see cref="IKeyValueStep{TResult}"/> with the raw type of a key's values (its <c>KeyValues</c> annotation):
/// a switch over the types ML.NET allows there instead of <c>MakeGenericMethod</c>, so every instantiation is compiled
/// and an exception thrown inside comes out as itself, not wrapped in a TargetInvocationException.
/// </summary>
/// <remarks>
/// The allowed types are those of ML.NET's <c>MapValueToKey</c> and <c>MapValue</c>, which make and read the key:
/// "numeric, boolean, text, System.DateTime and key type" (the Estimator Characteristics of
/// https://learn.microsoft.com/dotnet/api/microsoft.ml.transforms.valuetokeymappingestimator and
/// https://learn.microsoft.com/dotnet/api/microsoft.ml.transforms.valuemappingestimator). A key's raw type is one of
/// the unsigned integers.
/// </remarks>
internal static class KeyValueTypes
{
    /// <summary>Runs <paramref name="step"/> with <paramref name="rawType"/>; <paramref name="column"/> names the label column in the error.</summary>
    public static TResult Run<TResult>(Type rawType, string column, IKeyValueStep<TResult> step)
    {
        if (rawType == typeof(ReadOnlyMemory<char>))
        {
            return step.Run<ReadOnlyMemory<char>>();
        }

        return Type.GetTypeCode(rawType) switch
        {
            TypeCode.Boolean => step.Run<bool>(),
            TypeCode.SByte => step.Run<sbyte>(),
            TypeCode.Byte => step.Run<byte>(),
            TypeCode.Int16 => step.Run<short>(),
            TypeCode.UInt16 => step.Run<ushort>(),
            TypeCode.Int32 => step.Run<int>(),
            TypeCode.UInt32 => step.Run<uint>(),
            TypeCode.Int64 => step.Run<long>(),
            TypeCode.UInt64 => step.Run<ulong>(),
            TypeCode.Single => step.Run<float>(),
            TypeCode.Double => step.Run<double>(),
            TypeCode.DateTime => step.Run<DateTime>(),
            _ => throw new ArgumentOutOfRangeException(nameof(rawType),
                $"Label column '{column}' is a key whose values are {rawType.Name}; ML.NET's MapValue and MapValueToKey, which map the predicted label back to them, take text, Boolean, numbers, DateTime or keys."),
        };
    }
}
