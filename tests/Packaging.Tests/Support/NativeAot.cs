using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace NetRpc.Packaging.Tests.Support;

/// <summary>Whether Native AOT can compile and link here: the runtime rpcgen's AOT package is for, and a C linker.</summary>
internal static class NativeAot
{
    /// <summary>The one runtime NetRpc packs rpcgen natively for (src/RpcGen.Tool's ToolPackageRuntimeIdentifiers).</summary>
    public const string RuntimeIdentifier = "linux-x64";

    /// <summary>Why Native AOT cannot be built and run here, or null when it can.</summary>
    public static string? MissingReason { get; } = FindMissing();

    /// <summary>
    /// A test's skip reason and display name where Native AOT cannot be built here (the reason in the name: <c>dotnet
    /// test</c> lists skipped tests by name only); nulls where it can, or where NETRPC_REQUIRE_NATIVE=1 (CI) makes the
    /// test run and fail instead.
    /// </summary>
    public static (string? Skip, string? DisplayName) Skipping(string test, string file) =>
        MissingReason is { } reason && Environment.GetEnvironmentVariable("NETRPC_REQUIRE_NATIVE") != "1"
            ? (reason, $"{Path.GetFileNameWithoutExtension(file)}.{test} [SKIPPED: {reason}]")
            : (null, null);

    private static string? FindMissing()
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.OSArchitecture != Architecture.X64)
        {
            return $"NetRpc packs Native AOT for {RuntimeIdentifier} only, and this is {RuntimeInformation.RuntimeIdentifier}";
        }

        // The ILCompiler links with clang, or gcc where clang is missing, and strips symbols with objcopy.
        if (OnPath("clang") is null && OnPath("gcc") is null)
        {
            return "Native AOT needs a C linker, and neither clang nor gcc is on PATH (apt-get install clang or gcc)";
        }

        return OnPath("objcopy") is null ? "Native AOT needs objcopy (binutils) to strip symbols, and it is not on PATH" : null;
    }

    private static string? OnPath(string program) => (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
        .Split(Path.PathSeparator)
        .Where(d => d.Length > 0)
        .Select(d => Path.Combine(d, program))
        .FirstOrDefault(File.Exists);
}

/// <summary>
/// A test that needs Native AOT (<see cref="NativeAot"/>). Where it cannot be built it is skipped, with the reason in
/// its display name; where NETRPC_REQUIRE_NATIVE=1 (as .ci/run sets) it runs anyway and fails.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class NativeAotFactAttribute : FactAttribute
{
    public NativeAotFactAttribute([CallerMemberName] string test = "", [CallerFilePath] string file = "") =>
        (Skip, DisplayName) = NativeAot.Skipping(test, file);
}

/// <summary>The <see cref="TheoryAttribute"/> counterpart of <see cref="NativeAotFactAttribute"/>.</summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class NativeAotTheoryAttribute : TheoryAttribute
{
    public NativeAotTheoryAttribute([CallerMemberName] string test = "", [CallerFilePath] string file = "") =>
        (Skip, DisplayName) = NativeAot.Skipping(test, file);
}
