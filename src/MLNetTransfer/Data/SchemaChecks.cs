using System;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNetTransfer.Data;

/// <summary>
/// Schema errors worded as ML.NET words them (<c>Contracts.ExceptSchemaMismatch</c>), with the standard exception
/// types its conformance tests expect (style convention 5).
/// </summary>
internal static class SchemaChecks
{
    public static DataViewSchema.Column Find(DataViewSchema schema, string column) =>
        schema.GetColumnOrNull(column) ?? throw new ArgumentOutOfRangeException(nameof(schema), $"Could not find input column '{column}'");

    public static ArgumentOutOfRangeException Mismatch(string column, string expected, DataViewType actual) =>
        new("inputSchema", $"Schema mismatch for input column '{column}': expected {expected}, got {actual}");
}
