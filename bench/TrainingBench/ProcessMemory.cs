using System;
using System.Globalization;
using System.IO;
using System.Linq;

namespace MLNetTransfer.Bench.Training;

/// <summary>Resident memory of this process from /proc/self/status: now (VmRSS) and the peak so far (VmHWM), in MiB.</summary>
internal static class ProcessMemory
{
    public static double RssMiB => Read("VmRSS:");

    public static double PeakRssMiB => Read("VmHWM:");

    private static double Read(string key)
    {
        const string Status = "/proc/self/status";
        if (!File.Exists(Status))
        {
            return double.NaN;
        }

        // "VmRSS:	  123456 kB"
        var line = File.ReadLines(Status).FirstOrDefault(l => l.StartsWith(key, StringComparison.Ordinal));
        return line is null ? double.NaN
            : long.Parse(line[key.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024.0;
    }
}
