using System;
using System.IO;
using System.Linq;

namespace MLNetTransfer.Bench;

/// <summary>
/// What the benchmark reports say about the machine: the CPU model, the "Machine:" line, the load average and the
/// CPU's jiffies (for the steal share). One copy, compiled into both bench projects (their .csproj link it).
/// </summary>
internal static class MachineInfo
{
    /// <summary>The first "model name" of /proc/cpuinfo, or "unknown".</summary>
    public static string CpuModel()
    {
        try
        {
            return File.Exists("/proc/cpuinfo")
                ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown"
                : "unknown";
        }
        catch (IOException)
        {
            return "unknown";
        }
    }

    /// <summary>"Machine: N logical CPUs (nproc), CPU model "…", OS, .NET version".</summary>
    public static string MachineLine() =>
        $"Machine: {Environment.ProcessorCount} logical CPUs (nproc), CPU model \"{CpuModel()}\", {Environment.OSVersion}, .NET {Environment.Version}";

    /// <summary>The 1, 5 and 15 minute load averages of /proc/loadavg, or "unknown".</summary>
    public static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

    /// <summary>Total and steal jiffies of all CPUs from /proc/stat (steal: time the hypervisor gave to other guests).</summary>
    public static (long Total, long Steal) CpuTimes()
    {
        if (!File.Exists("/proc/stat"))
        {
            return (0, 0);
        }

        var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(f => long.Parse(f, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        return (fields.Take(8).Sum(), fields.Length > 7 ? fields[7] : 0);
    }
}
