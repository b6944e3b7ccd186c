using System;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;

namespace MLNetTransfer.Data;

/// <summary>
/// Schema errors worded as ML.NET words them (<c>Contracts.ExceptSchemaMismatch</c>), with the standard exception
/// types its own estimators throw for a schema mismatch.
/// </summary>
internal static class SchemaChecks
{
    /// <summary>What an image column may be, as the mismatch message says it.</summary>
    public const string ImageExpected = "Image or String (a file path)";

    /// <summary>Why encoded bytes are refused, appended to the mismatch message for a Byte vector.</summary>
    public const string EncodedBytesRefused =
        ". Encoded image bytes (LoadRawImageBytes) can be read for training but not scored by ML.NET's own transformers: "
        + "its LoadImages, which the saved model uses, reads file paths only. Pass the path column, or LoadImages' Image column";

    /// <summary>What a group column may be, as the mismatch message says it.</summary>
    public const string GroupExpected = "String or a number (a patient or study id)";

    public static DataViewSchema.Column Find(DataViewSchema schema, string column) =>
        schema.GetColumnOrNull(column) ?? throw new ArgumentOutOfRangeException(nameof(schema), $"Could not find input column '{column}'");

    public static ArgumentOutOfRangeException Mismatch(string column, string expected, DataViewType actual) =>
        Mismatch(column, expected, actual.ToString() ?? actual.GetType().Name);

    public static ArgumentOutOfRangeException Mismatch(string column, string expected, string actual) =>
        new("inputSchema", $"Schema mismatch for input column '{column}': expected {expected}, got {actual}");

    /// <summary>The mismatch error for an image column of type <paramref name="actual"/>, saying why bytes are refused.</summary>
    public static ArgumentOutOfRangeException ImageMismatch(string column, string actual, bool byteVector) =>
        Mismatch(column, ImageExpected, byteVector ? actual + EncodedBytesRefused : actual);

    /// <summary>A shape column's type as ML.NET's <c>SchemaShape.Column.GetTypeString</c> (internal) writes it.</summary>
    public static string TypeString(SchemaShape.Column column)
    {
        string item = column.IsKey ? $"Key<{column.ItemType.RawType.Name}>" : column.ItemType.ToString() ?? column.ItemType.GetType().Name;
        return column.Kind switch
        {
            SchemaShape.Column.VectorKind.Vector => $"Vector<{item}>",
            SchemaShape.Column.VectorKind.VariableVector => $"VarVector<{item}>",
            _ => item,
        };
    }

    /// <summary>An Image or a String (path): what the fitted model's chain of ML.NET transformers can score.</summary>
    public static bool IsImageType(DataViewType type) => type is ImageDataViewType or TextDataViewType;

    /// <summary>A vector of Byte, of known size or not (<c>LoadRawImageBytes</c> gives one of unknown size).</summary>
    public static bool IsByteVector(DataViewType type) =>
        type is VectorDataViewType { ItemType: NumberDataViewType n } && n.RawType == typeof(byte);

    /// <summary>A scalar text or number column (a key included): what <see cref="ImageRowReader"/> reads as a group id.</summary>
    public static bool IsGroupRawType(Type raw) =>
        raw == typeof(ReadOnlyMemory<char>) || raw == typeof(int) || raw == typeof(long) || raw == typeof(uint)
        || raw == typeof(ulong) || raw == typeof(float) || raw == typeof(double);

    /// <summary>The image column exists and has a type the reader can read.</summary>
    public static void CheckImage(DataViewSchema schema, string imageColumn)
    {
        var image = Find(schema, imageColumn);
        if (!IsImageType(image.Type))
        {
            throw ImageMismatch(imageColumn, image.Type.ToString() ?? "", IsByteVector(image.Type));
        }
    }

    /// <summary>The group column, when given, exists and is a scalar text or number.</summary>
    public static void CheckGroup(DataViewSchema schema, string? groupColumn)
    {
        if (groupColumn is null)
        {
            return;
        }

        var group = Find(schema, groupColumn);
        if (group.Type is VectorDataViewType || !IsGroupRawType(group.Type.RawType))
        {
            throw Mismatch(groupColumn, GroupExpected, group.Type);
        }
    }
}
