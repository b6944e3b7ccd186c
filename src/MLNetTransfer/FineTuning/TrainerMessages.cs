using System;
using System.Globalization;
using Microsoft.ML.Runtime;
using MLNetTransfer.Torch.FineTuning;

namespace MLNetTransfer.FineTuning;

/// <summary>
/// Where a fit's messages and progress go: the ML.NET environment's channel (as ML.NET's own trainers write theirs:
/// Microsoft.ML.Data's TrainerEstimatorBase registers a host, <c>env.Register(name)</c>, and trains inside <c>host.Start(...)</c>), so that they
/// reach <c>MLContext.Log</c>; and the options' own <see cref="ResNetFineTuneTrainer.Options.Log"/>,
/// <see cref="ResNetFineTuneTrainer.Options.MetricsCallback"/> and <see cref="ResNetFineTuneTrainer.Options.Progress"/>.
/// </summary>
internal sealed class TrainerMessages : IDisposable
{
    /// <summary>The name the trainer registers with the environment; <c>MLContext.Log</c>'s messages carry it as their source.</summary>
    public const string HostName = "ResNetFineTune";

    private readonly IChannel? _channel;
    private readonly ResNetFineTuneTrainer.Options _options;

    private TrainerMessages(IChannel? channel, ResNetFineTuneTrainer.Options options, int seed)
    {
        _channel = channel;
        _options = options;
        Seed = seed;
    }

    /// <summary>The run's seed: the options' own, else one drawn from the environment's host (its random source derives from <c>MLContext</c>'s seed), else 1.</summary>
    public int Seed { get; }

    /// <summary>Registers with the options' environment (when there is one) and resolves the seed.</summary>
    public static TrainerMessages Open(ResNetFineTuneTrainer.Options options)
    {
        if (options.Environment is not { } env)
        {
            return new TrainerMessages(null, options, options.Seed ?? FineTuneDefaults.Seed);
        }

        var host = env.Register(HostName);
        // IHost.Rand is seeded from the environment's generator, itself from MLContext(seed) (ML.NET's HostEnvironmentBase.Register).
        int seed = options.Seed ?? host.Rand.Next();
        var channel = host.Start(HostName);
        return new TrainerMessages(channel, options, seed);
    }

    /// <summary>A line worth logging: to the channel as Info, and to the options' log.</summary>
    public void Info(string message)
    {
        _channel?.Info(MessageSensitivity.None, message);
        _options.Log?.Invoke(message);
    }

    /// <summary>A warning: to the channel as Warning, and to the options' log.</summary>
    public void Warning(string message)
    {
        _channel?.Warning(MessageSensitivity.None, message);
        _options.Log?.Invoke(message);
    }

    /// <summary>After every epoch: the channel's epoch line, then the callback and the progress receiver.</summary>
    public void Epoch(EpochMetrics metrics)
    {
        _channel?.Info(MessageSensitivity.None, EpochLine(metrics, _options.Epochs));
        _options.MetricsCallback?.Invoke(metrics);
        _options.Progress?.Report(metrics);
    }

    /// <summary>One epoch as a log line.</summary>
    public static string EpochLine(EpochMetrics e, int epochs) => string.Create(CultureInfo.InvariantCulture,
        $"Epoch {e.Epoch}/{epochs}: train loss {e.TrainLoss:F4}, validation loss {e.ValidationLoss:F4}, validation AUC {e.ValidationAuc:F4}, " +
        $"validation accuracy {e.ValidationAccuracy:F4}, {e.ImagesPerSecond:F1} images/s, {e.Seconds:F1} s{(e.IsBest ? " (best so far)" : "")}.");

    public void Dispose() => _channel?.Dispose();
}
