using System.Globalization;
using NetRpc.RpcGen.Diagnostics;

namespace NetRpc.RpcGen.Compatibility;

/// <summary>How a change between two versions of a .x file affects peers and code built from them (docs/breaking.md).</summary>
public enum CompatibilityCategory
{
    /// <summary>
    /// Peers built from the old and the new file no longer understand each other: a call is answered PROG_UNAVAIL,
    /// PROG_MISMATCH or PROC_UNAVAIL (RFC 5531 section 9), or bytes one side writes are read by the other as
    /// something else or refused. Codes RPCG5001-RPCG5039, reported as errors.
    /// </summary>
    WireBreaking,

    /// <summary>
    /// The new file reads everything the old one writes, but not the reverse: an enum value or union case added, a
    /// maximum raised. Peers built from the new file accept the old ones; a peer built from the old file refuses
    /// what only the new file allows, once a new peer sends it. Codes RPCG5040-RPCG5059, reported as warnings.
    /// </summary>
    NewReadersOnly,

    /// <summary>
    /// The bytes on the wire are the same, but code written against the generated code no longer compiles or
    /// means something else: a rename, a struct wrapped around a value, a typedef removed. Codes RPCG5060-RPCG5099,
    /// reported as warnings.
    /// </summary>
    SourceBreaking,
}

/// <summary>The category of each compatibility code: the code's range says it, so the catalog holds the fact once.</summary>
public static class CompatibilityCategories
{
    /// <summary>The category of a compatibility diagnostic.</summary>
    /// <param name="descriptor">One of the RPCG5xxx descriptors of <see cref="DiagnosticDescriptors"/>.</param>
    /// <returns>The category.</returns>
    /// <exception cref="ArgumentException">The descriptor is not one of the compatibility checker's.</exception>
    public static CompatibilityCategory Of(DiagnosticDescriptor descriptor)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        if (!IsCompatibilityCode(descriptor.Code))
        {
            throw new ArgumentException($"{descriptor.Code} is not a compatibility code (RPCG5001-RPCG5099)", nameof(descriptor));
        }

        int number = int.Parse(descriptor.Code.AsSpan(4), NumberStyles.None, CultureInfo.InvariantCulture);
        return number switch
        {
            < 5040 => CompatibilityCategory.WireBreaking,
            < 5060 => CompatibilityCategory.NewReadersOnly,
            _ => CompatibilityCategory.SourceBreaking,
        };
    }

    /// <summary>True for the codes of the compatibility checker, RPCG5001 to RPCG5099.</summary>
    /// <param name="code">A diagnostic code.</param>
    /// <returns>Whether it is one.</returns>
    public static bool IsCompatibilityCode(string code) =>
        code is { Length: 8 } && code.StartsWith("RPCG5", StringComparison.Ordinal) && code[5..].All(char.IsAsciiDigit) && code != "RPCG5000";
}
