using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Threading;
using MLNetTransfer.Torch.Tests.Reference;

namespace MLNetTransfer.Dicom.Tests;

/// <summary>
/// pydicom 2.3's intensities for its own test files and for the synthetic files the script writes
/// (<c>tests/reference/make_dicom_references.py</c>), read from its <c>dicom.json</c> and <c>NNN.f64</c> files. Use as
/// an xunit class fixture.
/// </summary>
/// <remarks>
/// Same scheme as the other reference fixtures (<see cref="ReferenceScript"/>): the script runs once per script version
/// into <c>$TMPDIR/mlnettransfer-refs/dicom-&lt;first 16 hex of its SHA-256&gt;</c>, with <c>$MLNETTRANSFER_PYTHON</c>
/// or Debian's <c>/usr/bin/python3</c>.
/// </remarks>
public sealed class PydicomReferences : ReferenceJsonFile
{
    /// <summary>The script, relative to the repository root.</summary>
    public const string ScriptRelativePath = "tests/reference/make_dicom_references.py";

    private const string InstallHint =
        "The DICOM references need Python with pydicom: on Debian/Ubuntu run 'apt-get install -y python3-pydicom' " +
        "(scripts/setup.sh does), or point MLNETTRANSFER_PYTHON at an interpreter that has it.";

    private static readonly Lazy<string> _directory = new(
        () => ReferenceScript.Run(ScriptRelativePath, "dicom-", InstallHint, TimeSpan.FromMinutes(2)), LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Generates the files on first use (in this process), then reuses them.</summary>
    public PydicomReferences()
        : base(JsonDocument.Parse(File.ReadAllBytes(Path.Combine(_directory.Value, "dicom.json"))), "dicom.json")
    {
        Directory = _directory.Value;
    }

    /// <summary>The folder the script wrote (its synthetic DICOM files are under <c>synthetic/</c>).</summary>
    public string Directory { get; }

    /// <summary>Every case, in the script's order.</summary>
    public IReadOnlyList<Case> All => Cases("cases").Select(c => new Case(c, Directory)).ToList();

    /// <summary>The files the script skipped, with its reasons.</summary>
    public IReadOnlyList<(string Name, string Reason)> Skipped =>
        Root.GetProperty("skipped").EnumerateArray().Select(s => (s.GetProperty("name").GetString()!, s.GetProperty("reason").GetString()!)).ToList();

    /// <summary>The case named <paramref name="name"/>.</summary>
    public Case Named(string name) => All.Single(c => c.Name == name);

    /// <summary>One file read with one set of options, and pydicom's values for it.</summary>
    public sealed class Case
    {
        internal Case(JsonElement json, string directory)
        {
            Name = json.GetProperty("name").GetString()!;
            // Synthetic files are relative to the output folder; pydicom's own files are absolute.
            Path = System.IO.Path.Combine(directory, json.GetProperty("path").GetString()!);
            Kind = json.GetProperty("kind").GetString()!;
            Voi = json.GetProperty("voi").GetString()!;
            Photometric = json.GetProperty("photometric").GetString()!;
            Rows = json.GetProperty("rows").GetInt32();
            Columns = json.GetProperty("columns").GetInt32();
            Channels = json.GetProperty("channels").GetInt32();
            Low = json.GetProperty("low").GetDouble();
            High = json.GetProperty("high").GetDouble();
            Invert = json.GetProperty("invert").GetBoolean();
            Options = new DicomReadOptions
            {
                Frame = json.GetProperty("frame").GetInt32(),
                WindowIndex = json.GetProperty("window_index").GetInt32(),
                PreferVoiLut = json.GetProperty("prefer_lut").GetBoolean(),
                ApplyVoi = json.GetProperty("apply_voi").GetBoolean(),
                Window = json.GetProperty("window") is { ValueKind: JsonValueKind.Array } w
                    ? new DicomWindow(w[0].GetDouble(), w[1].GetDouble())
                    : null,
            };
            byte[] bytes = File.ReadAllBytes(System.IO.Path.Combine(directory, json.GetProperty("values").GetString()!));
            Values = new double[bytes.Length / 8];
            Buffer.BlockCopy(bytes, 0, Values, 0, bytes.Length);
        }

        public string Name { get; }

        public string Path { get; }

        /// <summary>"gray" or "colour".</summary>
        public string Kind { get; }

        /// <summary>The VOI pydicom applied: "window", "lut" or "none".</summary>
        public string Voi { get; }

        public string Photometric { get; }

        public int Rows { get; }

        public int Columns { get; }

        public int Channels { get; }

        /// <summary>The range the values are scaled from.</summary>
        public double Low { get; }

        /// <inheritdoc cref="Low"/>
        public double High { get; }

        /// <summary>MONOCHROME1: the scaled values are inverted.</summary>
        public bool Invert { get; }

        public DicomReadOptions Options { get; }

        /// <summary>pydicom's values, channel-major.</summary>
        public double[] Values { get; }

        public override string ToString() => Name;
    }
}
