#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine for MLNetTransfer: Debian's PyTorch, torchvision, ONNX and scikit-learn (the
# references the parity tests compare with), the DejaVu fonts the training report's plots are drawn with, GDCM's C#
# bindings (libgdcm-cil, which src/MLNetTransfer.Dicom compiles against and loads) and pydicom (the DICOM references),
# then the NuGet packages. The .NET 10 SDK must be on PATH.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if ! /usr/bin/python3 -c "import torch, torchvision, onnx, sklearn, pydicom" 2>/dev/null \
    || [ ! -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] \
    || [ ! -f /usr/lib/cli/gdcm-sharp-3.0/gdcm-sharp.dll ]; then
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq --no-install-recommends python3-torch python3-torchvision python3-onnx python3-sklearn \
        fonts-dejavu-core libgdcm-cil python3-pydicom
fi

dotnet restore MLNetTransfer.sln
