using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Linq;

namespace MLNetTransfer.Tests.Shared.Fuzzing;

/// <summary>
/// Seeded mutations of a valid file, after the byte-level strategies of AFL's havoc stage (bit flips, "interesting"
/// values, block deletion and duplication; see AFL's docs/technical_details.txt) plus truncation, and for zip archives
/// one entry mutated and the archive written again (stored, not deflated: cheaper, and as valid), so that the zip's own checks pass and the reader behind them is
/// reached. Every choice comes from the <see cref="Random"/> it is given: one seed gives one file, so a failure replays.
/// </summary>
internal static class ByteMutator
{
    // Boundary values as AFL's "interesting" 8/16/32-bit lists (0, -1, 0x7F, 0x80, 0xFF, 0x7FFF, 0x7FFFFFFF, ...):
    // lengths, counts and sizes read from a file meet them at their edges.
    private static readonly byte[][] Interesting =
    {
        new byte[] { 0x00 },
        new byte[] { 0xFF },
        new byte[] { 0x7F },
        new byte[] { 0x80 },
        new byte[] { 0x01 },
        new byte[] { 0xFF, 0xFF },
        new byte[] { 0xFF, 0x7F },
        new byte[] { 0x00, 0x80 },
        new byte[] { 0xFF, 0xFF, 0xFF, 0x7F },
        new byte[] { 0x7F, 0xFF, 0xFF, 0xFF },
        new byte[] { 0x00, 0x00, 0x00, 0x80 },
        new byte[] { 0xFF, 0xFF, 0xFF, 0xFF },
        new byte[] { 0x00, 0x00, 0x00, 0x00 },
        new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F },
        new byte[] { 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x80 },
    };

    /// <summary>One to three stacked mutations of <paramref name="seed"/>; <paramref name="what"/> says which, for the failure report.</summary>
    public static byte[] Mutate(byte[] seed, Random random, out string what)
    {
        byte[] data = seed;
        var steps = new List<string>();
        int count = 1 + random.Next(3);
        for (int i = 0; i < count; i++)
        {
            steps.Add(MutateOnce(ref data, random));
        }

        what = string.Join("; ", steps);
        return data == seed ? (byte[])seed.Clone() : data;
    }

    /// <summary>
    /// A zip archive with one entry's bytes mutated (<see cref="Mutate"/>) and the archive written again with valid
    /// CRCs and lengths; entries at or over <paramref name="largeEntryBytes"/> are chosen only one time in eight,
    /// and then only their first 4 KiB is mutated, so that a case stays cheap.
    /// </summary>
    public static byte[] MutateZipEntry(byte[] zipBytes, Random random, out string what, long largeEntryBytes = 1 << 20) =>
        MutateZipEntry(Entries(zipBytes), random, out what, largeEntryBytes);

    /// <summary>A zip archive's entries, read once so that each case of a large archive does not inflate it again.</summary>
    public static IReadOnlyList<(string Name, byte[] Data)> Entries(byte[] zipBytes)
    {
        var entries = new List<(string Name, byte[] Data)>();
        using var source = new ZipArchive(new MemoryStream(zipBytes, writable: false), ZipArchiveMode.Read);
        foreach (var entry in source.Entries)
        {
            using var stream = entry.Open();
            var copy = new MemoryStream();
            stream.CopyTo(copy);
            entries.Add((entry.FullName, copy.ToArray()));
        }

        return entries;
    }

    /// <inheritdoc cref="MutateZipEntry(byte[], Random, out string, long)"/>
    public static byte[] MutateZipEntry(IReadOnlyList<(string Name, byte[] Data)> original, Random random, out string what, long largeEntryBytes = 1 << 20)
    {
        var entries = original.ToList();
        var small = Enumerable.Range(0, entries.Count).Where(i => entries[i].Data.Length < largeEntryBytes).ToList();
        int index = small.Count == 0 || random.Next(8) == 0 ? random.Next(entries.Count) : small[random.Next(small.Count)];
        var (name, bytes) = entries[index];
        byte[] mutated;
        string how;
        if (bytes.Length >= largeEntryBytes)
        {
            var head = Mutate(bytes[..4096], random, out how);
            mutated = head.Concat(bytes[4096..]).ToArray();
        }
        else
        {
            mutated = Mutate(bytes, random, out how);
        }

        entries[index] = (name, mutated);
        var target = new MemoryStream();
        using (var zip = new ZipArchive(target, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (entryName, data) in entries)
            {
                using var stream = zip.CreateEntry(entryName, CompressionLevel.NoCompression).Open();
                stream.Write(data);
            }
        }

        what = $"entry '{name}' ({bytes.Length} bytes): {how}";
        return target.ToArray();
    }

    // Arrays, not a List<byte>: a model.zip seed is tens of MiB. The seed itself is never written to.
    private static string MutateOnce(ref byte[] data, Random random)
    {
        if (data.Length == 0)
        {
            data = new[] { (byte)random.Next(256) };
            return "insert a byte into an empty file";
        }

        int at = random.Next(data.Length);
        switch (random.Next(7))
        {
            case 0:
            {
                int bit = random.Next(8);
                data = (byte[])data.Clone();
                data[at] ^= (byte)(1 << bit);
                return $"flip bit {bit} at {at}";
            }

            case 1:
            {
                var value = Interesting[random.Next(Interesting.Length)];
                data = (byte[])data.Clone();
                value.AsSpan(0, Math.Min(value.Length, data.Length - at)).CopyTo(data.AsSpan(at));
                return $"write {Convert.ToHexString(value)} at {at}";
            }

            case 2:
            {
                byte value = (byte)random.Next(256);
                data = (byte[])data.Clone();
                data[at] = value;
                return $"write {value:X2} at {at}";
            }

            case 3:
            {
                int length = random.Next(data.Length + 1);
                data = data[..length];
                return $"truncate to {length}";
            }

            case 4:
            {
                int length = Math.Min(1 + random.Next(64), data.Length - at);
                data = [.. data.AsSpan(0, at), .. data.AsSpan(at + length)];
                return $"delete {length} at {at}";
            }

            case 5:
            {
                int length = Math.Min(1 + random.Next(64), data.Length - at);
                byte[] chunk = data[at..(at + length)];
                int to = random.Next(data.Length + 1);
                data = [.. data.AsSpan(0, to), .. chunk, .. data.AsSpan(to)];
                return $"duplicate {length} from {at} to {to}";
            }

            default:
            {
                // Several random bytes at once, as havoc's random-byte runs.
                int length = Math.Min(1 + random.Next(8), data.Length - at);
                data = (byte[])data.Clone();
                for (int i = 0; i < length; i++)
                {
                    data[at + i] = (byte)random.Next(256);
                }

                return $"randomise {length} at {at}";
            }
        }
    }
}
