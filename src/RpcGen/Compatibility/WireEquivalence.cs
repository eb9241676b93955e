using System.Runtime.CompilerServices;
using NetRpc.RpcGen.Model;

namespace NetRpc.RpcGen.Compatibility;

/// <summary>
/// Whether forms of the old and the new file put the same bytes on the wire for the same values, however they are
/// declared: a struct is only its fields one after another (RFC 4506 section 4.14), so a struct of one field is that
/// field and a struct inside a struct is its fields; optional data is a variable-length array of at most one element
/// (section 4.19); names are not on the wire at all. Types that contain themselves (a linked list) are compared as
/// pairs assumed equal while their comparison is under way: two lists of the same elements are the same.
/// </summary>
internal sealed class WireEquivalence(FormReader old, FormReader @new)
{
    /// <summary>Deeper nesting is not followed: the answer is then "not shown to be the same", and the change is reported.</summary>
    private const int MaxDepth = 200;

    private readonly HashSet<(object Old, object New)> _assumed = new(ReferencePairComparer.Instance);
    private readonly HashSet<(object Old, object New)> _proven = new(ReferencePairComparer.Instance);
    private int _depth;

    /// <summary>Whether a form of the old file and one of the new encode alike.</summary>
    public bool Same(Form oldForm, Form newForm) => SameSequence([oldForm], [newForm]);

    /// <summary>Whether a sequence of forms of the old file (fields, arguments) and one of the new encode alike, one after another.</summary>
    public bool SameSequence(IReadOnlyList<Form> oldForms, IReadOnlyList<Form> newForms)
    {
        // The pairs assumed during one question hold only if its answer is yes; on a no, some of them may not.
        _assumed.Clear();
        bool same = Sequence(oldForms, newForms);
        if (same)
        {
            _proven.UnionWith(_assumed);
        }

        _assumed.Clear();
        return same;
    }

    private bool Sequence(IReadOnlyList<Form> oldForms, IReadOnlyList<Form> newForms)
    {
        var oldItems = new List<Resolved>();
        var newItems = new List<Resolved>();
        if (!oldForms.All(f => Flatten(old, f, oldItems, 0)) || !newForms.All(f => Flatten(@new, f, newItems, 0)) || oldItems.Count != newItems.Count)
        {
            return false;
        }

        for (int i = 0; i < oldItems.Count; i++)
        {
            if (!Item(oldItems[i], newItems[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Nested: an element of an array or optional data, an arm of a union.</summary>
    private bool Nested(Form oldForm, Form newForm)
    {
        if (_depth >= MaxDepth)
        {
            return false;
        }

        Resolved oldResolved = old.Resolve(oldForm, default);
        Resolved newResolved = @new.Resolve(newForm, default);
        if (oldResolved.Aggregate is { Body: StructBody } oldStruct && newResolved.Aggregate is { Body: StructBody } newStruct && Assume(oldStruct.Body, newStruct.Body))
        {
            return true;
        }

        _depth++;
        try
        {
            return Sequence([oldForm], [newForm]);
        }
        finally
        {
            _depth--;
        }
    }

    /// <summary>Records a pair as assumed equal; true when it already was (or is proven), so the caller can stop there.</summary>
    private bool Assume(object oldBody, object newBody) =>
        _proven.Contains((oldBody, newBody)) || !_assumed.Add((oldBody, newBody));

    /// <summary>A struct becomes its fields, void nothing, anything else one item. False when structs nest too deeply to follow.</summary>
    private static bool Flatten(FormReader reader, Form form, List<Resolved> items, int depth)
    {
        if (depth >= MaxDepth)
        {
            return false;
        }

        Resolved resolved = reader.Resolve(form, default);
        if (resolved.Aggregate is { Body: StructBody body })
        {
            return body.Fields.All(field => Flatten(reader, FormReader.Of(field), items, depth + 1));
        }

        if (resolved.Form is not VoidForm)
        {
            items.Add(resolved);
        }

        return true;
    }

    private bool Item(Resolved oldItem, Resolved newItem)
    {
        // int, unsigned int, enum and bool are 4 bytes each; they agree when they allow the same values (RFC 4506 sections 4.1 to 4.4).
        if (IntegerValues.Of(oldItem) is { } oldValues)
        {
            return IntegerValues.Of(newItem) is { } newValues && oldValues.IsWithin(newValues) && newValues.IsWithin(oldValues);
        }

        if (oldItem.Primitive is { } oldPrimitive)
        {
            return newItem.Primitive is { } newPrimitive && oldPrimitive.Kind == newPrimitive.Kind;
        }

        if (oldItem.Aggregate is { Body: UnionBody oldUnion })
        {
            return newItem.Aggregate is { Body: UnionBody newUnion } && (Assume(oldUnion, newUnion) || Union(oldUnion, newUnion));
        }

        return (oldItem.Form, newItem.Form) switch
        {
            (BytesForm o, BytesForm n) => o == n,
            (ArrayForm o, ArrayForm n) => o.IsFixed == n.IsFixed && o.Size == n.Size && Nested(o.Element, n.Element),
            (OptionalForm o, OptionalForm n) => Nested(o.Element, n.Element),
            (OptionalForm o, ArrayForm { IsFixed: false, Size: 1 } n) => Nested(o.Element, n.Element),
            (ArrayForm { IsFixed: false, Size: 1 } o, OptionalForm n) => Nested(o.Element, n.Element),
            _ => false,
        };
    }

    /// <summary>The same discriminant encoding, the same case values, each with an arm of the same encoding, and the same default (RFC 4506 section 4.15).</summary>
    private bool Union(UnionBody o, UnionBody n)
    {
        if (!Nested(FormReader.Of(o.Discriminant), FormReader.Of(n.Discriminant)) || (o.Default is null) != (n.Default is null))
        {
            return false;
        }

        Dictionary<long, Declaration> oldArms = Arms(o), newArms = Arms(n);
        return oldArms.Count == newArms.Count
            && oldArms.All(arm => newArms.TryGetValue(arm.Key, out Declaration? match) && Nested(FormReader.Of(arm.Value), FormReader.Of(match)))
            && (o.Default is null || Nested(FormReader.Of(o.Default), FormReader.Of(n.Default!)));
    }

    private static Dictionary<long, Declaration> Arms(UnionBody body)
    {
        var arms = new Dictionary<long, Declaration>();
        foreach (UnionArm arm in body.Arms)
        {
            foreach (CaseLabel label in arm.Labels)
            {
                arms.TryAdd(label.Value, arm.Declaration);
            }
        }

        return arms;
    }
}

/// <summary>Pairs of model objects compared by reference: the model's records compare by value, and two equal bodies are still two definitions.</summary>
internal sealed class ReferencePairComparer : IEqualityComparer<(object Old, object New)>
{
    public static ReferencePairComparer Instance { get; } = new();

    public bool Equals((object Old, object New) x, (object Old, object New) y) => ReferenceEquals(x.Old, y.Old) && ReferenceEquals(x.New, y.New);

    public int GetHashCode((object Old, object New) pair) => HashCode.Combine(RuntimeHelpers.GetHashCode(pair.Old), RuntimeHelpers.GetHashCode(pair.New));
}
