using System;
using System.CommandLine;
using System.IO;
using System.Threading.Tasks;
using MLNetTransfer.Cli.Commands;
using MLNetTransfer.Cli.Data;

namespace MLNetTransfer.Cli;

/// <summary>The command tree, and the one place where errors become a message on stderr and an exit code.</summary>
internal static class Cli
{
    public static RootCommand Build()
    {
        var root = new RootCommand(
            "mlnet-transfer: fine-tune an ImageNet-pretrained ResNet on medical images and get an ML.NET model.zip, metrics and a report.")
        {
            TrainCommand.Create(),
            EvaluateCommand.Create(),
            CompareCommand.Create(),
            PredictCommand.Create(),
            ExportCommand.Create(),
            DemoCommand.Create(),
            ExplainCommand.Create(),
        };
        return root;
    }

    /// <summary>
    /// Runs a command's body: a known failure prints its message (which names the option, file or column at fault) on
    /// stderr, without a stack trace, and returns its exit code (README.md, "Exit codes").
    /// </summary>
    public static Task<int> Run(Func<int> body)
    {
        try
        {
            return Task.FromResult(body());
        }
        catch (CliException e)
        {
            return Fail(e.ExitCode, e.Message);
        }
        catch (DataSetException e)
        {
            return Fail(ExitCodes.DataError, e.Message);
        }
        catch (ImageFileException e)
        {
            // The library's image gate refused training or validation images: a data problem, each file named.
            return Fail(ExitCodes.DataError, e.Message);
        }
        catch (WeightsMismatchException e)
        {
            return Fail(ExitCodes.Failed, $"--weights: {e.Message}");
        }
        catch (OperationCanceledException)
        {
            return Fail(ExitCodes.Canceled, "Stopped.");
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or InvalidDataException or IOException or FormatException
            or NotSupportedException or UnauthorizedAccessException)
        {
            // The engine's, ML.NET's and the file system's own messages name the column, file or option.
            return Fail(ExitCodes.Failed, e.Message);
        }
        catch (Exception e)
        {
            // Anything else is a bug of ours or of a library: one line with its type, not System.CommandLine's stack
            // trace and exit code 1, which means wrong arguments here. MLNETTRANSFER_STACKTRACE=1 prints the trace.
            if (Environment.GetEnvironmentVariable("MLNETTRANSFER_STACKTRACE") == "1")
            {
                Console.Error.WriteLine(e);
            }

            return Fail(ExitCodes.Failed, $"{e.GetType().Name}: {e.Message}");
        }
    }

    private static Task<int> Fail(int code, string message)
    {
        Console.Error.WriteLine($"mlnet-transfer: error: {message}");
        return Task.FromResult(code);
    }
}
