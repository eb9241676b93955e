using NetRpc.RpcGen.Diagnostics;
using NetRpc.RpcGen.Model;

namespace NetRpc.RpcGen.Compatibility;

/// <summary>
/// Compares two checked specifications, old and new (docs/breaking.md). Programs, versions and procedures are matched
/// by number, as calls are (RFC 5531 section 8.1); the types their arguments and results reach are compared along the
/// signatures, by structure, whatever they are called; then the types and constants no procedure reaches are compared
/// by name, since a .x file may describe data that is stored or sent without RPC. The model has the preprocessor,
/// constants and typedefs resolved already, so a change that is only textual finds nothing.
/// </summary>
internal sealed partial class SpecificationComparer
{
    private readonly Specification _old;
    private readonly Specification _new;
    private readonly FormReader _oldForms;
    private readonly FormReader _newForms;
    private readonly WireEquivalence _wire;
    private readonly List<CompatibilityFinding> _findings = [];
    private readonly HashSet<string> _reported = new(StringComparer.Ordinal);

    private SpecificationComparer(Specification old, Specification @new)
    {
        _old = old;
        _new = @new;
        _oldForms = new FormReader(old);
        _newForms = new FormReader(@new);
        _wire = new WireEquivalence(_oldForms, _newForms);
    }

    /// <summary>Every change from <paramref name="old"/> to <paramref name="new"/>, in the order of their places in the new file.</summary>
    /// <param name="old">The old file's checked model.</param>
    /// <param name="new">The new file's checked model.</param>
    /// <returns>The findings.</returns>
    public static IReadOnlyList<CompatibilityFinding> Compare(Specification old, Specification @new)
    {
        var comparer = new SpecificationComparer(old, @new);
        comparer.ComparePrograms();
        comparer.Drain();
        comparer.CompareUnreachedTypes();
        comparer.CompareConstants();

        // Reading order in the new file; OrderBy is stable, so findings at one place keep the order they were found in.
        return [.. comparer._findings
            .OrderBy(f => f.Location.Path, StringComparer.Ordinal)
            .ThenBy(f => f.Location.Line)
            .ThenBy(f => f.Location.Column)];
    }

    /// <summary>Where a comparison is: what messages call it, and its place in each file.</summary>
    private readonly record struct Site(string Name, SourceLocation New, SourceLocation Old)
    {
        public Site Element => this with { Name = $"{Name} (element)" };
    }

    /// <summary>The first line of a file: where a finding about something the new file no longer has goes, when nothing holds it there.</summary>
    private static SourceLocation Top(Specification specification) => new(specification.Path, 1, 1);

    /// <summary>Reports a finding once: the same change met on two paths (a type two procedures use) is one finding.</summary>
    /// <param name="descriptor">The rule, one of the RPCG5xxx descriptors.</param>
    /// <param name="at">Where, in the new file.</param>
    /// <param name="oldAt">Where, in the old file.</param>
    /// <param name="message">What changed.</param>
    /// <param name="reason">Why it matters, with the RFC section.</param>
    private void Report(DiagnosticDescriptor descriptor, SourceLocation at, SourceLocation oldAt, string message, string reason)
    {
        string text = $"{message} (old: {oldAt}); {reason}";
        if (_reported.Add($"{descriptor.Code}|{at}|{text}"))
        {
            _findings.Add(new CompatibilityFinding(CompatibilityCategories.Of(descriptor), descriptor.At(at, text), oldAt));
        }
    }
}
