using System;
using System.Buffers.Binary;
using System.IO;
using System.IO.Compression;

namespace MLNetTransfer.Torch.Data;

/// <summary>
/// Reads a PNG's header, and decodes 16-bit PNGs in managed code, keeping all 16 bits.
/// </summary>
/// <remarks>
/// SkiaSharp 2.88's PNG codec cannot return 16-bit samples: asked for <c>Rgba16161616</c> or <c>RgbaF32</c> it answers
/// <c>InvalidConversion</c>; asked for <c>RgbaF16</c> it reduces 16-bit gray to 8 bits first (1000/65535 comes back
/// as 771/65535, that is 3/255) and stores 16-bit RGB in half floats (about 11 significant bits). Measured with
/// SkiaSharp 2.88.9 on Linux x64. A 16-bit radiograph would lose its low byte, so 16-bit files are read here
/// instead. Follows the PNG specification (W3C, second edition): chunk layout and CRC (section 5), IHDR (11.2.2),
/// zlib-compressed IDAT stream (10), the five filter types with Paeth (9.2, 9.4) and Adam7 interlacing (8.2).
/// </remarks>
internal static class PngReader
{
    private static readonly byte[] _signature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    // Adam7 passes: first column, first row, column step, row step (PNG specification, section 8.2).
    private static readonly (int X0, int Y0, int Dx, int Dy)[] _adam7 =
    [
        (0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2),
    ];

    /// <summary>What IHDR says about the image.</summary>
    internal readonly record struct Header(int Width, int Height, int BitDepth, int ColorType, int Interlace)
    {
        /// <summary>Samples per pixel in the file: gray 1, gray+alpha 2, RGB 3, palette 1, RGBA 4.</summary>
        public int SamplesPerPixel => ColorType switch
        {
            0 => 1,
            2 => 3,
            3 => 1,
            4 => 2,
            6 => 4,
            _ => 0,
        };

        /// <summary>Channels once alpha is dropped: 1 for gray and gray+alpha, 3 for RGB, RGBA and palette.</summary>
        public int OutputChannels => ColorType is 0 or 4 ? 1 : 3;
    }

    /// <summary>True if <paramref name="data"/> starts with the PNG signature.</summary>
    public static bool HasSignature(ReadOnlySpan<byte> data) => data.StartsWith(_signature);

    /// <summary>Reads and checks the IHDR chunk, which must come first.</summary>
    /// <exception cref="InvalidDataException">The header is missing, truncated or invalid.</exception>
    public static Header ReadHeader(ReadOnlySpan<byte> png, string displayName)
    {
        if (!HasSignature(png))
        {
            throw Corrupt(displayName, "it does not start with the PNG signature");
        }

        // Signature (8), length (4), "IHDR" (4), 13 bytes of data, CRC (4).
        if (png.Length < 33)
        {
            throw Corrupt(displayName, "the file ends inside the IHDR header (truncated)");
        }

        if (BinaryPrimitives.ReadUInt32BigEndian(png.Slice(8)) != 13 || !png.Slice(12, 4).SequenceEqual("IHDR"u8))
        {
            throw Corrupt(displayName, "the first chunk is not a 13-byte IHDR");
        }

        ReadOnlySpan<byte> ihdr = png.Slice(16, 13);
        if (Crc32.Compute(png.Slice(12, 4), ihdr) != BinaryPrimitives.ReadUInt32BigEndian(png.Slice(29)))
        {
            throw Corrupt(displayName, "the IHDR chunk fails its CRC check");
        }

        uint width = BinaryPrimitives.ReadUInt32BigEndian(ihdr);
        uint height = BinaryPrimitives.ReadUInt32BigEndian(ihdr.Slice(4));
        var header = new Header((int)Math.Min(width, int.MaxValue), (int)Math.Min(height, int.MaxValue), ihdr[8], ihdr[9], ihdr[12]);
        bool depthValid = header.ColorType switch
        {
            0 => header.BitDepth is 1 or 2 or 4 or 8 or 16,
            3 => header.BitDepth is 1 or 2 or 4 or 8,
            2 or 4 or 6 => header.BitDepth is 8 or 16,
            _ => false,
        };
        if (width == 0 || height == 0 || width > int.MaxValue || height > int.MaxValue)
        {
            throw Corrupt(displayName, $"IHDR gives an invalid size {width}x{height}");
        }

        if (!depthValid || ihdr[10] != 0 || ihdr[11] != 0 || header.Interlace > 1)
        {
            throw Corrupt(
                displayName,
                $"IHDR has an invalid combination: colour type {header.ColorType}, bit depth {header.BitDepth}, " +
                $"compression {ihdr[10]}, filter {ihdr[11]}, interlace {header.Interlace}");
        }

        return header;
    }

    /// <summary>Decodes a 16-bit PNG (gray, gray+alpha, RGB or RGBA; alpha dropped) to values / 65535.</summary>
    /// <exception cref="InvalidDataException">The file is corrupt or truncated; the message names it.</exception>
    public static DecodedImage Decode16(ReadOnlySpan<byte> png, string displayName)
    {
        Header header = ReadHeader(png, displayName);
        if (header.BitDepth != 16)
        {
            throw new InvalidOperationException($"'{displayName}' is a {header.BitDepth}-bit PNG; this reader handles 16-bit files.");
        }

        int samples = header.SamplesPerPixel;
        int channels = header.OutputChannels;
        long pixelCount = (long)header.Width * header.Height;
        if (pixelCount * channels > Array.MaxLength || (long)header.Width * samples * 2 + 1 > Array.MaxLength)
        {
            throw Corrupt(displayName, $"a {header.Width}x{header.Height} image is too large to hold in memory");
        }

        byte[] compressed = CollectImageData(png, displayName);
        long expected = InflatedLength(header, samples * 2);
        if (expected > Array.MaxLength)
        {
            throw Corrupt(displayName, $"a {header.Width}x{header.Height} image is too large to hold in memory");
        }

        byte[] raw = Inflate(compressed, (int)expected, displayName);
        var pixels = new float[pixelCount * channels];
        int bytesPerPixel = samples * 2;
        int offset = 0;
        if (header.Interlace == 0)
        {
            Unfilter(raw, ref offset, header.Width, header.Height, bytesPerPixel, displayName,
                (x, y, row, at) => Store(row, at, pixels, y * header.Width + x, pixelCount, channels));
        }
        else
        {
            foreach (var (x0, y0, dx, dy) in _adam7)
            {
                int passWidth = (header.Width - x0 + dx - 1) / dx;
                int passHeight = (header.Height - y0 + dy - 1) / dy;
                if (passWidth <= 0 || passHeight <= 0)
                {
                    continue;
                }

                Unfilter(raw, ref offset, passWidth, passHeight, bytesPerPixel, displayName,
                    (x, y, row, at) => Store(row, at, pixels, (y0 + y * dy) * (long)header.Width + x0 + x * dx, pixelCount, channels));
            }
        }

        return new DecodedImage(pixels, header.Width, header.Height, channels, 16);
    }

    private delegate void PixelSink(int x, int y, byte[] row, int at);

    // Writes one pixel's color samples (big-endian 16-bit) into the CHW planes; a following alpha sample is skipped.
    private static void Store(byte[] row, int at, float[] pixels, long pixel, long planeSize, int channels)
    {
        for (int c = 0; c < channels; c++)
        {
            int value = (row[at + 2 * c] << 8) | row[at + 2 * c + 1];
            pixels[c * planeSize + pixel] = value / 65535f;
        }
    }

    // Concatenates the IDAT chunks, checking every chunk's CRC, and requires IEND so a cut file is reported as such.
    private static byte[] CollectImageData(ReadOnlySpan<byte> png, string displayName)
    {
        using var idat = new MemoryStream();
        int position = _signature.Length;
        bool seenIdat = false;
        bool idatEnded = false;
        while (true)
        {
            if (png.Length - position < 12)
            {
                throw Corrupt(displayName, "the file ends before the IEND chunk (truncated)");
            }

            uint length = BinaryPrimitives.ReadUInt32BigEndian(png.Slice(position));
            ReadOnlySpan<byte> type = png.Slice(position + 4, 4);
            if (length > int.MaxValue || length > (uint)(png.Length - position - 12))
            {
                throw Corrupt(displayName, $"chunk '{ChunkName(type)}' claims {length} bytes but the file ends first (truncated)");
            }

            ReadOnlySpan<byte> data = png.Slice(position + 8, (int)length);
            uint crc = BinaryPrimitives.ReadUInt32BigEndian(png.Slice(position + 8 + (int)length));
            if (Crc32.Compute(type, data) != crc)
            {
                throw Corrupt(displayName, $"chunk '{ChunkName(type)}' fails its CRC check");
            }

            position += 12 + (int)length;
            if (type.SequenceEqual("IDAT"u8))
            {
                if (idatEnded)
                {
                    throw Corrupt(displayName, "the IDAT chunks are not consecutive");
                }

                seenIdat = true;
                idat.Write(data);
            }
            else if (seenIdat)
            {
                idatEnded = true;
            }

            if (type.SequenceEqual("IEND"u8))
            {
                break;
            }
        }

        if (!seenIdat)
        {
            throw Corrupt(displayName, "it has no IDAT (image data) chunk");
        }

        return idat.ToArray();
    }

    private static long InflatedLength(Header header, int bytesPerPixel)
    {
        if (header.Interlace == 0)
        {
            return (long)header.Height * (1 + (long)header.Width * bytesPerPixel);
        }

        long total = 0;
        foreach (var (x0, y0, dx, dy) in _adam7)
        {
            long passWidth = (header.Width - x0 + dx - 1) / dx;
            long passHeight = (header.Height - y0 + dy - 1) / dy;
            if (passWidth > 0 && passHeight > 0)
            {
                total += passHeight * (1 + passWidth * bytesPerPixel);
            }
        }

        return total;
    }

    private static byte[] Inflate(byte[] compressed, int expected, string displayName)
    {
        var raw = new byte[expected];
        using var zlib = new ZLibStream(new MemoryStream(compressed, writable: false), CompressionMode.Decompress);
        int read = 0;
        while (read < expected)
        {
            int n;
            try
            {
                n = zlib.Read(raw, read, expected - read);
            }
            catch (InvalidDataException e)
            {
                throw new InvalidDataException($"'{displayName}' is not a valid PNG: its zlib image data is corrupt ({e.Message}).", e);
            }

            if (n == 0)
            {
                throw Corrupt(displayName, $"the image data inflates to {read} bytes, fewer than the {expected} its header needs (truncated)");
            }

            read += n;
        }

        return raw;
    }

    // Reverses the per-row filters (PNG specification, section 9) of one (sub)image and hands each pixel to the sink.
    private static void Unfilter(byte[] raw, ref int offset, int width, int height, int bytesPerPixel, string displayName, PixelSink sink)
    {
        int rowBytes = width * bytesPerPixel;
        var previous = new byte[rowBytes];
        var current = new byte[rowBytes];
        for (int y = 0; y < height; y++)
        {
            byte filter = raw[offset];
            Array.Copy(raw, offset + 1, current, 0, rowBytes);
            offset += 1 + rowBytes;
            switch (filter)
            {
                case 0:
                    break;
                case 1:
                    for (int i = bytesPerPixel; i < rowBytes; i++)
                    {
                        current[i] += current[i - bytesPerPixel];
                    }

                    break;
                case 2:
                    for (int i = 0; i < rowBytes; i++)
                    {
                        current[i] += previous[i];
                    }

                    break;
                case 3:
                    for (int i = 0; i < rowBytes; i++)
                    {
                        int left = i >= bytesPerPixel ? current[i - bytesPerPixel] : 0;
                        current[i] += (byte)((left + previous[i]) >> 1);
                    }

                    break;
                case 4:
                    for (int i = 0; i < rowBytes; i++)
                    {
                        int a = i >= bytesPerPixel ? current[i - bytesPerPixel] : 0;
                        int c = i >= bytesPerPixel ? previous[i - bytesPerPixel] : 0;
                        current[i] += Paeth(a, previous[i], c);
                    }

                    break;
                default:
                    throw Corrupt(displayName, $"row {y} has the unknown filter type {filter}");
            }

            for (int x = 0; x < width; x++)
            {
                sink(x, y, current, x * bytesPerPixel);
            }

            (previous, current) = (current, previous);
        }
    }

    private static byte Paeth(int a, int b, int c)
    {
        int p = a + b - c;
        int pa = Math.Abs(p - a);
        int pb = Math.Abs(p - b);
        int pc = Math.Abs(p - c);
        return (byte)(pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
    }

    private static string ChunkName(ReadOnlySpan<byte> type)
    {
        Span<char> name = stackalloc char[4];
        for (int i = 0; i < 4; i++)
        {
            name[i] = type[i] is >= 0x20 and < 0x7F ? (char)type[i] : '?';
        }

        return new string(name);
    }

    private static InvalidDataException Corrupt(string displayName, string why) =>
        new($"'{displayName}' is not a valid PNG: {why}.");
}
