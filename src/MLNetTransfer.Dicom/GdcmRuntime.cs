using System;
using System.IO;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Loader;

namespace MLNetTransfer.Dicom;

/// <summary>
/// Loads GDCM's C# bindings from the folder Debian's <c>libgdcm-cil</c> installs them in, without LD_LIBRARY_PATH: the
/// managed <c>gdcm-sharp.dll</c> through <see cref="AssemblyLoadContext.Resolving"/> (the project compiles against it but
/// does not copy it), and its native glue <c>libgdcmsharpglue.so</c> (SWIG's <c>[DllImport("gdcmsharpglue")]</c>)
/// through <see cref="NativeLibrary.SetDllImportResolver"/> on that assembly. The glue's own dependencies
/// (libgdcmMSFF.so.3.0 and the rest) are on the default library path, where Debian's libgdcm3.0 puts them.
/// </summary>
/// <remarks>
/// Every code path that names a <c>gdcm</c> type runs after <see cref="EnsureLoaded()"/>, in a separate method that is
/// never inlined: the JIT resolves an assembly when it compiles a method that names one of its types, so the handler must
/// be registered before such a method is compiled.
/// </remarks>
internal static class GdcmRuntime
{
    /// <summary>Where <c>apt-get install libgdcm-cil</c> puts the bindings (Debian 12, GDCM 3.0).</summary>
    public const string DefaultDirectory = "/usr/lib/cli/gdcm-sharp-3.0";

    /// <summary>Overrides <see cref="DefaultDirectory"/>: a folder holding gdcm-sharp.dll and libgdcmsharpglue.so.</summary>
    public const string DirectoryVariable = "MLNETTRANSFER_GDCM_DIR";

    private const string ManagedFile = "gdcm-sharp.dll";
    private const string GlueFile = "libgdcmsharpglue.so";
    private const string GlueImportName = "gdcmsharpglue";

    private static readonly object _gate = new();
    private static string? _loadedFrom;

    /// <summary>The folder the bindings are loaded from: <c>$MLNETTRANSFER_GDCM_DIR</c> or <see cref="DefaultDirectory"/>.</summary>
    public static string ConfiguredDirectory =>
        Environment.GetEnvironmentVariable(DirectoryVariable) is { Length: > 0 } configured ? configured : DefaultDirectory;

    /// <summary>Loads the bindings from <see cref="ConfiguredDirectory"/> once per process.</summary>
    /// <exception cref="DllNotFoundException">GDCM is not installed there; the message says how to install it.</exception>
    public static void EnsureLoaded() => EnsureLoaded(ConfiguredDirectory);

    /// <summary>Loads the bindings from <paramref name="directory"/> once per process (the test seam for a missing install).</summary>
    /// <param name="directory">A folder holding gdcm-sharp.dll and libgdcmsharpglue.so.</param>
    /// <exception cref="DllNotFoundException">A file is missing or the glue does not load; the message says how to install GDCM.</exception>
    public static void EnsureLoaded(string directory)
    {
        string managed = Path.Combine(directory, ManagedFile);
        string glue = Path.Combine(directory, GlueFile);
        foreach (string file in new[] { managed, glue })
        {
            if (!File.Exists(file))
            {
                throw Missing($"{file} does not exist");
            }
        }

        lock (_gate)
        {
            if (_loadedFrom is not null)
            {
                return;
            }

            if (!NativeLibrary.TryLoad(glue, out IntPtr handle))
            {
                // Load again for the loader's own message (which system library is missing).
                try
                {
                    handle = NativeLibrary.Load(glue);
                }
                catch (DllNotFoundException e)
                {
                    throw Missing($"{glue} does not load ({e.Message})");
                }
            }

            AssemblyLoadContext.Default.Resolving += (context, name) =>
                string.Equals(name.Name, "gdcm-sharp", StringComparison.OrdinalIgnoreCase) ? context.LoadFromAssemblyPath(managed) : null;
            Assembly bindings;
            try
            {
                bindings = BindingsAssembly();
            }
            catch (Exception e) when (e is FileNotFoundException or FileLoadException or BadImageFormatException)
            {
                throw Missing($"{managed} does not load ({e.Message})");
            }

            try
            {
                NativeLibrary.SetDllImportResolver(bindings, (name, _, _) => name == GlueImportName ? handle : IntPtr.Zero);
            }
            catch (InvalidOperationException)
            {
                // The application set its own resolver for gdcm-sharp; it knows where its glue is.
            }

            QuietTrace();
            _loadedFrom = directory;
        }
    }

    /// <summary>The error for a missing or broken install, naming the package to install.</summary>
    private static DllNotFoundException Missing(string what) => new(
        $"DICOM support needs GDCM's C# bindings, and {what}. On Debian/Ubuntu run 'apt-get install libgdcm-cil' " +
        $"(scripts/setup.sh does), or set {DirectoryVariable} to a folder holding {ManagedFile} and {GlueFile}.");

    /// <summary>
    /// GDCM prints its warnings and errors to stderr (e.g. "No spacing value found" for most files); the reader turns
    /// every failure into an exception naming the file instead, so the messages are switched off.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void QuietTrace()
    {
        gdcm.Trace.WarningOff();
        gdcm.Trace.ErrorOff();
        gdcm.Trace.DebugOff();
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Assembly BindingsAssembly() => typeof(gdcm.Reader).Assembly;
}
