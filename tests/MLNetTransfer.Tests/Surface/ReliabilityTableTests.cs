using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using MLNetTransfer.Tests.Shared;
using Xunit;

namespace MLNetTransfer.Tests.Surface;

/// <summary>
/// docs/reliability.md's tables and the tests agree row for row, both ways: every test a row names exists (class,
/// method, file), and every test of a class marked <c>[Trait("Category", "Reliability")]</c> is named by a row, so a
/// reliability test cannot be added, renamed or deleted without its row following.
/// </summary>
public sealed class ReliabilityTableTests
{
    private static readonly Regex ClassAndMethod = new(@"\b([A-Z][A-Za-z0-9]*Tests)\.([A-Za-z_][A-Za-z0-9_]*)\b", RegexOptions.Compiled);
    private static readonly Regex ClassName = new(@"\b([A-Z][A-Za-z0-9]*Tests)\b", RegexOptions.Compiled);
    private static readonly Regex TestFile = new(@"\btests/[A-Za-z0-9_./-]+\.cs\b", RegexOptions.Compiled);

    [Fact]
    public void Every_test_a_row_names_exists()
    {
        var tests = TestIndex.Read(RepositoryRoot());
        var problems = new List<string>();
        foreach (var row in Rows())
        {
            string cell = row.TestCell;
            var classes = ClassName.Matches(cell).Select(m => m.Groups[1].Value).Distinct().ToList();
            var files = TestFile.Matches(cell).Select(m => m.Value).ToList();
            if (classes.Count == 0 && files.Count == 0 && !cell.TrimStart('`', ' ').StartsWith("none:", StringComparison.Ordinal))
            {
                problems.Add($"line {row.Line}: names no test (say 'none: <why>' if there cannot be one): {cell}");
            }

            problems.AddRange(classes.Where(c => !tests.Methods.ContainsKey(c)).Select(c => $"line {row.Line}: no test class {c}"));
            problems.AddRange(files.Where(f => !File.Exists(Path.Combine(RepositoryRoot(), f))).Select(f => $"line {row.Line}: no file {f}"));
            // "Tests.cs" of a file name is not a method.
            foreach (Match match in ClassAndMethod.Matches(TestFile.Replace(cell, " ")))
            {
                string type = match.Groups[1].Value, method = match.Groups[2].Value;
                if (tests.Methods.TryGetValue(type, out var methods) && !methods.Contains(method))
                {
                    problems.Add($"line {row.Line}: {type} has no test method {method}");
                }
            }
        }

        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public void Every_test_of_a_reliability_class_has_its_row()
    {
        var tests = TestIndex.Read(RepositoryRoot());
        Assert.NotEmpty(tests.ReliabilityClasses);
        string named = string.Join("\n", Rows().Select(r => r.TestCell));
        var missing = tests.ReliabilityClasses
            .SelectMany(type => tests.Methods[type].Select(method => (type, method)))
            .Where(t => !Covered(named, t.type, t.method, tests.Methods[t.type].Count))
            .Select(t => $"{t.type}.{t.method}")
            .ToList();
        Assert.True(missing.Count == 0, "Reliability tests without a row in docs/reliability.md:\n" + string.Join("\n", missing));
    }

    [Fact]
    public void The_table_reader_finds_every_table_and_the_check_can_fail()
    {
        // The checks above must be able to fail: the document has rows, and a made-up method is not a test.
        var rows = Rows();
        Assert.True(rows.Count >= 30, $"only {rows.Count} rows read from docs/reliability.md");
        var tests = TestIndex.Read(RepositoryRoot());
        Assert.Contains("Every_test_a_row_names_exists", tests.Methods[nameof(ReliabilityTableTests)]);
        Assert.DoesNotContain("No_such_test_method", tests.Methods[nameof(ReliabilityTableTests)]);
    }

    // A method is named by "Class.Method", or by its bare name next to its class's name, or (for a class with one
    // test, typically a theory whose rows are the table's rows) by the class's name alone.
    private static bool Covered(string named, string type, string method, int methodsInClass) =>
        Regex.IsMatch(named, $@"\b{Regex.Escape(type)}\.{Regex.Escape(method)}\b")
        || (Regex.IsMatch(named, $@"\b{Regex.Escape(method)}\b") && Regex.IsMatch(named, $@"\b{Regex.Escape(type)}\b"))
        || (methodsInClass == 1 && Regex.IsMatch(named, $@"\b{Regex.Escape(type)}\b"));

    private static List<(int Line, string TestCell)> Rows()
    {
        string[] lines = File.ReadAllLines(Path.Combine(RepositoryRoot(), "docs", "reliability.md"));
        var rows = new List<(int, string)>();
        bool inTable = false;
        int testColumn = -1;
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i].Trim();
            if (!line.StartsWith('|'))
            {
                inTable = false;
                continue;
            }

            // The first row of a table is its header; the second its |---| separator. Rows after a blank line start
            // a new table, and without a separator Markdown shows them as text, not as a table.
            bool separator = Regex.IsMatch(line, @"^\|[\s:|-]+\|$");
            if (!inTable)
            {
                inTable = true;
                string next = i + 1 < lines.Length ? lines[i + 1].Trim() : "";
                Assert.True(Regex.IsMatch(next, @"^\|[\s:|-]+\|$"), $"docs/reliability.md line {i + 1} starts a table with no |---| line under it (a blank line inside a table?)");
                // The column headed "test" names the tests; the last column where none is.
                var header = line.Trim('|').Split('|').Select(h => h.Trim()).ToList();
                testColumn = header.FindIndex(h => h.Equals("test", StringComparison.OrdinalIgnoreCase));
                continue;
            }

            if (separator)
            {
                continue;
            }

            string[] cells = line.Trim('|').Split('|');
            rows.Add((i + 1, (testColumn >= 0 && testColumn < cells.Length ? cells[testColumn] : cells[^1]).Trim()));
        }

        return rows;
    }

    private static string RepositoryRoot() => ReadmePipeline.RepositoryRoot(AppContext.BaseDirectory);

    /// <summary>The test classes and their [Fact]/[Theory] methods, read from the sources under tests/.</summary>
    private sealed record TestIndex(Dictionary<string, HashSet<string>> Methods, List<string> ReliabilityClasses)
    {
        private static readonly Regex Class = new(@"^(?<trait>(?:\[[^\n]*\]\r?\n)*)(?:public|internal)\s+(?:sealed\s+|static\s+|abstract\s+|partial\s+)*class\s+(?<name>[A-Za-z0-9_]+)", RegexOptions.Multiline | RegexOptions.Compiled);
        private static readonly Regex Test = new(@"\[(?:Fact|Theory)\b[^\n]*\n(?:[ \t]*(?:\[|//)[^\n]*\n)*[ \t]*public\s+(?:async\s+)?[A-Za-z<>\[\]]+\s+(?<name>[A-Za-z_][A-Za-z0-9_]*)\s*\(", RegexOptions.Compiled);

        public static TestIndex Read(string root)
        {
            var methods = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
            var reliability = new List<string>();
            var sources = Directory.EnumerateFiles(Path.Combine(root, "tests"), "*.cs", SearchOption.AllDirectories)
                .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                    && !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal));
            foreach (string file in sources)
            {
                string text = File.ReadAllText(file);
                var classes = Class.Matches(text).ToList();
                foreach (var (match, index) in classes.Select((m, i) => (m, i)))
                {
                    // A class's tests are those between its declaration and the next top-level class's. Test files use
                    // file-scoped namespaces, so a top-level class starts its line and a nested fixture class is indented.
                    int end = index + 1 < classes.Count ? classes[index + 1].Index : text.Length;
                    string name = match.Groups["name"].Value;
                    var set = methods.TryGetValue(name, out var known) ? known : methods[name] = new HashSet<string>(StringComparer.Ordinal);
                    foreach (Match test in Test.Matches(text[match.Index..end]))
                    {
                        set.Add(test.Groups["name"].Value);
                    }

                    if (match.Groups["trait"].Value.Contains("Trait(\"Category\", \"Reliability\")", StringComparison.Ordinal) && !reliability.Contains(name))
                    {
                        reliability.Add(name);
                    }
                }
            }

            return new TestIndex(methods, reliability);
        }
    }
}
