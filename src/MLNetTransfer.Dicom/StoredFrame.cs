using System;
using System.Buffers.Binary;
using System.IO;

namespace MLNetTransfer.Dicom;

/// <summary>
/// One frame's stored values as GDCM decoded them, channel-major (<c>[C, H, W]</c>) as doubles (every integer type
/// DICOM stores, 32-bit included, is exact in a double); colour converted to RGB.
/// </summary>
internal sealed class StoredFrame
{
    private StoredFrame(double[] values, int width, int height, int channels, string photometric, int bitsAllocated)
    {
        Values = values;
        Width = width;
        Height = height;
        Channels = channels;
        Photometric = photometric;
        BitsAllocated = bitsAllocated;
    }

    public double[] Values { get; }

    public int Width { get; }

    public int Height { get; }

    public int Channels { get; }

    /// <summary>The photometric interpretation of <see cref="Values"/>: the file's, or RGB after a palette or YBR conversion.</summary>
    public string Photometric { get; }

    /// <summary>Bits per sample of the decoded buffer, or the palette's entry bits after a palette.</summary>
    public int BitsAllocated { get; }

    /// <summary>
    /// Picks frame <paramref name="frame"/> out of GDCM's decoded buffer (all frames, host byte order, samples
    /// interleaved or planar as <paramref name="planar"/> says) and converts YBR_FULL / YBR_FULL_422 to RGB.
    /// </summary>
    /// <remarks>
    /// <c>swapWordHalves</c>: swap the 16-bit halves of each 32-bit sample: Debian's GDCM 3.0 byte-swaps 32-bit Explicit VR Big Endian pixel
    /// data as 16-bit words, so pydicom's rtdose_expb.dcm reads 0x0EE80013 where the file holds 0x00130EE8
    /// (PydicomParityTests). <c>signExtendFrom</c>: Bits Stored of a signed (Pixel Representation 1) image, whose
    /// samples are sign-extended from that bit: GDCM follows a JPEG 2000 codestream that calls the samples unsigned
    /// where the header says signed (J2K_pixelrep_mismatch.dcm: -2000 in 13 bits decodes as 6192), and pydicom follows
    /// the header (PS3.5 8.2.4 says the header wins). <c>palette</c>: the Palette Color LUTs of a PALETTE COLOR image.
    /// </remarks>
    public static StoredFrame Unpack(
        byte[] buffer, string path, int frame, int frames, int columns, int rows, int samples, int bitsAllocated,
        int pixelRepresentation, bool planar, string photometric, bool swapWordHalves = false, int signExtendFrom = 0,
        DicomPalette? palette = null)
    {
        if (samples is not (1 or 3))
        {
            throw new InvalidDataException($"'{path}' has {samples} samples per pixel; 1 (gray) or 3 (colour) are read.");
        }

        long pixels = (long)columns * rows;
        long perFrame = pixels * samples;
        bool subsampled = photometric == "YBR_FULL_422" && bitsAllocated == 8 && buffer.LongLength == pixels * 2 * frames;
        long needed = subsampled ? pixels * 2 * frames : bitsAllocated == 1 ? ((perFrame * frames) + 7) / 8 : perFrame * frames * (bitsAllocated / 8);
        if (bitsAllocated is not (1 or 8 or 16 or 32) || buffer.LongLength < needed)
        {
            throw new InvalidDataException(
                $"'{path}': GDCM decoded {buffer.LongLength} bytes for {frames} frame(s) of {columns}x{rows}x{samples} at {bitsAllocated} bits allocated, which cannot be read.");
        }

        var values = new double[perFrame];
        if (subsampled)
        {
            // PS3.3 C.7.6.3.1.2: YBR_FULL_422 stores Y1 Y2 Cb Cr for each horizontal pair; expanded as pydicom's numpy handler does.
            long start = frame * pixels * 2;
            for (long p = 0; p < pixels; p += 2)
            {
                long at = start + (p * 2);
                for (long k = 0; k < 2 && p + k < pixels; k++)
                {
                    values[p + k] = buffer[at + k];
                    values[pixels + p + k] = buffer[at + 2];
                    values[(2 * pixels) + p + k] = buffer[at + 3];
                }
            }
        }
        else
        {
            if (swapWordHalves && bitsAllocated == 32)
            {
                for (long i = 0; i + 3 < buffer.LongLength; i += 4)
                {
                    (buffer[i], buffer[i + 1], buffer[i + 2], buffer[i + 3]) = (buffer[i + 2], buffer[i + 3], buffer[i], buffer[i + 1]);
                }
            }

            long first = frame * perFrame;
            for (long i = 0; i < perFrame; i++)
            {
                double sample = Sample(buffer, first + i, bitsAllocated, pixelRepresentation == 1);
                // Interleaved R G B R G B ... goes to planes; planar data already is.
                long target = planar || samples == 1 ? i : ((i % samples) * pixels) + (i / samples);
                values[target] = sample;
            }
        }

        if (signExtendFrom > 0 && samples == 1)
        {
            double modulus = Math.Pow(2, signExtendFrom), half = modulus / 2;
            for (int i = 0; i < values.Length; i++)
            {
                double low = values[i] % modulus;
                low = low < 0 ? low + modulus : low;
                values[i] = low >= half ? low - modulus : low;
            }
        }

        if (palette is not null && samples == 1)
        {
            return new StoredFrame(palette.Apply(values), columns, rows, 3, "RGB", palette.Bits);
        }

        if (photometric is "YBR_FULL" or "YBR_FULL_422" && samples == 3)
        {
            YbrFullToRgb(values, pixels, Math.Pow(2, bitsAllocated) - 1);
            photometric = "RGB";
        }

        return new StoredFrame(values, columns, rows, samples, photometric, bitsAllocated);
    }

    private static double Sample(byte[] buffer, long index, int bits, bool signed) => bits switch
    {
        // PS3.5 8.1.1: with 1 bit allocated the first pixel is the least significant bit of the first byte.
        1 => (buffer[index >> 3] >> (int)(index & 7)) & 1,
        8 => signed ? (sbyte)buffer[index] : buffer[index],
        16 => signed
            ? BitConverter.IsLittleEndian ? BinaryPrimitives.ReadInt16LittleEndian(buffer.AsSpan((int)(index * 2))) : BinaryPrimitives.ReadInt16BigEndian(buffer.AsSpan((int)(index * 2)))
            : BitConverter.IsLittleEndian ? BinaryPrimitives.ReadUInt16LittleEndian(buffer.AsSpan((int)(index * 2))) : BinaryPrimitives.ReadUInt16BigEndian(buffer.AsSpan((int)(index * 2))),
        _ => signed
            ? BitConverter.IsLittleEndian ? BinaryPrimitives.ReadInt32LittleEndian(buffer.AsSpan((int)(index * 4))) : BinaryPrimitives.ReadInt32BigEndian(buffer.AsSpan((int)(index * 4)))
            : BitConverter.IsLittleEndian ? BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan((int)(index * 4))) : BinaryPrimitives.ReadUInt32BigEndian(buffer.AsSpan((int)(index * 4))),
    };

    /// <summary>
    /// YBR_FULL to RGB with pydicom's arithmetic (pixel_data_handlers/util.py, _convert_YBR_FULL_to_RGB): float32,
    /// the ITU-R BT.601 full-range matrix (PS3.3 C.7.6.3.1.2), rounded half up and clipped to the sample range.
    /// </summary>
    private static void YbrFullToRgb(double[] planes, long pixels, double max)
    {
        float half = (float)((max + 1) / 2);
        float crToR = 1.402f;
        float cbToG = (float)(-0.114 * 1.772 / 0.587);
        float crToG = (float)(-0.299 * 1.402 / 0.587);
        float cbToB = 1.772f;
        for (long p = 0; p < pixels; p++)
        {
            float y = (float)planes[p];
            float cb = (float)planes[pixels + p] - half;
            float cr = (float)planes[(2 * pixels) + p] - half;
            planes[p] = Round((y + (cb * 0f)) + (cr * crToR), max);
            planes[pixels + p] = Round((y + (cb * cbToG)) + (cr * crToG), max);
            planes[(2 * pixels) + p] = Round((y + (cb * cbToB)) + (cr * 0f), max);
        }
    }

    private static double Round(float value, double max) => Math.Clamp(MathF.Floor(value + 0.5f), 0, max);
}
