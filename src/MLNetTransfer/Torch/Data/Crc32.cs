using System;

namespace MLNetTransfer.Torch.Data;

/// <summary>
/// CRC-32 as PNG chunks use it (ISO 3309 / ITU-T V.42 polynomial 0xEDB88320, reflected, initial and final XOR
/// 0xFFFFFFFF; PNG specification, section 5.5 and annex D). System.IO.Hashing would do, but it is not referenced.
/// </summary>
internal static class Crc32
{
    private static readonly uint[] _table = CreateTable();

    /// <summary>The CRC of <paramref name="first"/> followed by <paramref name="second"/>.</summary>
    public static uint Compute(ReadOnlySpan<byte> first, ReadOnlySpan<byte> second = default)
    {
        uint crc = 0xFFFFFFFFu;
        crc = Update(crc, first);
        crc = Update(crc, second);
        return crc ^ 0xFFFFFFFFu;
    }

    private static uint Update(uint crc, ReadOnlySpan<byte> data)
    {
        foreach (byte b in data)
        {
            crc = _table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        return crc;
    }

    private static uint[] CreateTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            }

            table[n] = c;
        }

        return table;
    }
}
