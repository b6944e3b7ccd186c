using System;
using System.Globalization;
using Spectre.Console;

namespace MLNetTransfer.Cli.Training;

/// <summary>
/// Training progress on the console: on a terminal, Spectre.Console bars for the run and the epoch's steps with loss,
/// images/s and the engine's ETA; one line per epoch in any case, so logs and redirected output keep the history.
/// </summary>
internal static class ConsoleProgress
{
    /// <summary>Runs <paramref name="train"/> with the bars shown, passing it the callbacks that move them.</summary>
    public static T Run<T>(int epochs, Func<Action<StepProgress>, Action<EpochMetrics>, T> train)
    {
        if (!AnsiConsole.Profile.Capabilities.Interactive)
        {
            // Redirected output: live bars would print every refresh; the epoch lines say what matters.
            return train(_ => { }, e => AnsiConsole.MarkupLine(EpochLine(e, epochs)));
        }

        T result = default!;
        AnsiConsole.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new SpinnerColumn())
            .Start(context =>
            {
                var run = context.AddTask("training", maxValue: epochs);
                var steps = context.AddTask("epoch 1", maxValue: 1);
                result = train(
                    step =>
                    {
                        steps.MaxValue = step.StepsPerEpoch;
                        steps.Value = step.Step;
                        steps.Description = string.Create(CultureInfo.InvariantCulture,
                            $"epoch {step.Epoch}/{epochs} step {step.Step}/{step.StepsPerEpoch}  loss {step.Loss:F4}  {step.ImagesPerSecond:F1} img/s");
                        run.Value = step.Epoch - 1 + (double)step.Step / step.StepsPerEpoch;
                        run.Description = $"training  ETA {FormatEta(step.Eta)}";
                    },
                    e =>
                    {
                        run.Value = e.Epoch;
                        AnsiConsole.MarkupLine(EpochLine(e, epochs));
                    });
                run.Value = run.MaxValue;
                run.Description = "training  done";
                steps.Value = steps.MaxValue;
            });
        return result;
    }

    /// <summary>One epoch's metrics as a console line (escaped for Spectre markup).</summary>
    public static string EpochLine(EpochMetrics e, int epochs) => Markup.Escape(string.Create(CultureInfo.InvariantCulture,
        $"epoch {e.Epoch,2}/{epochs}  train loss {e.TrainLoss:F4}  val loss {e.ValidationLoss:F4}  val AUC {e.ValidationAuc:F4}  " +
        $"val accuracy {e.ValidationAccuracy:P1}  {e.ImagesPerSecond:F1} img/s  {e.Seconds:F0} s")) + (e.IsBest ? "  [green](best)[/]" : "");

    private static string FormatEta(TimeSpan eta) =>
        eta.TotalHours >= 1 ? eta.ToString(@"h\:mm\:ss", CultureInfo.InvariantCulture) : eta.ToString(@"m\:ss", CultureInfo.InvariantCulture);
}
