#!/usr/bin/python3
"""Reference intensities for the DICOM reader (src/MLNetTransfer.Dicom), computed by pydicom 2.3
(tests/MLNetTransfer.Dicom.Tests/PydicomParityTests.cs).

Usage: /usr/bin/python3 make_dicom_references.py OUTDIR

Needs Debian's python3-pydicom (2.3) and numpy; nothing is downloaded. pydicom decodes with the handlers available
offline (numpy, RLE, Pillow; no pylibjpeg, GDCM or CharLS Python packages). Written to OUTDIR:

  dicom.json  {"versions": {...}, "listed": [every name get_testdata_files() gives, relative to its folder],
               "cases": [{"name", "path", "frame", "window_index", "prefer_lut", "apply_voi", "window" ([c, w] or null),
                          "kind" ("gray" or "colour"), "voi" ("window", "lut" or "none"), "photometric", "rows", "columns",
                          "channels", "low", "high", "invert", "values" (file name)}, ...],
               "skipped": [{"name", "reason"}, ...],
               "tags": [{"path", "keyword", "value" (pydicom's str(), stripped; null when absent or empty)}, ...]}
  NNN.f64     a case's values, little-endian float64, channel-major [C, H, W]
  synthetic/  ("path" of their cases is relative to OUTDIR) DICOM files this script writes from pydicom's test files, for paths those files do not cover
              (two windows, VOI LUT Sequence, Modality LUT Sequence, SIGMOID, LINEAR_EXACT, palette colour), and
              mpeg2.dcm, a header with a transfer syntax GDCM cannot decode (no case)

A grayscale case's values are pydicom's apply_voi_lut(apply_modality_lut(frame, ds), ds, index=window_index,
prefer_lut=prefer_lut) (apply_modality_lut alone when apply_voi is false; apply_windowing with the window replaced when
"window" is set). "low"/"high" is the range pydicom's apply_windowing maps onto (Bits Stored and Pixel Representation,
through Rescale Slope/Intercept), [0, 2^bits - 1] of the LUT descriptor after a VOI LUT, or of the Modality LUT
descriptor when no VOI follows it: the reader scales from it to [0, 1]. A colour case's values are pydicom's RGB
samples (YBR_FULL/YBR_FULL_422 through convert_color_space where the handler left them YBR; palette colour through
apply_color_lut) over [0, 2^bits - 1].

Every file pydicom.data.get_testdata_files() lists is either a case or skipped with the reason.
"""

import copy
import json
import os
import sys
import warnings

import numpy as np
import pydicom
from pydicom.data import get_testdata_file, get_testdata_files
from pydicom.dataset import Dataset
from pydicom.encaps import encapsulate
from pydicom.pixel_data_handlers.util import (apply_color_lut, apply_modality_lut, apply_voi_lut, apply_windowing,
                                              convert_color_space)
from pydicom.sequence import Sequence

TEST_FILES = os.path.dirname(get_testdata_file("CT_small.dcm"))


def frame_of(ds, arr, frame):
    """Frame `frame` of pixel_array (pydicom adds a leading axis only when NumberOfFrames > 1)."""
    return arr[frame] if int(ds.get("NumberOfFrames", 1) or 1) > 1 else arr


def stored_range(ds):
    """apply_windowing's y_min, y_max (pixel_data_handlers/util.py)."""
    if ds.get("ModalityLUTSequence"):
        y_min, y_max = 0, 2 ** ds.ModalityLUTSequence[0].LUTDescriptor[2] - 1
    elif ds.PixelRepresentation == 0:
        y_min, y_max = 0, 2 ** ds.BitsStored - 1
    else:
        y_min, y_max = -(2 ** (ds.BitsStored - 1)), 2 ** (ds.BitsStored - 1) - 1
    slope, intercept = ds.get("RescaleSlope", None), ds.get("RescaleIntercept", None)
    if slope is not None and intercept is not None:
        y_min, y_max = y_min * slope + intercept, y_max * slope + intercept
    return float(y_min), float(y_max)


def voi_chosen(ds, prefer_lut):
    """Which VOI apply_voi_lut applies (its own test, repeated for the record)."""
    lut = "VOILUTSequence" in ds and None not in [ds.VOILUTSequence[0].get("LUTDescriptor", None),
                                                  ds.VOILUTSequence[0].get("LUTData", None)]
    window = None not in [ds.get("WindowCenter", None), ds.get("WindowWidth", None)]
    if lut and (prefer_lut or not window):
        return "lut"
    return "window" if window else "none"


class Writer:
    def __init__(self, out):
        self.out, self.cases, self.skipped = out, [], []

    def skip(self, name, reason):
        self.skipped.append({"name": name, "reason": reason})

    def case(self, name, path, ds, values, frame=0, window_index=0, prefer_lut=True, apply_voi=True, window=None):
        values = np.asarray(values, dtype=np.float64)
        photometric = str(ds.PhotometricInterpretation)
        gray = ds.SamplesPerPixel == 1 and photometric.startswith("MONOCHROME")
        if gray:
            voi = "none" if not apply_voi else "window" if window is not None else voi_chosen(ds, prefer_lut)
            if voi == "lut":
                low, high = 0.0, float(2 ** ds.VOILUTSequence[window_index].LUTDescriptor[2] - 1)
            elif voi == "none" and "ModalityLUTSequence" in ds:
                low, high = 0.0, float(2 ** ds.ModalityLUTSequence[0].LUTDescriptor[2] - 1)
            else:
                low, high = stored_range(ds)
            channels, planes = 1, values.reshape(1, *values.shape)
        else:
            voi = "none"
            bits = ds.RedPaletteColorLookupTableDescriptor[2] if photometric == "PALETTE COLOR" else ds.BitsStored
            low, high = 0.0, float(2 ** bits - 1)
            channels, planes = 3, np.moveaxis(values, -1, 0)
        file_name = f"{len(self.cases):03d}.f64"
        planes.astype("<f8").tofile(os.path.join(self.out, file_name))
        self.cases.append({
            "name": name, "path": path, "frame": frame, "window_index": window_index, "prefer_lut": prefer_lut,
            "apply_voi": apply_voi, "window": window, "kind": "gray" if gray else "colour", "voi": voi,
            "photometric": photometric, "rows": int(ds.Rows), "columns": int(ds.Columns), "channels": channels,
            "low": low, "high": high, "invert": photometric == "MONOCHROME1", "values": file_name})


def reference(ds, arr, frame=0, window_index=0, prefer_lut=True, apply_voi=True, window=None):
    """pydicom's intensities for one frame, as the module docstring says."""
    a = frame_of(ds, arr, frame)
    photometric = str(ds.PhotometricInterpretation)
    if photometric == "PALETTE COLOR":
        return apply_color_lut(a, ds)
    if ds.SamplesPerPixel == 3:
        return a
    a = apply_modality_lut(a, ds)
    if not apply_voi:
        return a
    if window is not None:
        windowed = copy.deepcopy(ds)
        windowed.WindowCenter, windowed.WindowWidth = window
        return apply_windowing(a, windowed)
    return apply_voi_lut(a, ds, index=window_index, prefer_lut=prefer_lut)


def decode(ds):
    """pixel_array, with YBR_FULL(_422) converted to RGB: pydicom 2.2 onwards returns the samples in the colour space
    Photometric Interpretation names, JPEG included (it tells Pillow not to convert)."""
    arr = ds.pixel_array
    photometric = str(ds.PhotometricInterpretation)
    if photometric in ("YBR_FULL", "YBR_FULL_422"):
        arr = convert_color_space(arr, photometric, "RGB")
    return arr


def test_files(writer):
    for path in sorted(get_testdata_files()):
        name = os.path.relpath(path, TEST_FILES)
        if os.path.isdir(path):
            writer.skip(name, "a directory (of the DICOMDIR test tree), not a file")
            continue
        try:
            ds = pydicom.dcmread(path)
        except Exception as e:  # noqa: BLE001 - the reason is recorded
            # Files without File Meta Information (ACR-NEMA style) parse when forced, but pixel_array needs the
            # Transfer Syntax UID that only the File Meta Information carries.
            try:
                forced = pydicom.dcmread(path, force=True)
                has_pixels = "PixelData" in forced
            except Exception:  # noqa: BLE001
                has_pixels = False
            if has_pixels:
                writer.skip(name, "no File Meta Information: pydicom reads it only with force=True, and then has no "
                                  "Transfer Syntax UID to decode its Pixel Data with")
            else:
                writer.skip(name, f"dcmread fails ({type(e).__name__}: {str(e).splitlines()[0][:60]}...) and a forced "
                                  "read finds no Pixel Data")
            continue
        if "PixelData" not in ds:
            other = [k for k in ("FloatPixelData", "DoubleFloatPixelData") if k in ds]
            writer.skip(name, f"has {other[0]}, which the reader does not read" if other else "has no Pixel Data (7FE0,0010)")
            continue
        try:
            arr = decode(ds)
        except Exception as e:  # noqa: BLE001
            syntax = ds.file_meta.get("TransferSyntaxUID", None)
            where = f"{syntax} ({syntax.name})" if syntax else "no transfer syntax"
            writer.skip(name, f"pydicom cannot decode it offline [{where}]: {type(e).__name__}: {str(e).splitlines()[0][:160]}")
            continue
        try:
            writer.case(name, path, ds, reference(ds, arr))
        except Exception as e:  # noqa: BLE001
            writer.skip(name, f"pydicom decodes it but apply_modality_lut/apply_voi_lut fail: {type(e).__name__}: {str(e)[:160]}")


def save(ds, out, name):
    """Writes a synthetic file and reads it back; returns it and its path relative to OUTDIR (the folder is renamed)."""
    os.makedirs(os.path.join(out, "synthetic"), exist_ok=True)
    path = os.path.join(out, "synthetic", name)
    ds.save_as(path, write_like_original=False)
    return pydicom.dcmread(path), os.path.join("synthetic", name)


def lut_item(entries, first, bits, data, vr="US"):
    item = Dataset()
    item.add_new(0x00283002, "US", [entries, first, bits])
    item.add_new(0x00283006, vr, data if vr == "US" else np.asarray(data, dtype="<u2").tobytes())
    return item


def synthetic(writer):
    out = writer.out
    ct = pydicom.dcmread(get_testdata_file("CT_small.dcm"))
    mr = pydicom.dcmread(get_testdata_file("MR_small.dcm"))

    ds = copy.deepcopy(ct)
    ds.WindowCenter, ds.WindowWidth = [40, -600], [400, 1500]
    ds, path = save(ds, out, "two_windows.dcm")
    for index in (0, 1):
        writer.case(f"synthetic/two_windows.dcm [window {index}]", path, ds, reference(ds, ds.pixel_array, window_index=index), window_index=index)
    writer.case("synthetic/two_windows.dcm [window 50/350]", path, ds, reference(ds, ds.pixel_array, window=[50.0, 350.0]), window=[50.0, 350.0])
    writer.case("synthetic/two_windows.dcm [no VOI]", path, ds, reference(ds, ds.pixel_array, apply_voi=False), apply_voi=False)

    for function in ("SIGMOID", "LINEAR_EXACT"):
        ds = copy.deepcopy(ct)
        ds.WindowCenter, ds.WindowWidth, ds.VOILUTFunction = 60, 300, function
        ds, path = save(ds, out, f"{function.lower()}.dcm")
        writer.case(f"synthetic/{function.lower()}.dcm", path, ds, reference(ds, ds.pixel_array))

    # A VOI LUT (12-bit entries, first value mapped 200) beside a window: pydicom prefers the LUT unless told not to.
    # MR_small has no Rescale Slope/Intercept, so the LUT indexes stored integers (pydicom's apply_voi skips float input).
    ds = copy.deepcopy(mr)
    ramp = [min(4095, int(4095 * (i / 799) ** 0.5)) for i in range(800)]
    gamma = [min(4095, int(4095 * (i / 599) ** 2)) for i in range(600)]
    ds.VOILUTSequence = Sequence([lut_item(800, 200, 12, ramp), lut_item(600, 0, 12, gamma, vr="OW")])
    ds, path = save(ds, out, "voi_lut.dcm")
    for index, prefer in ((0, True), (1, True), (0, False)):
        writer.case(f"synthetic/voi_lut.dcm [index {index}, prefer_lut={prefer}]", path, ds,
                    reference(ds, ds.pixel_array, window_index=index, prefer_lut=prefer), window_index=index, prefer_lut=prefer)

    # A Modality LUT (16-bit entries) in place of a rescale, then the file's window.
    ds = copy.deepcopy(mr)
    ds.ModalityLUTSequence = Sequence([lut_item(1000, 50, 16, [(i * 37) % 2000 + 1000 for i in range(1000)], vr="OW")])
    ds.ModalityLUTSequence[0].ModalityLUTType = "US"
    ds, path = save(ds, out, "modality_lut.dcm")
    writer.case("synthetic/modality_lut.dcm", path, ds, reference(ds, ds.pixel_array))
    writer.case("synthetic/modality_lut.dcm [no VOI]", path, ds, reference(ds, ds.pixel_array, apply_voi=False), apply_voi=False)

    # Palette colour: MR_small's values, shifted to 8 bits, index 16-bit red/green/blue ramps.
    ds = copy.deepcopy(mr)
    stored = (np.clip(mr.pixel_array, 0, None) >> 4).clip(0, 255).astype(np.uint8)
    ds.PixelData, ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = stored.tobytes(), 8, 8, 7, 0
    ds.PhotometricInterpretation = "PALETTE COLOR"
    for colour, scale in (("Red", 257), ("Green", 129), ("Blue", 65)):
        ds.add_new(pydicom.tag.Tag(f"{colour}PaletteColorLookupTableDescriptor"), "US", [256, 0, 16])
        ds.add_new(pydicom.tag.Tag(f"{colour}PaletteColorLookupTableData"), "OW",
                   np.asarray([(i * scale) % 65536 for i in range(256)], dtype="<u2").tobytes())
    for k in ("WindowCenter", "WindowWidth"):
        if k in ds:
            delattr(ds, k)
    ds, path = save(ds, out, "palette.dcm")
    writer.case("synthetic/palette.dcm", path, ds, reference(ds, ds.pixel_array))

    # A transfer syntax GDCM parses but cannot decode (MPEG-2): the reader's FindProblem must name it. Not a case.
    ds = copy.deepcopy(mr)
    ds.file_meta.TransferSyntaxUID = "1.2.840.10008.1.2.4.100"
    ds.PixelData = encapsulate([bytes(16)])
    ds["PixelData"].VR = "OB"
    ds.is_little_endian, ds.is_implicit_VR = True, False
    save(ds, out, "mpeg2.dcm")

    # Frame selection: rtdose (15 frames, 32-bit) frame 5; SC_rgb_rle_2frame (RLE, RGB) frame 1.
    for file, frame in (("rtdose.dcm", 5), ("SC_rgb_rle_2frame.dcm", 1)):
        path = get_testdata_file(file)
        ds = pydicom.dcmread(path)
        writer.case(f"{file} [frame {frame}]", path, ds, reference(ds, decode(ds), frame=frame), frame=frame)


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    warnings.simplefilter("ignore")
    writer = Writer(out)
    test_files(writer)
    synthetic(writer)
    tags = []
    for file, keyword in (("CT_small.dcm", "PatientID"), ("MR_small.dcm", "PatientID"), ("CT_small.dcm", "Modality"),
                          ("rtdose.dcm", "PatientID"), ("CT_small.dcm", "StudyInstanceUID")):
        value = pydicom.dcmread(get_testdata_file(file)).get(keyword, None)
        tags.append({"path": get_testdata_file(file), "keyword": keyword,
                     "value": str(value).strip() if value not in (None, "") else None})
    with open(os.path.join(out, "dicom.json"), "w") as f:
        json.dump({"versions": {"pydicom": pydicom.__version__, "numpy": np.__version__},
                   "listed": sorted(os.path.relpath(p, TEST_FILES) for p in get_testdata_files()),
                   "cases": writer.cases, "skipped": writer.skipped, "tags": tags}, f, indent=1)


if __name__ == "__main__":
    main()
