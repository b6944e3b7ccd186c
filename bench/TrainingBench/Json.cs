using System;
using System.Collections.Generic;
using System.Text.Json;

namespace MLNetTransfer.Bench.Training;

/// <summary>One result line: a flat JSON object on stdout, which bench/run.sh appends to its results file.</summary>
internal static class Json
{
    public static void Emit(Dictionary<string, object> fields)
    {
        fields["load_average"] = MachineInfo.LoadAverage();
        Console.WriteLine("RESULT " + JsonSerializer.Serialize(fields));
    }
}
