using System;
using System.Buffers.Binary;
using System.IO;
using System.IO.Compression;
using System.Text;

namespace MLNetTransfer.Torch.Tests.Data;

/// <summary>
/// A small PNG encoder for tests: any colour type at 8 or 16 bits, palettes, Adam7 interlacing, and a different
/// filter type on each row (row y uses filter y mod 5), so a decoder's unfiltering is exercised. Encoders at hand
/// (SkiaSharp, PIL) cannot write 16-bit RGB or interlaced files, hence this one. PNG specification (W3C, 2nd ed.).
/// </summary>
internal static class PngTestWriter
{
    private static readonly (int X0, int Y0, int Dx, int Dy)[] _adam7 =
    [
        (0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2),
    ];

    /// <summary>Samples per pixel of a colour type: gray 1, RGB 3, palette 1, gray+alpha 2, RGBA 4.</summary>
    public static int SamplesPerPixel(int colorType) => colorType switch
    {
        0 => 1,
        2 => 3,
        3 => 1,
        4 => 2,
        6 => 4,
        _ => throw new ArgumentOutOfRangeException(nameof(colorType)),
    };

    /// <summary>
    /// Encodes row-major interleaved <paramref name="samples"/> (each below 2^<paramref name="bitDepth"/>).
    /// <paramref name="palette"/> holds RGB triples for colour type 3.
    /// </summary>
    public static byte[] Write(int width, int height, int colorType, int bitDepth, int[] samples, bool interlace = false, byte[]? palette = null)
    {
        int spp = SamplesPerPixel(colorType);
        if (samples.Length != width * height * spp || bitDepth is not (8 or 16))
        {
            throw new ArgumentException("Sample count or bit depth does not fit.");
        }

        int bytesPerSample = bitDepth / 8;
        int bpp = spp * bytesPerSample;
        using var raw = new MemoryStream();
        if (!interlace)
        {
            WriteImage(raw, width, height, bpp, (x, y) => (y * width + x) * spp, samples, bytesPerSample, spp);
        }
        else
        {
            foreach (var (x0, y0, dx, dy) in _adam7)
            {
                int pw = (width - x0 + dx - 1) / dx;
                int ph = (height - y0 + dy - 1) / dy;
                if (pw > 0 && ph > 0)
                {
                    WriteImage(raw, pw, ph, bpp, (x, y) => ((y0 + y * dy) * width + x0 + x * dx) * spp, samples, bytesPerSample, spp);
                }
            }
        }

        using var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
        {
            raw.Position = 0;
            raw.CopyTo(zlib);
        }

        using var png = new MemoryStream();
        png.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = (byte)bitDepth;
        ihdr[9] = (byte)colorType;
        ihdr[12] = (byte)(interlace ? 1 : 0);
        WriteChunk(png, "IHDR", ihdr);
        if (palette is not null)
        {
            WriteChunk(png, "PLTE", palette);
        }

        // Two IDAT chunks, to exercise concatenation.
        byte[] data = compressed.ToArray();
        int half = data.Length / 2;
        WriteChunk(png, "IDAT", data.AsSpan(0, half).ToArray());
        WriteChunk(png, "IDAT", data.AsSpan(half).ToArray());
        WriteChunk(png, "IEND", []);
        return png.ToArray();
    }

    /// <summary>The CRC-32 PNG chunks use, written here independently of the decoder's.</summary>
    public static uint Crc(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? 0xEDB88320 ^ (crc >> 1) : crc >> 1;
            }
        }

        return ~crc;
    }

    private static void WriteImage(Stream output, int width, int height, int bpp, Func<int, int, int> sampleIndex, int[] samples, int bytesPerSample, int spp)
    {
        int rowBytes = width * bpp;
        var previous = new byte[rowBytes];
        var current = new byte[rowBytes];
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                int s = sampleIndex(x, y);
                for (int k = 0; k < spp; k++)
                {
                    int v = samples[s + k];
                    int at = x * bpp + k * bytesPerSample;
                    if (bytesPerSample == 2)
                    {
                        current[at] = (byte)(v >> 8);
                        current[at + 1] = (byte)v;
                    }
                    else
                    {
                        current[at] = (byte)v;
                    }
                }
            }

            int filter = y % 5;
            output.WriteByte((byte)filter);
            for (int i = 0; i < rowBytes; i++)
            {
                int a = i >= bpp ? current[i - bpp] : 0;
                int b = previous[i];
                int c = i >= bpp ? previous[i - bpp] : 0;
                int predictor = filter switch
                {
                    0 => 0,
                    1 => a,
                    2 => b,
                    3 => (a + b) / 2,
                    _ => Paeth(a, b, c),
                };
                output.WriteByte((byte)(current[i] - predictor));
            }

            (previous, current) = (current, previous);
        }
    }

    private static int Paeth(int a, int b, int c)
    {
        int p = a + b - c;
        int pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }

    private static void WriteChunk(Stream png, string type, byte[] data)
    {
        Span<byte> header = stackalloc byte[8];
        BinaryPrimitives.WriteInt32BigEndian(header, data.Length);
        Encoding.ASCII.GetBytes(type, header.Slice(4));
        png.Write(header);
        png.Write(data);
        var crcInput = new byte[4 + data.Length];
        header.Slice(4).CopyTo(crcInput);
        data.CopyTo(crcInput, 4);
        Span<byte> crc = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crc, Crc(crcInput));
        png.Write(crc);
    }
}
