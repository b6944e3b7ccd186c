using System;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetTransfer.Torch;

/// <summary>
/// Turns "GPU n, or not" into a TorchSharp device once, with an explicit fallback rule (ML.NET's
/// <c>TorchUtils.InitializeDevice</c>: CUDA when asked for and present; otherwise CPU only if fallback is allowed).
/// </summary>
internal static class DeviceSelector
{
    /// <summary>The device for <paramref name="gpuDeviceId"/> (null = CPU).</summary>
    /// <exception cref="InvalidOperationException">A GPU was asked for, none is usable, and <paramref name="fallbackToCpu"/> is false.</exception>
    public static Device Resolve(int? gpuDeviceId, bool fallbackToCpu)
    {
        if (gpuDeviceId is not { } id)
        {
            return CPU;
        }

        ArgumentOutOfRangeException.ThrowIfNegative(id, nameof(gpuDeviceId));
        bool available = cuda.is_available() && id < cuda.device_count();
        if (available)
        {
            return new Device(DeviceType.CUDA, id);
        }

        if (fallbackToCpu)
        {
            return CPU;
        }

        throw new InvalidOperationException(
            $"GPU {id} was requested but CUDA is not available ({(cuda.is_available() ? $"{cuda.device_count()} device(s)" : "no CUDA backend or device")}). " +
            "Reference the TorchSharp-cuda-linux native package on a machine with an NVIDIA GPU, or allow falling back to the CPU (FallbackToCpu = true).");
    }
}
