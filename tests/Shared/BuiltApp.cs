using System;
using System.IO;
using Xunit;

namespace MLNetTransfer.Tests.Shared;

/// <summary>
/// The built dll of an app in this repository, in the running test assembly's configuration and framework
/// (tests/&lt;project&gt;/bin/&lt;Configuration&gt;/&lt;framework&gt;/): the test project builds the app through a
/// ProjectReference, and the test runs it as a separate process. Linked into the test projects that run apps.
/// </summary>
internal static class BuiltApp
{
    /// <param name="projectFolder">The app's folder relative to the repository root, e.g. "samples/ScoreInExistingApp".</param>
    /// <param name="dllName">The app's assembly file, e.g. "ScoreInExistingApp.dll".</param>
    public static string Dll(string projectFolder, string dllName)
    {
        var testFolder = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        string framework = testFolder.Name;
        string configuration = testFolder.Parent!.Name;
        var repo = testFolder;
        while (repo is not null && !File.Exists(Path.Combine(repo.FullName, "MLNetTransfer.sln")))
        {
            repo = repo.Parent;
        }

        Assert.True(repo is not null, $"No MLNetTransfer.sln above {AppContext.BaseDirectory}");
        string dll = Path.Combine(repo!.FullName, projectFolder, "bin", configuration, framework, dllName);
        Assert.True(File.Exists(dll), $"{dll} is missing: the test project builds it through its ProjectReference.");
        return dll;
    }
}
