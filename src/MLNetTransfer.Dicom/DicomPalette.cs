using System;

namespace MLNetTransfer.Dicom;

/// <summary>
/// The Red, Green and Blue Palette Color Lookup Tables of a PALETTE COLOR file (PS3.3 C.7.6.3.1.5), applied as pydicom's
/// <c>apply_color_lut</c> does (pixel_data_handlers/util.py): the entry width comes from the data's length (1 or 2
/// bytes per entry), stored values below the first mapped value take the first entry and values past the end the last.
/// </summary>
internal sealed class DicomPalette
{
    private readonly double[][] _tables;

    /// <param name="redDescriptor">Red Palette Color LUT Descriptor (0028,1101): entries (0 means 65536), first mapped, bits.</param>
    /// <param name="data">Red, Green and Blue LUT Data (0028,1201-1203), little-endian.</param>
    public DicomPalette(ushort[] redDescriptor, byte[][] data)
    {
        Entries = redDescriptor[0] == 0 ? 65536 : redDescriptor[0];
        FirstMapped = redDescriptor[1];
        Bits = redDescriptor[2];
        _tables = new double[3][];
        for (int c = 0; c < 3; c++)
        {
            int width = data[c].Length / Entries;
            if (width is not (1 or 2) || data[c].Length % Entries != 0)
            {
                throw new ArgumentException($"{data[c].Length} bytes of LUT data do not hold {Entries} entries of 8 or 16 bits.", nameof(data));
            }

            _tables[c] = new double[Entries];
            for (int i = 0; i < Entries; i++)
            {
                _tables[c][i] = width == 1 ? data[c][i] : data[c][2 * i] | (data[c][(2 * i) + 1] << 8);
            }
        }
    }

    /// <summary>Entries per table.</summary>
    public int Entries { get; }

    /// <summary>The first stored value mapped.</summary>
    public int FirstMapped { get; }

    /// <summary>Bits per entry (the descriptor's third value): the output range is [0, 2^Bits - 1].</summary>
    public int Bits { get; }

    /// <summary>Maps one plane of stored values to three planes (R, G, B), channel-major.</summary>
    public double[] Apply(double[] stored)
    {
        int pixels = stored.Length;
        var rgb = new double[pixels * 3];
        for (int p = 0; p < pixels; p++)
        {
            double index = stored[p] - FirstMapped;
            int i = index <= 0 ? 0 : index >= Entries - 1 ? Entries - 1 : (int)index;
            for (int c = 0; c < 3; c++)
            {
                rgb[(c * pixels) + p] = _tables[c][i];
            }
        }

        return rgb;
    }
}
