using System;

namespace MLNetTransfer.Dicom;

/// <summary>
/// A Modality or VOI LUT item (PS3.3 C.11.1, C.11.2): LUT Descriptor (0028,3002) = entries (0 means 65536), first
/// stored value mapped, bits per entry; LUT Data (0028,3006) = the entries.
/// </summary>
internal sealed class DicomLut
{
    public DicomLut(int entries, int firstMapped, int bits, ushort[] data)
    {
        Entries = entries == 0 ? 65536 : entries;
        FirstMapped = firstMapped;
        Bits = bits;
        if (data.Length < Entries)
        {
            throw new ArgumentException($"LUT Data holds {data.Length} entries; its LUT Descriptor says {Entries}.", nameof(data));
        }

        // pydicom (pixel_data_handlers/util.py) reads the entries as uint<bits>: 8-bit entries keep the low byte of each word.
        Data = new double[Entries];
        for (int i = 0; i < Entries; i++)
        {
            Data[i] = bits <= 8 ? data[i] & 0xFF : data[i];
        }
    }

    /// <summary>Number of entries (LUT Descriptor value 1; 0 there means 65536).</summary>
    public int Entries { get; }

    /// <summary>The first stored value mapped (LUT Descriptor value 2); values below it map to the first entry.</summary>
    public int FirstMapped { get; }

    /// <summary>Bits per entry (LUT Descriptor value 3): the output range is [0, 2^Bits - 1].</summary>
    public int Bits { get; }

    /// <summary>The entries.</summary>
    public double[] Data { get; }

    /// <summary>The largest value an entry can hold.</summary>
    public double MaxOutput => Math.Pow(2, Bits) - 1;

    /// <summary>
    /// The entry for <paramref name="value"/>: values below <see cref="FirstMapped"/> take the first, values past the end
    /// the last (PS3.3 C.11.2.1.1). A fractional input (after a rescale) is truncated toward the entry below it.
    /// </summary>
    public double Map(double value)
    {
        double index = Math.Floor(value) - FirstMapped;
        return Data[index <= 0 ? 0 : index >= Entries - 1 ? Entries - 1 : (int)index];
    }
}
