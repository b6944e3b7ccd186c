#!/usr/bin/env python3
"""Writes a small folder-per-class DICOM data set with pydicom, for the command line's DICOM tests.

Each image is a 12-bit CT-like slice (stored 0..4095, Rescale Slope 1, Intercept -1024, so Hounsfield units) whose
class signal is a faint round blob, +60 stored units over a noisy background of about 1000: it lives in the low 8 bits
and only comes out through the file's own window (centre and width in HU). Two images share each PatientID, and every
third file has no extension (DICOM's media files often have none; the DICM preamble marks them).

usage: make_dicom_dataset.py OUT_FOLDER TRAIN_COUNT TEST_COUNT SIZE SEED
"""
import os
import sys

import numpy as np
import pydicom
from pydicom.dataset import FileDataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

CT_IMAGE_STORAGE = "1.2.840.10008.5.1.4.1.1.2"


def write(path, pixels, patient):
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = CT_IMAGE_STORAGE
    meta.MediaStorageSOPInstanceUID = generate_uid(entropy_srcs=[path])
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = FileDataset(path, {}, file_meta=meta, preamble=b"\0" * 128)
    ds.SOPClassUID = CT_IMAGE_STORAGE
    ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
    ds.Modality = "CT"
    ds.PatientID = patient
    ds.Rows, ds.Columns = pixels.shape
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.BitsAllocated = 16
    ds.BitsStored = 12
    ds.HighBit = 11
    ds.PixelRepresentation = 0
    ds.RescaleSlope = "1"
    ds.RescaleIntercept = "-1024"
    # Centred on the background (stored 1000 -> -24 HU), wide enough for the blob.
    ds.WindowCenter = "6"
    ds.WindowWidth = "200"
    ds.PixelData = pixels.astype("<u2").tobytes()
    ds.is_little_endian = True
    ds.is_implicit_VR = False
    ds.save_as(path, write_like_original=False)


def main():
    out, train, test, size, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[:size, :size]
    n = 0
    for split, count in (("train", train), ("test", test)):
        for i in range(count):
            positive = i % 2 == 1
            pixels = rng.normal(1000, 8, size=(size, size))
            if positive:
                cx, cy = rng.uniform(0.25 * size, 0.75 * size, size=2)
                pixels[(yy - cy) ** 2 + (xx - cx) ** 2 < (0.15 * size) ** 2] += 60
            folder = os.path.join(out, split, "OPACITY" if positive else "NORMAL")
            os.makedirs(folder, exist_ok=True)
            name = f"{split}{i:03d}" + ("" if n % 3 == 2 else ".dcm")
            write(os.path.join(folder, name), np.clip(np.rint(pixels), 0, 4095), f"P{split}{i // 2:03d}")
            n += 1


if __name__ == "__main__":
    main()
