using System;

namespace MLNetTransfer.Cli.Data;

/// <summary>
/// A data set that cannot be read as given. The message names the file or folder, the line and the column or command
/// line option at fault, so that the person can fix the data without reading our code.
/// </summary>
internal sealed class DataSetException : Exception
{
    public DataSetException(string message)
        : base(message)
    {
    }

    public DataSetException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
