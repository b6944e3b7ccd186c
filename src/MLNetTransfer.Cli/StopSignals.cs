using System;
using System.Runtime.InteropServices;
using System.Threading;

namespace MLNetTransfer.Cli;

/// <summary>
/// SIGINT (Ctrl+C) and SIGTERM as one cancellation token for every command: the command stops at its next check and
/// exits with 130 (<see cref="ExitCodes.Canceled"/>), writing no partial output.
/// </summary>
/// <remarks>
/// Every signal is marked handled (<see cref="PosixSignalContext.Cancel"/>), the second and third included, so the
/// runtime never terminates the process itself while native code (TorchSharp, ONNX Runtime) runs on another thread;
/// repeated Ctrl+C once ended in SIGABRT (exit 134). Registration: .NET's
/// <see cref="PosixSignalRegistration"/>, which on Windows maps SIGINT to Ctrl+C and SIGTERM to close events.
/// </remarks>
internal sealed class StopSignals : IDisposable
{
    private readonly CancellationTokenSource _source = new();
    private readonly PosixSignalRegistration[] _registrations;

    private StopSignals()
    {
        _registrations = new[]
        {
            PosixSignalRegistration.Create(PosixSignal.SIGINT, Handle),
            PosixSignalRegistration.Create(PosixSignal.SIGTERM, Handle),
        };
    }

    /// <summary>Cancelled by the first SIGINT or SIGTERM.</summary>
    public CancellationToken Token => _source.Token;

    public static StopSignals Register() => new();

    public void Dispose()
    {
        foreach (var registration in _registrations)
        {
            registration.Dispose();
        }

        _source.Dispose();
    }

    private void Handle(PosixSignalContext context)
    {
        context.Cancel = true;
        if (!_source.IsCancellationRequested)
        {
            _source.Cancel();
        }
    }
}
