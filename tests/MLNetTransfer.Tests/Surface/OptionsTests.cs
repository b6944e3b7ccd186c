using System;
using System.Linq;
using System.Reflection;
using System.Threading;
using MLNetTransfer.Torch.FineTuning;
using Xunit;

namespace MLNetTransfer.Tests.Surface;

/// <summary>
/// One options type: every setting of the engine is reachable from <see cref="ResNetFineTuneTrainer.Options"/> under
/// the same name and type, with the same default, and reaches the engine unchanged.
/// </summary>
public sealed class OptionsTests
{
    // Resolved by the trainer from GpuDeviceId and FallbackToCpu, not set by users.
    private static readonly string[] _derived = { nameof(FineTuneOptions.Device) };

    // Optional in the options (null: drawn from the ML.NET environment, else the engine's default), required in the engine.
    private static readonly string[] _resolved = { nameof(FineTuneOptions.Seed) };

    private static PropertyInfo[] EngineSettings() => typeof(FineTuneOptions)
        .GetProperties(BindingFlags.Public | BindingFlags.Instance)
        .Where(p => p.CanWrite && !_derived.Contains(p.Name))
        .ToArray();

    [Fact]
    public void Every_engine_setting_is_an_option_with_the_same_type_and_default()
    {
        var engine = new FineTuneOptions();
        var options = new ResNetFineTuneTrainer.Options();
        foreach (var setting in EngineSettings())
        {
            var option = typeof(ResNetFineTuneTrainer.Options).GetProperty(setting.Name);
            Assert.True(option is not null, $"The engine's {setting.Name} has no ResNetFineTuneTrainer.Options member.");
            if (_resolved.Contains(setting.Name))
            {
                Assert.Equal(typeof(Nullable<>).MakeGenericType(setting.PropertyType), option!.PropertyType);
                Assert.Null(option.GetValue(options));
                Assert.Equal(setting.GetValue(engine), setting.GetValue(ResNetFineTuneTrainer.EngineOptions(options, device: null)));
                continue;
            }

            Assert.Equal(setting.PropertyType, option!.PropertyType);
            object? engineDefault = setting.GetValue(engine), optionDefault = option.GetValue(options);
            if (setting.PropertyType.IsValueType || setting.PropertyType == typeof(string))
            {
                Assert.True(Equals(engineDefault, optionDefault), $"{setting.Name}: engine default {engineDefault}, option default {optionDefault}.");
            }
            else
            {
                Assert.Equal(engineDefault?.ToString(), optionDefault?.ToString());
            }
        }
    }

    [Fact]
    public void Every_option_reaches_the_engine_unchanged()
    {
        var options = new ResNetFineTuneTrainer.Options();
        var expected = EngineSettings().ToDictionary(p => p.Name, p => Changed(p.PropertyType, p.GetValue(new FineTuneOptions())));
        foreach (var (name, value) in expected)
        {
            typeof(ResNetFineTuneTrainer.Options).GetProperty(name)!.SetValue(options, value);
        }

        var engine = ResNetFineTuneTrainer.EngineOptions(options, device: null);
        foreach (var setting in EngineSettings())
        {
            Assert.True(Equals(expected[setting.Name], setting.GetValue(engine)), $"{setting.Name} does not reach the engine.");
        }
    }

    // A value other than the default, of the property's type.
    private static object? Changed(Type type, object? current)
    {
        var inner = Nullable.GetUnderlyingType(type) ?? type;
        return inner switch
        {
            _ when inner == typeof(int) => (current as int? ?? 0) + 3,
            _ when inner == typeof(long) => (current as long? ?? 0) + 3,
            _ when inner == typeof(double) => (current as double? ?? 0) + 0.25,
            _ when inner == typeof(float) => (current as float? ?? 0) + 0.25f,
            _ when inner == typeof(bool) => !(current as bool? ?? false),
            _ when inner.IsEnum => Enum.GetValues(inner).Cast<object>().First(v => !v.Equals(current)),
            _ when inner == typeof(string) => "changed",
            _ when inner == typeof(float[]) => new[] { 2f, 3f },
            _ when inner == typeof(CancellationToken) => new CancellationTokenSource().Token,
            _ when inner == typeof(FreezeStrategy) => FreezeStrategy.LastStages(2),
            _ when inner == typeof(AugmentationOptions) => new AugmentationOptions { ResizeTo = 64, CropSize = 56 },
            _ when inner == typeof(Action<EpochMetrics>) => new Action<EpochMetrics>(_ => { }),
            _ when inner == typeof(Action<StepProgress>) => new Action<StepProgress>(_ => { }),
            _ when inner == typeof(Action<string>) => new Action<string>(_ => { }),
            _ => throw new InvalidOperationException($"OptionsTests has no changed value for {type}: add one."),
        };
    }
}
