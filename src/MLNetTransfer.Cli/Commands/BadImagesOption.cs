using System;
using System.CommandLine;

namespace MLNetTransfer.Cli.Commands;

/// <summary><c>--bad-images fail|skip</c>: what train and evaluate do with the images the library's image gate refuses.</summary>
internal static class BadImagesOption
{
    public const string Name = "--bad-images";

    /// <summary>The option, with <paramref name="description"/> saying what it does in its command.</summary>
    public static Option<string> Create(string description)
    {
        var option = new Option<string>(Name) { Description = description, DefaultValueFactory = _ => "fail" };
        // Not AcceptOnlyFromAmong: its message names the value but not the option.
        option.Validators.Add(result =>
        {
            string value = result.GetValueOrDefault<string>();
            if (!TryParse(value, out _))
            {
                result.AddError($"{Name}: '{value}' is not one of fail, skip.");
            }
        });
        return option;
    }

    /// <summary>The policy a validated value names.</summary>
    public static BadImagePolicy Parse(string value) => TryParse(value, out var policy)
        ? policy
        : throw new CliException(ExitCodes.Usage, $"{Name}: '{value}' is not one of fail, skip.");

    private static bool TryParse(string? value, out BadImagePolicy policy)
    {
        policy = BadImagePolicy.Fail;
        if (string.Equals(value, "skip", StringComparison.OrdinalIgnoreCase))
        {
            policy = BadImagePolicy.Skip;
            return true;
        }

        return string.Equals(value, "fail", StringComparison.OrdinalIgnoreCase);
    }
}
