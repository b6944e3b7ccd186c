using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading.Tasks;

namespace MLNetTransfer.Tests.Shared.Fuzzing;

/// <summary>
/// Runs a reader over seeded mutations of valid files and collects every case that breaks its contract: the reader
/// returns, or throws one of its documented exception types with a message that names the file. Anything else is a
/// failure: another exception type (NullReferenceException, IndexOutOfRangeException, TargetInvocationException,
/// OutOfMemoryException, ...), a message without the file's name, a case still running after the per-case timeout, or
/// more managed memory allocated than the stated bound. Case n uses <c>new Random(baseSeed + n)</c>; setting
/// <see cref="ReplayVariable"/> to a reported seed runs that case alone.
/// </summary>
internal static class FuzzHarness
{
    /// <summary>Raises the number of cases per reader (the long form), e.g. 5000.</summary>
    public const string CasesVariable = "MLNETTRANSFER_FUZZ_CASES";

    /// <summary>Runs only the case with this seed, as a failure report gives it.</summary>
    public const string ReplayVariable = "MLNETTRANSFER_FUZZ_SEED";

    /// <summary>The number of cases: <paramref name="quick"/> inside <c>dotnet test</c>, or <see cref="CasesVariable"/>'s value (the long form).</summary>
    /// <param name="quick">The count inside <c>dotnet test</c>.</param>
    /// <param name="costDivisor">For readers whose case costs seconds (a model.zip): the long form runs the variable's value divided by this.</param>
    public static int Cases(int quick, int costDivisor = 1) =>
        int.TryParse(Environment.GetEnvironmentVariable(CasesVariable), out int n) && n > 0 ? Math.Max(quick, n / costDivisor) : quick;

    /// <summary>The default allocation bound: 64 times the file plus 32 MiB.</summary>
    public static long DefaultBound(long fileBytes) => 64 * fileBytes + (32L << 20);

    /// <summary>Runs the cases and returns the report; the test asserts <see cref="FuzzReport.Failures"/> is empty.</summary>
    /// <param name="reader">The reader's name, for the report.</param>
    /// <param name="baseSeed">Case n is mutated by <c>new Random(baseSeed + n)</c>.</param>
    /// <param name="cases">How many cases.</param>
    /// <param name="folder">Where the case files are written (one at a time, deleted after).</param>
    /// <param name="extension">The case file's extension, with its dot.</param>
    /// <param name="mutate">Makes a case's bytes from its Random, and says which mutation it made.</param>
    /// <param name="read">Reads the file at the path it is given.</param>
    /// <param name="documented">The exception types the reader documents.</param>
    /// <param name="perCase">The timeout of one case.</param>
    /// <param name="bound">The allocation bound for a file of the given size; <see cref="DefaultBound"/> when null.</param>
    /// <param name="namesFile">Whether the message must name the file (not for ML.NET's own <c>Model.Load</c>, whose messages never do).</param>
    public static FuzzReport Run(string reader, int baseSeed, int cases, string folder, string extension,
        Func<Random, (byte[] Bytes, string Mutation)> mutate, Action<string> read, Type[] documented, TimeSpan perCase,
        Func<long, long>? bound = null, bool namesFile = true)
    {
        bound ??= DefaultBound;
        var seeds = Enumerable.Range(0, cases).Select(n => baseSeed + n);
        if (int.TryParse(Environment.GetEnvironmentVariable(ReplayVariable), out int replay))
        {
            seeds = new[] { replay };
        }

        var failures = new List<string>();
        var outcomes = new Dictionary<string, int>(StringComparer.Ordinal);
        var clock = Stopwatch.StartNew();
        int run = 0;
        foreach (int seed in seeds)
        {
            run++;
            var (bytes, mutation) = mutate(new Random(seed));
            string path = Path.Combine(folder, $"fuzz-case-{seed}{extension}");
            File.WriteAllBytes(path, bytes);
            string where = $"{reader}: seed {seed} (case {seed - baseSeed}, {bytes.Length} bytes; {mutation})";
            long allocated = 0;
            Exception? thrown = null;
            var task = Task.Factory.StartNew(() =>
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                try
                {
                    read(path);
                }
                catch (Exception e)
                {
                    thrown = e;
                }
                finally
                {
                    allocated = GC.GetAllocatedBytesForCurrentThread() - before;
                }
            }, TaskCreationOptions.LongRunning);
            if (!task.Wait(perCase))
            {
                // The case's thread is left to finish on its own; its file is left in the folder for a look.
                failures.Add($"{where}: still running after {perCase.TotalSeconds:0.#} s");
                Count(outcomes, "timeout");
                continue;
            }

            try
            {
                File.Delete(path);
            }
            catch (IOException)
            {
                // Still open in a leaked handle: the folder's own Dispose removes it.
            }

            string outcome = thrown is null ? "read" : thrown.GetType().Name;
            Count(outcomes, outcome);
            if (thrown is not null && !documented.Contains(thrown.GetType()))
            {
                failures.Add($"{where}: undocumented {thrown.GetType().FullName}: {First(thrown.Message)}{Inner(thrown)}");
            }
            else if (thrown is not null && namesFile && !thrown.Message.Contains(Path.GetFileName(path), StringComparison.Ordinal))
            {
                failures.Add($"{where}: {thrown.GetType().Name} does not name the file: {First(thrown.Message)}");
            }

            if (allocated > bound(bytes.Length))
            {
                failures.Add($"{where}: allocated {allocated:N0} bytes, over the bound of {bound(bytes.Length):N0} ({outcome})");
            }
        }

        return new FuzzReport(reader, baseSeed, run, failures, outcomes, clock.Elapsed);
    }

    private static void Count(Dictionary<string, int> outcomes, string outcome) =>
        outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;

    private static string First(string message) => message.Length <= 300 ? message : message[..300] + "...";

    private static string Inner(Exception e) => e.InnerException is { } inner ? $" (inner {inner.GetType().Name}: {First(inner.Message)})" : "";
}

/// <summary>What a fuzz run found: its failures (each with the seed that replays it) and how often each outcome occurred.</summary>
internal sealed record FuzzReport(string Reader, int BaseSeed, int Cases, IReadOnlyList<string> Failures, IReadOnlyDictionary<string, int> Outcomes, TimeSpan Elapsed)
{
    /// <summary>One line per outcome and the first 25 failures, for the test's output and its assertion message.</summary>
    public override string ToString() =>
        $"{Reader}: {Cases} cases from seed {BaseSeed} in {Elapsed.TotalSeconds:0.0} s; outcomes: " +
        string.Join(", ", Outcomes.OrderByDescending(o => o.Value).Select(o => $"{o.Key} {o.Value}")) +
        $"; {Failures.Count} failures" + (Failures.Count == 0 ? "" : ":" + Environment.NewLine + string.Join(Environment.NewLine, Failures.Take(25)));
}
