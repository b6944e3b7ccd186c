using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using MLNetTransfer.Build;
using TorchSharp;
using Xunit;

namespace MLNetTransfer.Torch.Tests.Native;

/// <summary>
/// The ELF logic of the build-time patch that lets TorchSharp 0.107.0's libLibTorchSharp.so load with libstdc++ 12
/// (docs/design.md, "libtorch on Debian 12"), checked on temporary copies of the real library from the NuGet cache.
/// </summary>
public sealed class ElfVersionNeedPatcherTests : IDisposable
{
    private const string MissingVersion = "GLIBCXX_3.4.32";
    private const string SafeSymbol = "_ZSt21ios_base_library_initv";

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "mlnettransfer-elf-" + Guid.NewGuid().ToString("N"));

    public ElfVersionNeedPatcherTests() => Directory.CreateDirectory(_directory);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void PackageLibrary_NeedsGlibcxx3432NotWeak_ForOnlyTheIosBaseInitSymbol()
    {
        var needs = ElfVersionNeedPatcher.ReadVersionNeeds(CopyOfPackageLibrary());

        var need = Assert.Single(needs, n => n.Version == MissingVersion);
        Assert.Equal(ElfVersionNeedPatcher.LibStdCxxSoName, need.File);
        Assert.False(need.IsWeak);
        Assert.Equal(new[] { SafeSymbol }, need.Symbols);
        // readelf -V shows 20 libstdc++ needs and 9 from glibc, libm, libgcc_s and ld.so; none is weak.
        Assert.Equal(20, needs.Count(n => n.File == ElfVersionNeedPatcher.LibStdCxxSoName));
        Assert.DoesNotContain(needs, n => n.IsWeak);
    }

    [Fact]
    public void Patch_ChangesOnlyTheFlagBytes_IsIdempotent_AndLeavesTheNuGetCacheAlone()
    {
        string cached = PackageLibraryInNuGetCache();
        byte[] cacheHash = Sha256(cached);
        string library = CopyOfPackageLibrary();
        byte[] original = File.ReadAllBytes(library);
        var lastWrite = File.GetLastWriteTimeUtc(library);
        var needs = ElfVersionNeedPatcher.ReadVersionNeeds(library);

        var plan = ElfVersionNeedPatcher.Patch(library, SystemLacking(needs, MissingVersion));

        var patchedNeed = Assert.Single(plan.ToWeaken);
        Assert.Equal(MissingVersion, patchedNeed.Version);
        Assert.Empty(plan.Warnings);
        var after = ElfVersionNeedPatcher.ReadVersionNeeds(library);
        Assert.True(after.Single(n => n.Version == MissingVersion).IsWeak);
        Assert.Equal(
            needs.Where(n => n.Version != MissingVersion).Select(n => (n.File, n.Version, n.Flags)),
            after.Where(n => n.Version != MissingVersion).Select(n => (n.File, n.Version, n.Flags)));
        byte[] patched = File.ReadAllBytes(library);
        Assert.Equal(original.Length, patched.Length);
        var changed = Enumerable.Range(0, original.Length).Where(i => original[i] != patched[i]).ToList();
        Assert.NotEmpty(changed);
        Assert.All(changed, i => Assert.InRange(i, patchedNeed.FlagsOffset, patchedNeed.FlagsOffset + 1));
        Assert.Equal(lastWrite, File.GetLastWriteTimeUtc(library));

        var again = ElfVersionNeedPatcher.Patch(library, SystemLacking(needs, MissingVersion));

        Assert.Empty(again.ToWeaken);
        Assert.Equal(MissingVersion, Assert.Single(again.AlreadyWeak).Version);
        Assert.Equal(patched, File.ReadAllBytes(library));
        Assert.Equal(cacheHash, Sha256(cached));
    }

    [Fact]
    public void Patch_ReplacesALinkedFile_InsteadOfWritingThroughTheLink()
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // Creating symbolic links needs privileges on Windows.
        }

        string target = CopyOfPackageLibrary();
        byte[] targetBytes = File.ReadAllBytes(target);
        string link = Path.Combine(_directory, "linked", "libLibTorchSharp.so");
        Directory.CreateDirectory(Path.GetDirectoryName(link)!);
        File.CreateSymbolicLink(link, target);

        var plan = ElfVersionNeedPatcher.Patch(link, SystemLacking(ElfVersionNeedPatcher.ReadVersionNeeds(target), MissingVersion));

        Assert.Single(plan.ToWeaken);
        Assert.Null(new FileInfo(link).LinkTarget);
        Assert.True(ElfVersionNeedPatcher.ReadVersionNeeds(link).Single(n => n.Version == MissingVersion).IsWeak);
        Assert.Equal(targetBytes, File.ReadAllBytes(target));
    }

    [Fact]
    public void Patch_ReplacesAHardLinkedFile_InsteadOfWritingThroughTheLink()
    {
        // MSBuild's CreateHardLinksForCopyLocalIfPossible makes the output copy a hard link to the NuGet cache file.
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        string target = CopyOfPackageLibrary();
        byte[] targetBytes = File.ReadAllBytes(target);
        string link = Path.Combine(_directory, "hardlinked", "libLibTorchSharp.so");
        Directory.CreateDirectory(Path.GetDirectoryName(link)!);
        Assert.True(CreateHardLink(target, link) == 0, $"link(2) failed with errno {Marshal.GetLastPInvokeError()}");

        var plan = ElfVersionNeedPatcher.Patch(link, SystemLacking(ElfVersionNeedPatcher.ReadVersionNeeds(target), MissingVersion));

        Assert.Single(plan.ToWeaken);
        Assert.True(ElfVersionNeedPatcher.ReadVersionNeeds(link).Single(n => n.Version == MissingVersion).IsWeak);
        Assert.Equal(targetBytes, File.ReadAllBytes(target));
    }

    [Fact]
    public void Patch_WhenTheSystemDefinesTheVersion_ChangesNothing()
    {
        string library = CopyOfPackageLibrary();
        byte[] original = File.ReadAllBytes(library);
        var needs = ElfVersionNeedPatcher.ReadVersionNeeds(library);

        var plan = ElfVersionNeedPatcher.Patch(library, needs.Select(n => n.Version));

        Assert.Empty(plan.ToWeaken);
        Assert.Empty(plan.AlreadyWeak);
        Assert.Empty(plan.Warnings);
        Assert.Equal(original, File.ReadAllBytes(library));
    }

    [Fact]
    public void Patch_WhenOtherSymbolsNeedAMissingVersion_LeavesThatVersionAndWarns()
    {
        // A libstdc++ without GLIBCXX_3.4.30 (GCC 11): std::condition_variable::wait is bound to it and would be called.
        string library = CopyOfPackageLibrary();
        var needs = ElfVersionNeedPatcher.ReadVersionNeeds(library);

        var plan = ElfVersionNeedPatcher.Patch(library, SystemLacking(needs, MissingVersion, "GLIBCXX_3.4.30"));

        Assert.Equal(MissingVersion, Assert.Single(plan.ToWeaken).Version);
        string warning = Assert.Single(plan.Warnings);
        Assert.Contains("GLIBCXX_3.4.30", warning);
        Assert.Contains("_ZNSt18condition_variable4waitERSt11unique_lockISt5mutexE", warning);
        Assert.Contains(library, warning);
        Assert.False(ElfVersionNeedPatcher.ReadVersionNeeds(library).Single(n => n.Version == "GLIBCXX_3.4.30").IsWeak);
    }

    [Fact]
    public void Plan_OnlyTouchesLibStdCxx()
    {
        var needs = ElfVersionNeedPatcher.ReadVersionNeeds(CopyOfPackageLibrary());

        var plan = ElfVersionNeedPatcher.Plan("libLibTorchSharp.so", needs, Array.Empty<string>(), needs.SelectMany(n => n.Symbols));

        Assert.Equal(20, plan.ToWeaken.Count);
        Assert.All(plan.ToWeaken, n => Assert.Equal(ElfVersionNeedPatcher.LibStdCxxSoName, n.File));
    }

    [Fact]
    public void ReadDefinedVersions_OfTheSystemLibStdCxx_MatchesItsFileVersion()
    {
        string? path = ElfVersionNeedPatcher.FindSystemLibStdCxx();
        if (path == null)
        {
            return; // Not Linux, or no libstdc++ installed: nothing to compare with.
        }

        var defined = ElfVersionNeedPatcher.ReadDefinedVersions(path);

        Assert.Contains("GLIBCXX_3.4", defined);
        Assert.Contains("CXXABI_1.3", defined);
        Assert.DoesNotContain(ElfVersionNeedPatcher.LibStdCxxSoName, defined); // the base entry is the soname, not a version
        // libstdc++.so.6.0.N defines GLIBCXX_3.4.N as its newest version (libstdc++ manual, "ABI Policy and Guidelines").
        // On Debian 12 that is libstdc++.so.6.0.30: GLIBCXX_3.4.30, not the 3.4.32 that TorchSharp asks for.
        string real = new FileInfo(path).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? path;
        const string prefix = "libstdc++.so.6.0.";
        string name = Path.GetFileName(real);
        if (name.StartsWith(prefix, StringComparison.Ordinal) && int.TryParse(name.Substring(prefix.Length), out int minor))
        {
            Assert.Contains($"GLIBCXX_3.4.{minor}", defined);
            Assert.DoesNotContain($"GLIBCXX_3.4.{minor + 1}", defined);
        }
    }

    [Fact]
    public void FindSystemLibStdCxx_LooksInLdLibraryPathFirst()
    {
        string fake = Path.Combine(_directory, ElfVersionNeedPatcher.LibStdCxxSoName);
        File.WriteAllText(fake, "not used");

        string? found = ElfVersionNeedPatcher.FindSystemLibStdCxx("/nonexistent:" + _directory, Architecture.X64);

        Assert.Equal(fake, found);
    }

    [Fact]
    public void TestOutputCopy_WasPatchedByTheBuildTarget_WhenTheSystemLacksTheVersion()
    {
        string output = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        string? libStdCxx = ElfVersionNeedPatcher.FindSystemLibStdCxx();
        if (libStdCxx == null)
        {
            return; // The build target only runs on Linux with a libstdc++ to compare with.
        }

        Assert.True(File.Exists(output), $"'{output}' is missing: the build did not copy TorchSharp's native library.");
        bool systemHasIt = ElfVersionNeedPatcher.ReadDefinedVersions(libStdCxx).Contains(MissingVersion);

        var need = ElfVersionNeedPatcher.ReadVersionNeeds(output).Single(n => n.Version == MissingVersion);

        Assert.Equal(!systemHasIt, need.IsWeak);
    }

    [Fact]
    public void NonElfFile_ErrorNamesTheFile()
    {
        string path = Path.Combine(_directory, "not-elf.so");
        File.WriteAllText(path, new string('x', 100));

        var e = Assert.Throws<InvalidDataException>(() => ElfVersionNeedPatcher.ReadVersionNeeds(path));

        Assert.Contains(path, e.Message);
        Assert.Contains("not an ELF file", e.Message);
    }

    [Theory]
    [InlineData(4, 1, "64-bit")]       // EI_CLASS = ELFCLASS32
    [InlineData(5, 2, "little-endian")] // EI_DATA = ELFDATA2MSB
    public void UnsupportedElfKind_ErrorNamesTheFile(int identIndex, byte value, string expected)
    {
        string path = CopyOfPackageLibrary();
        byte[] bytes = File.ReadAllBytes(path);
        bytes[identIndex] = value;
        File.WriteAllBytes(path, bytes);

        var e = Assert.Throws<InvalidDataException>(() => ElfVersionNeedPatcher.ReadVersionNeeds(path));

        Assert.Contains(path, e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void TruncatedFile_ErrorNamesTheFile()
    {
        string path = CopyOfPackageLibrary();
        byte[] bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes.Take(bytes.Length / 2).ToArray()); // section headers sit at the end

        var e = Assert.Throws<InvalidDataException>(() => ElfVersionNeedPatcher.Patch(path, Array.Empty<string>()));

        Assert.Contains(path, e.Message);
        Assert.Contains("truncated", e.Message);
    }

    [DllImport("libc", EntryPoint = "link", SetLastError = true)]
    private static extern int CreateHardLink(string oldPath, string newPath);

    /// <summary>Every version the library needs except <paramref name="missing"/>, as a libstdc++ that lacks only those.</summary>
    private static IEnumerable<string> SystemLacking(IEnumerable<ElfVersionNeed> needs, params string[] missing) =>
        needs.Select(n => n.Version).Where(v => !missing.Contains(v)).ToList();

    private static byte[] Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return SHA256.HashData(stream);
    }

    private string CopyOfPackageLibrary()
    {
        string copy = Path.Combine(_directory, Guid.NewGuid().ToString("N"), "libLibTorchSharp.so");
        Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
        File.Copy(PackageLibraryInNuGetCache(), copy);
        return copy;
    }

    /// <summary>TorchSharp's own libLibTorchSharp.so in the NuGet cache, for the TorchSharp version the tests run with.</summary>
    private static string PackageLibraryInNuGetCache()
    {
        string packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } fromEnvironment
            ? fromEnvironment
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        string version = typeof(torch).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion.Split('+')[0];
        string path = Path.Combine(packages, "torchsharp", version, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        Assert.True(File.Exists(path), $"'{path}' is missing: restore TorchSharp {version} first.");
        return path;
    }
}
