// Makes TorchSharp's native libLibTorchSharp.so load on systems whose libstdc++ is older than the GCC that built it
// (docs/design.md, "libtorch on Debian 12"). TorchSharp 0.107.0's library asks for GLIBCXX_3.4.32 (GCC 13) only for
// _ZSt21ios_base_library_initv, which GCC 13's <iostream> references with a bare `.globl` that no relocation uses.
// Marking that one version need VER_FLG_WEAK turns the loader's hard "version not found" into a "weak version not
// found" notice; nothing else changes.
//
// This file is compiled twice:
//   - by MSBuild's RoslynCodeTaskFactory from build/MLNetTransfer.targets, against netstandard 2.0 with only
//     Microsoft.Build.Framework and Microsoft.Build.Utilities.Core referenced (so: no Span, no BinaryPrimitives,
//     no File.Move(..., overwrite), no System.Index);
//   - into MLNetTransfer.Torch.Tests with MLNETTRANSFER_PATCHER_NO_MSBUILD defined, which leaves the MSBuild task out.
// It is not part of the MLNetTransfer assembly.
//
// Sources for the formats read here:
//   ELF gABI (section headers, SHT_DYNSYM, Elf64_Sym):  https://refspecs.linuxfoundation.org/elf/gabi4+/ch4.sheader.html
//   GNU symbol versioning (SHT_GNU_verdef/verneed/versym, Elf64_Verdef/Verdaux/Verneed/Vernaux, VER_FLG_WEAK):
//     https://refspecs.linuxfoundation.org/LSB_5.0.0/LSB-Core-generic/LSB-Core-generic/symversion.html
#nullable enable

using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text;
#if !MLNETTRANSFER_PATCHER_NO_MSBUILD
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;
#endif

namespace MLNetTransfer.Build;

/// <summary>One <c>Vernaux</c> entry of a library's <c>.gnu.version_r</c>: a version the library needs from a file.</summary>
public sealed class ElfVersionNeed
{
    internal ElfVersionNeed(string file, string version, ushort flags, ushort index, long flagsOffset, IReadOnlyList<string> symbols)
    {
        File = file;
        Version = version;
        Flags = flags;
        Index = index;
        FlagsOffset = flagsOffset;
        Symbols = symbols;
    }

    /// <summary>The needed file (<c>vn_file</c>), for example <c>libstdc++.so.6</c>.</summary>
    public string File { get; }

    /// <summary>The needed version name (<c>vna_name</c>), for example <c>GLIBCXX_3.4.32</c>.</summary>
    public string Version { get; }

    /// <summary>The entry's flags (<c>vna_flags</c>); <see cref="ElfVersionNeedPatcher.VerFlagWeak"/> marks a weak need.</summary>
    public ushort Flags { get; }

    /// <summary>The version index (<c>vna_other</c>) that <c>.gnu.version</c> uses for symbols bound to this version.</summary>
    public ushort Index { get; }

    /// <summary>File offset of the two-byte <c>vna_flags</c> field.</summary>
    public long FlagsOffset { get; }

    /// <summary>Names of the dynamic symbols whose <c>.gnu.version</c> entry is <see cref="Index"/>.</summary>
    public IReadOnlyList<string> Symbols { get; }

    /// <summary>Whether the need is already weak, so a missing version only makes the loader print a notice.</summary>
    public bool IsWeak => (Flags & ElfVersionNeedPatcher.VerFlagWeak) != 0;

    /// <inheritdoc/>
    public override string ToString() => $"{File} {Version} (index {Index}, flags 0x{Flags:x})";
}

/// <summary>What <see cref="ElfVersionNeedPatcher.Plan"/> decided for one library.</summary>
public sealed class VersionNeedPatchPlan
{
    internal VersionNeedPatchPlan(IReadOnlyList<ElfVersionNeed> toWeaken, IReadOnlyList<ElfVersionNeed> alreadyWeak, IReadOnlyList<string> warnings)
    {
        ToWeaken = toWeaken;
        AlreadyWeak = alreadyWeak;
        Warnings = warnings;
    }

    /// <summary>Needs the system library lacks and whose symbols are all known to be safe: these get <c>VER_FLG_WEAK</c>.</summary>
    public IReadOnlyList<ElfVersionNeed> ToWeaken { get; }

    /// <summary>Needs the system library lacks that are weak already (an earlier run patched them): nothing to do.</summary>
    public IReadOnlyList<ElfVersionNeed> AlreadyWeak { get; }

    /// <summary>Needs the system library lacks that are left alone because other symbols depend on them; one message each.</summary>
    public IReadOnlyList<string> Warnings { get; }
}

/// <summary>
/// Reads GNU symbol-version sections of ELF64 little-endian shared libraries and marks version needs weak.
/// </summary>
/// <remarks>
/// A need on a version that the installed library does not define makes <c>ld.so</c> refuse to load the whole
/// library, unless the <c>Vernaux</c> entry carries <c>VER_FLG_WEAK</c> (0x2), in which case it only warns (LSB,
/// "Symbol Versioning"). That is safe only when no symbol the program actually calls is bound to the version, so a
/// version is weakened only when every dynamic symbol bound to it is in <see cref="KnownSafeSymbols"/>.
/// </remarks>
public static class ElfVersionNeedPatcher
{
    /// <summary>The soname whose version needs may be weakened.</summary>
    public const string LibStdCxxSoName = "libstdc++.so.6";

    /// <summary><c>VER_FLG_WEAK</c>: the need is weak (LSB "Symbol Versioning", Version Needed Auxiliary Entries).</summary>
    public const ushort VerFlagWeak = 0x2;

    /// <summary>
    /// Symbols that may stay unresolved. <c>_ZSt21ios_base_library_initv</c> is GCC 13's static-init hook that
    /// <c>&lt;iostream&gt;</c> names with a bare <c>.globl</c> only so that the link keeps libstdc++'s stream
    /// initialiser; no relocation refers to it, so the loader never looks it up. With an older libstdc++ the standard
    /// streams are still set up by the <c>ios_base::Init</c> objects of older <c>&lt;iostream&gt;</c>: libtorch's
    /// libc10.so and libtorch_cpu.so (2.10.0, loaded and initialised before libLibTorchSharp.so) construct them.
    /// </summary>
    public static readonly IReadOnlyList<string> KnownSafeSymbols = new[] { "_ZSt21ios_base_library_initv" };

    private const uint ShtDynSym = 11;
    private const uint ShtGnuVerdef = 0x6ffffffd;
    private const uint ShtGnuVerneed = 0x6ffffffe;
    private const uint ShtGnuVersym = 0x6fffffff;
    private const ushort VerFlagBase = 0x1;

    /// <summary>Reads the version names a library defines (<c>.gnu.version_d</c>), without its base (soname) entry.</summary>
    /// <exception cref="InvalidDataException">The file is not a well-formed ELF64 little-endian file; the message names it.</exception>
    public static IReadOnlyCollection<string> ReadDefinedVersions(string path)
    {
        var elf = ElfImage.Load(path);
        var names = new HashSet<string>(StringComparer.Ordinal);
        var verdef = elf.FindSection(ShtGnuVerdef);
        if (verdef == null)
        {
            return names;
        }

        var strtab = elf.LinkedSection(verdef);
        // Elf64_Verdef: vd_version u16, vd_flags u16, vd_ndx u16, vd_cnt u16, vd_hash u32, vd_aux u32, vd_next u32 (20 bytes).
        // The first Elf64_Verdaux (vda_name u32, vda_next u32) names the version; later ones name its predecessors.
        long entry = verdef.Offset;
        for (long i = 0; i < MaxEntries(verdef, 20); i++)
        {
            elf.Require(entry, 20, verdef.Offset + verdef.Size, ".gnu.version_d");
            ushort flags = elf.U16(entry + 2);
            uint aux = elf.U32(entry + 12);
            uint next = elf.U32(entry + 16);
            if ((flags & VerFlagBase) == 0)
            {
                elf.Require(entry + aux, 8, verdef.Offset + verdef.Size, ".gnu.version_d");
                names.Add(elf.String(strtab, elf.U32(entry + aux)));
            }

            if (next == 0)
            {
                break;
            }

            entry += next;
        }

        return names;
    }

    /// <summary>Reads every version need (<c>.gnu.version_r</c>) of a library, with the dynamic symbols bound to each.</summary>
    /// <exception cref="InvalidDataException">The file is not a well-formed ELF64 little-endian file; the message names it.</exception>
    public static IReadOnlyList<ElfVersionNeed> ReadVersionNeeds(string path) => ReadVersionNeeds(ElfImage.Load(path));

    /// <summary>
    /// Decides which needs of <see cref="LibStdCxxSoName"/> to weaken: those whose version <paramref name="systemDefinedVersions"/>
    /// lacks, provided every symbol bound to them is in <paramref name="safeSymbols"/> (default <see cref="KnownSafeSymbols"/>).
    /// </summary>
    /// <param name="libraryName">Names the library in warnings.</param>
    /// <param name="needs">The library's needs, from <see cref="ReadVersionNeeds(string)"/>.</param>
    /// <param name="systemDefinedVersions">The versions the system libstdc++ defines, from <see cref="ReadDefinedVersions"/>.</param>
    /// <param name="safeSymbols">Symbols allowed to stay unresolved.</param>
    public static VersionNeedPatchPlan Plan(
        string libraryName,
        IEnumerable<ElfVersionNeed> needs,
        IEnumerable<string> systemDefinedVersions,
        IEnumerable<string>? safeSymbols = null)
    {
        var defined = new HashSet<string>(systemDefinedVersions, StringComparer.Ordinal);
        var safe = new HashSet<string>(safeSymbols ?? KnownSafeSymbols, StringComparer.Ordinal);
        var toWeaken = new List<ElfVersionNeed>();
        var alreadyWeak = new List<ElfVersionNeed>();
        var warnings = new List<string>();
        foreach (var need in needs)
        {
            if (need.File != LibStdCxxSoName || defined.Contains(need.Version))
            {
                continue;
            }

            if (need.IsWeak)
            {
                alreadyWeak.Add(need);
                continue;
            }

            var unsafeSymbols = need.Symbols.Where(s => !safe.Contains(s)).ToList();
            if (unsafeSymbols.Count == 0)
            {
                toWeaken.Add(need);
            }
            else
            {
                warnings.Add(
                    $"{libraryName} needs {need.Version} from {need.File}, which the system libstdc++ does not define, " +
                    $"and these symbols are bound to it: {string.Join(", ", unsafeSymbols)}. Not patched, because they are not known " +
                    "to be safe to leave unresolved; the library will fail to load until a newer libstdc++ is installed.");
            }
        }

        return new VersionNeedPatchPlan(toWeaken, alreadyWeak, warnings);
    }

    /// <summary>
    /// Plans and applies the patch to <paramref name="libraryPath"/>: sets <see cref="VerFlagWeak"/> on the needs in
    /// <see cref="VersionNeedPatchPlan.ToWeaken"/>. Does nothing if that list is empty (idempotent).
    /// </summary>
    /// <remarks>
    /// The file is rewritten through a copy in the same directory that then replaces it by rename, so a hard or
    /// symbolic link to the NuGet cache is replaced, never written through. The copy keeps the original's
    /// last-write time, so MSBuild's incremental copy (same size and time) keeps the patched file until the package
    /// file itself changes, when it copies the new one and this runs again.
    /// </remarks>
    /// <returns>The plan that was applied.</returns>
    /// <exception cref="InvalidDataException">The file is not a well-formed ELF64 little-endian file; the message names it.</exception>
    public static VersionNeedPatchPlan Patch(string libraryPath, IEnumerable<string> systemDefinedVersions, IEnumerable<string>? safeSymbols = null)
    {
        var plan = Plan(libraryPath, ReadVersionNeeds(libraryPath), systemDefinedVersions, safeSymbols);
        if (plan.ToWeaken.Count == 0)
        {
            return plan;
        }

        string directory = Path.GetDirectoryName(Path.GetFullPath(libraryPath)) ?? ".";
        string temp = Path.Combine(directory, "." + Path.GetFileName(libraryPath) + "." + Guid.NewGuid().ToString("N") + ".tmp");
        var lastWrite = File.GetLastWriteTimeUtc(libraryPath);
        try
        {
            // File.Copy keeps the Unix permission bits; it never makes a link.
            File.Copy(libraryPath, temp, overwrite: false);
            using (var stream = new FileStream(temp, FileMode.Open, FileAccess.ReadWrite, FileShare.None))
            {
                foreach (var need in plan.ToWeaken)
                {
                    ushort flags = (ushort)(need.Flags | VerFlagWeak);
                    stream.Position = need.FlagsOffset;
                    stream.WriteByte((byte)flags);
                    stream.WriteByte((byte)(flags >> 8));
                }
            }

            File.SetLastWriteTimeUtc(temp, lastWrite);
            // File.Replace is a rename(2) on Unix; File.Move(..., overwrite: true) is not in netstandard 2.0.
            File.Replace(temp, libraryPath, destinationBackupFileName: null);
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }

        return plan;
    }

    /// <summary>
    /// Finds the libstdc++.so.6 the loader would most likely use: the <c>LD_LIBRARY_PATH</c> directories, then the
    /// usual multiarch and lib directories. Returns <see langword="null"/> when not on Linux or when none is found.
    /// </summary>
    public static string? FindSystemLibStdCxx() =>
        RuntimeInformation.IsOSPlatform(OSPlatform.Linux)
            ? FindSystemLibStdCxx(Environment.GetEnvironmentVariable("LD_LIBRARY_PATH"), RuntimeInformation.OSArchitecture)
            : null;

    /// <summary>Finds libstdc++.so.6 in <paramref name="ldLibraryPath"/>, then in the default directories for <paramref name="architecture"/>.</summary>
    public static string? FindSystemLibStdCxx(string? ldLibraryPath, Architecture architecture)
    {
        var directories = new List<string>();
        if (!string.IsNullOrEmpty(ldLibraryPath))
        {
            directories.AddRange(ldLibraryPath!.Split(new[] { ':' }, StringSplitOptions.RemoveEmptyEntries));
        }

        // Debian/Ubuntu multiarch directories first, for this machine's architecture; then the Fedora/Arch ones.
        string[] multiarch = architecture == Architecture.Arm64
            ? new[] { "/lib/aarch64-linux-gnu", "/usr/lib/aarch64-linux-gnu" }
            : new[] { "/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu" };
        directories.AddRange(multiarch);
        directories.AddRange(new[] { "/lib64", "/usr/lib64", "/usr/lib", "/lib" });
        return directories.Select(d => Path.Combine(d, LibStdCxxSoName)).FirstOrDefault(File.Exists);
    }

    private static IReadOnlyList<ElfVersionNeed> ReadVersionNeeds(ElfImage elf)
    {
        var needs = new List<ElfVersionNeed>();
        var verneed = elf.FindSection(ShtGnuVerneed);
        if (verneed == null)
        {
            return needs;
        }

        var strtab = elf.LinkedSection(verneed);
        var symbolsByIndex = ReadSymbolsByVersionIndex(elf);
        long end = verneed.Offset + verneed.Size;
        // Elf64_Verneed: vn_version u16, vn_cnt u16, vn_file u32, vn_aux u32, vn_next u32 (16 bytes).
        // Elf64_Vernaux: vna_hash u32, vna_flags u16, vna_other u16, vna_name u32, vna_next u32 (16 bytes).
        long entry = verneed.Offset;
        for (long i = 0; i < MaxEntries(verneed, 16); i++)
        {
            elf.Require(entry, 16, end, ".gnu.version_r");
            ushort count = elf.U16(entry + 2);
            string file = elf.String(strtab, elf.U32(entry + 4));
            long aux = entry + elf.U32(entry + 8);
            uint next = elf.U32(entry + 12);
            for (int j = 0; j < count; j++)
            {
                elf.Require(aux, 16, end, ".gnu.version_r");
                ushort flags = elf.U16(aux + 4);
                ushort index = elf.U16(aux + 6);
                string version = elf.String(strtab, elf.U32(aux + 8));
                symbolsByIndex.TryGetValue(index, out var symbols);
                needs.Add(new ElfVersionNeed(file, version, flags, index, aux + 4, (IReadOnlyList<string>?)symbols ?? Array.Empty<string>()));
                uint auxNext = elf.U32(aux + 12);
                if (auxNext == 0)
                {
                    break;
                }

                aux += auxNext;
            }

            if (next == 0)
            {
                break;
            }

            entry += next;
        }

        return needs;
    }

    /// <summary>Groups dynamic symbol names by their <c>.gnu.version</c> index (hidden bit 0x8000 cleared).</summary>
    private static Dictionary<ushort, List<string>> ReadSymbolsByVersionIndex(ElfImage elf)
    {
        var result = new Dictionary<ushort, List<string>>();
        var versym = elf.FindSection(ShtGnuVersym);
        var dynsym = elf.FindSection(ShtDynSym);
        if (versym == null || dynsym == null)
        {
            return result;
        }

        var strtab = elf.LinkedSection(dynsym);
        // Elf64_Sym: st_name u32, st_info u8, st_other u8, st_shndx u16, st_value u64, st_size u64 (24 bytes);
        // .gnu.version holds one u16 per .dynsym entry, in the same order.
        long count = Math.Min(dynsym.Size / 24, versym.Size / 2);
        elf.Require(dynsym.Offset, count * 24, elf.Length, ".dynsym");
        elf.Require(versym.Offset, count * 2, elf.Length, ".gnu.version");
        for (long i = 1; i < count; i++)
        {
            ushort index = (ushort)(elf.U16(versym.Offset + (i * 2)) & 0x7fff);
            if (index <= 1)
            {
                continue; // 0: local, 1: global without a version.
            }

            if (!result.TryGetValue(index, out var names))
            {
                names = new List<string>();
                result.Add(index, names);
            }

            names.Add(elf.String(strtab, elf.U32(dynsym.Offset + (i * 24))));
        }

        return result;
    }

    private static long MaxEntries(ElfSection section, int entrySize) =>
        section.Info != 0 ? section.Info : Math.Max(1, section.Size / entrySize);

    private sealed class ElfSection
    {
        public ElfSection(uint type, long offset, long size, uint link, uint info)
        {
            Type = type;
            Offset = offset;
            Size = size;
            Link = link;
            Info = info;
        }

        public uint Type { get; }

        public long Offset { get; }

        public long Size { get; }

        public uint Link { get; }

        public uint Info { get; }
    }

    /// <summary>A whole ELF64 little-endian file in memory, with bounds-checked reads whose errors name the file.</summary>
    private sealed class ElfImage
    {
        private readonly byte[] _bytes;
        private readonly string _path;
        private readonly List<ElfSection> _sections;

        private ElfImage(byte[] bytes, string path)
        {
            _bytes = bytes;
            _path = path;
            _sections = ReadSectionHeaders();
        }

        public long Length => _bytes.LongLength;

        public static ElfImage Load(string path)
        {
            if (path == null)
            {
                throw new ArgumentNullException(nameof(path));
            }

            byte[] bytes = File.ReadAllBytes(path);
            // e_ident: 0x7f 'E' 'L' 'F', EI_CLASS (2 = ELFCLASS64), EI_DATA (1 = ELFDATA2LSB) (gABI, "ELF Identification").
            if (bytes.Length < 64 || bytes[0] != 0x7f || bytes[1] != (byte)'E' || bytes[2] != (byte)'L' || bytes[3] != (byte)'F')
            {
                throw new InvalidDataException($"'{path}' is not an ELF file.");
            }

            if (bytes[4] != 2)
            {
                throw new InvalidDataException($"'{path}' is not a 64-bit ELF file (EI_CLASS {bytes[4]}); only ELF64 is supported.");
            }

            if (bytes[5] != 1)
            {
                throw new InvalidDataException($"'{path}' is not a little-endian ELF file (EI_DATA {bytes[5]}); only little-endian is supported.");
            }

            return new ElfImage(bytes, path);
        }

        public ElfSection? FindSection(uint type) => _sections.FirstOrDefault(s => s.Type == type);

        public ElfSection LinkedSection(ElfSection section)
        {
            if (section.Link == 0 || section.Link >= _sections.Count)
            {
                throw new InvalidDataException($"'{_path}': section of type 0x{section.Type:x} links to section {section.Link}, which does not exist.");
            }

            return _sections[(int)section.Link];
        }

        public void Require(long offset, long length, long end, string what)
        {
            if (offset < 0 || length < 0 || offset + length > end || end > _bytes.LongLength)
            {
                throw new InvalidDataException($"'{_path}' is truncated or corrupt: {what} reaches past its end (offset 0x{offset:x}, {length} bytes).");
            }
        }

        public ushort U16(long offset)
        {
            Require(offset, 2, _bytes.LongLength, "a field");
            return (ushort)(_bytes[offset] | (_bytes[offset + 1] << 8));
        }

        public uint U32(long offset)
        {
            Require(offset, 4, _bytes.LongLength, "a field");
            return (uint)(_bytes[offset] | (_bytes[offset + 1] << 8) | (_bytes[offset + 2] << 16) | (_bytes[offset + 3] << 24));
        }

        public long U64AsLong(long offset)
        {
            ulong value = U32(offset) | ((ulong)U32(offset + 4) << 32);
            if (value > long.MaxValue)
            {
                throw new InvalidDataException($"'{_path}' is corrupt: value 0x{value:x} at offset 0x{offset:x} is out of range.");
            }

            return (long)value;
        }

        /// <summary>Reads a NUL-terminated string at <paramref name="index"/> of a string table.</summary>
        public string String(ElfSection strtab, uint index)
        {
            long start = strtab.Offset + index;
            long end = strtab.Offset + strtab.Size;
            Require(start, 1, Math.Min(end, _bytes.LongLength), "a string table");
            long stop = start;
            while (stop < end && stop < _bytes.LongLength && _bytes[stop] != 0)
            {
                stop++;
            }

            return Encoding.UTF8.GetString(_bytes, (int)start, (int)(stop - start));
        }

        private List<ElfSection> ReadSectionHeaders()
        {
            // Elf64_Ehdr: e_shoff u64 at 0x28, e_shentsize u16 at 0x3a, e_shnum u16 at 0x3c (gABI, "ELF Header").
            long shoff = U64AsLong(0x28);
            int shentsize = U16(0x3a);
            long shnum = U16(0x3c);
            if (shoff == 0)
            {
                throw new InvalidDataException($"'{_path}' has no section headers, so its symbol versions cannot be read.");
            }

            if (shentsize < 64)
            {
                throw new InvalidDataException($"'{_path}' is corrupt: section header size {shentsize} is smaller than Elf64_Shdr (64).");
            }

            Require(shoff, shentsize, _bytes.LongLength, "the section header table");
            if (shnum == 0)
            {
                // Extended numbering: the real count is sh_size of section 0 (gABI, "Sections").
                shnum = U64AsLong(shoff + 32);
            }

            Require(shoff, shnum * shentsize, _bytes.LongLength, "the section header table");
            var sections = new List<ElfSection>((int)Math.Min(shnum, 65536));
            for (long i = 0; i < shnum; i++)
            {
                // Elf64_Shdr: sh_name u32, sh_type u32, sh_flags u64, sh_addr u64, sh_offset u64, sh_size u64,
                // sh_link u32, sh_info u32, sh_addralign u64, sh_entsize u64.
                long header = shoff + (i * shentsize);
                var section = new ElfSection(U32(header + 4), U64AsLong(header + 24), U64AsLong(header + 32), U32(header + 40), U32(header + 44));
                // SHT_NOBITS (8) occupies no file space; every section this class reads must lie inside the file.
                if (section.Type != 8 && section.Type != 0)
                {
                    Require(section.Offset, section.Size, _bytes.LongLength, $"section {i}");
                }

                sections.Add(section);
            }

            return sections;
        }
    }
}

#if !MLNETTRANSFER_PATCHER_NO_MSBUILD
/// <summary>
/// MSBuild task: weakens the GLIBCXX version needs of copied <c>libLibTorchSharp.so</c> files that the build machine's
/// libstdc++ lacks, when only known-safe symbols depend on them (see <see cref="ElfVersionNeedPatcher"/>).
/// </summary>
public sealed class PatchLibTorchSharpGlibcxx : Task
{
    /// <summary>The copies of libLibTorchSharp.so to check, in an output or publish directory; missing files are skipped.</summary>
    [Required]
    public ITaskItem[] Libraries { get; set; } = Array.Empty<ITaskItem>();

    /// <summary>The libstdc++.so.6 to compare against; empty means search like <see cref="ElfVersionNeedPatcher.FindSystemLibStdCxx()"/>.</summary>
    public string? SystemLibStdCxx { get; set; }

    /// <summary>The libraries this run changed.</summary>
    [Output]
    public ITaskItem[] PatchedLibraries { get; private set; } = Array.Empty<ITaskItem>();

    /// <inheritdoc/>
    public override bool Execute()
    {
        var libraries = Libraries.Select(l => l.GetMetadata("FullPath")).Where(File.Exists).Distinct(StringComparer.Ordinal).ToList();
        if (libraries.Count == 0)
        {
            return true;
        }

        if (!RuntimeInformation.IsOSPlatform(OSPlatform.Linux))
        {
            Log.LogMessage(MessageImportance.Low, "MLNetTransfer: not on Linux; libLibTorchSharp.so is left as it is.");
            return true;
        }

        string? libStdCxx = string.IsNullOrEmpty(SystemLibStdCxx) ? ElfVersionNeedPatcher.FindSystemLibStdCxx() : SystemLibStdCxx;
        if (libStdCxx == null || !File.Exists(libStdCxx))
        {
            Log.LogMessage(MessageImportance.Normal, "MLNetTransfer: no system libstdc++.so.6 found; libLibTorchSharp.so is left as it is.");
            return true;
        }

        IReadOnlyCollection<string> defined;
        try
        {
            defined = ElfVersionNeedPatcher.ReadDefinedVersions(libStdCxx);
        }
        catch (Exception e) when (e is InvalidDataException || e is IOException || e is UnauthorizedAccessException)
        {
            Log.LogWarning(null, "MLNT0001", null, libStdCxx, 0, 0, 0, 0, "MLNetTransfer: cannot read the versions libstdc++ defines, so libLibTorchSharp.so is left as it is: {0}", e.Message);
            return true;
        }

        var patched = new List<ITaskItem>();
        foreach (string library in libraries)
        {
            try
            {
                var plan = ElfVersionNeedPatcher.Patch(library, defined);
                foreach (string warning in plan.Warnings)
                {
                    Log.LogWarning(null, "MLNT0002", null, library, 0, 0, 0, 0, "MLNetTransfer: {0}", warning);
                }

                if (plan.ToWeaken.Count > 0)
                {
                    patched.Add(new TaskItem(library));
                    foreach (var need in plan.ToWeaken)
                    {
                        Log.LogMessage(
                            MessageImportance.High,
                            "MLNetTransfer: marked {0} {1} weak in {2}, because {3} does not define it and only {4} is bound to it, which nothing calls (set MLNetTransferPatchLibTorchSharp=false to opt out).",
                            need.File,
                            need.Version,
                            library,
                            libStdCxx,
                            string.Join(", ", need.Symbols.DefaultIfEmpty("no symbol")));
                    }
                }
            }
            catch (Exception e) when (e is InvalidDataException || e is IOException || e is UnauthorizedAccessException)
            {
                Log.LogWarning(null, "MLNT0003", null, library, 0, 0, 0, 0, "MLNetTransfer: cannot patch libLibTorchSharp.so: {0}", e.Message);
            }
        }

        PatchedLibraries = patched.ToArray();
        return !Log.HasLoggedErrors;
    }
}
#endif
