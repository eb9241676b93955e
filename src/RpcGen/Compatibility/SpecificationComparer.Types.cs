using System.Globalization;
using NetRpc.RpcGen.Diagnostics;
using NetRpc.RpcGen.Model;

namespace NetRpc.RpcGen.Compatibility;

internal sealed partial class SpecificationComparer
{
    private const string OtherEncoding = "RFC 4506 section 4: each type has its own encoding and the bytes do not say which was sent, so a peer built from the old file reads what the new one writes as the old type";
    private const string StructOrder = "RFC 4506 section 4.14: a struct is its fields in the order declared, with nothing between them, so every field from here on is read as another (procedure arguments go one after another the same way)";
    private const string LengthOnWire = "RFC 4506 sections 4.9 to 4.13: variable-length data is preceded by its length on the wire, fixed-length data is not";
    private const string FixedLength = "RFC 4506 sections 4.9 and 4.12: a fixed length is not on the wire, so both peers must know it";
    private const string OpaqueOrString = "RFC 4506 sections 4.10 and 4.11: the bytes are laid out alike, but a string is ASCII text that a reader may check or decode as text, where opaque data is not interpreted";
    private const string OptionalFlag = "RFC 4506 section 4.19: optional data is preceded by a boolean on the wire, a plain value is not";
    private const string Narrowed = "RFC 4506 sections 4.10, 4.11 and 4.13: a reader refuses a length above its maximum, and peers built from the old file may send up to the old one";
    private const string Widened = "RFC 4506 sections 4.10, 4.11 and 4.13: the new file reads everything the old one sends; a peer built from the old file refuses a length above its maximum, once a new peer sends one";
    private const string NarrowInt = "RFC 4506 sections 4.1 to 4.4: int, unsigned int, enum and bool are all 4 bytes on the wire, and a reader refuses a value its type does not allow (an enum's members, rpcgen's short and char ranges), which peers built from the old file may send";
    private const string WideInt = "RFC 4506 sections 4.1 to 4.4: int, unsigned int, enum and bool are all 4 bytes on the wire; the new file reads everything the old one sends, and a peer built from the old file refuses the values only the new type allows";
    private const string SameInt = "RFC 4506 sections 4.1 to 4.4: int, unsigned int, enum and bool are all 4 bytes on the wire, and both types allow the same values, so no byte changes; the generated code does";
    private const string EnumValues = "RFC 4506 section 4.3: an enum carries only its declared values, and peers built from the old file still send the old one";
    private const string EnumAdded = "RFC 4506 section 4.3: the new file reads everything the old one sends; a peer built from the old file may refuse the new value (it must, as a union discriminant without a default arm, section 4.15)";
    private const string CaseGone = "RFC 4506 section 4.15: a discriminant value with no arm and no default arm is invalid, and peers built from the old file still send it";
    private const string CaseNew = "RFC 4506 section 4.15: the new file reads everything the old one sends; a peer built from the old file refuses the new value (it has no arm and no default arm for it)";
    private const string CaseFromDefault = "RFC 4506 section 4.15: the old file's default arm decodes this value, and the arm the new file gives it has another encoding";
    private const string DefaultGone = "RFC 4506 section 4.15: the values only the default arm accepted become invalid, and peers built from the old file still send them";
    private const string DefaultNew = "RFC 4506 section 4.15: the new file reads everything the old one sends; a peer built from the old file refuses the values only the new default arm accepts";
    private const string SameBytes = "RFC 4506 sections 4.14 and 4.19: a struct is only its fields one after another, and optional data is an array of at most one, so no byte changes; the generated code does";
    private const string DefaultSameBytes = "RFC 4506 section 4.15: the value is decoded with the same encoding by its arm as by the default arm, so no byte changes; the generated code does";
    private const string NotOnWire = "RFC 4506 section 4.14: names are not on the wire, so no byte changes; the generated code does";

    /// <summary>A struct field or procedure argument.</summary>
    /// <param name="Name">Its name; for an unnamed argument, rpcgen's <c>argN</c>.</param>
    /// <param name="Named">Whether the .x file named it: renaming an unnamed argument is no change.</param>
    /// <param name="Form">Its form.</param>
    /// <param name="Location">Where it is.</param>
    private sealed record Member(string Name, bool Named, Form Form, SourceLocation Location);

    /// <summary>
    /// Pairs of types and typedefs to compare, each once: queued rather than compared on the spot, so that a chain of
    /// typedefs or types as long as a file likes costs no stack (the checker accepts ten thousand chained typedefs).
    /// </summary>
    private readonly Queue<Action> _pending = new();

    private readonly HashSet<(object Old, object New)> _comparedBodies = new(ReferencePairComparer.Instance);
    private readonly HashSet<string> _comparedTypedefs = new(StringComparer.Ordinal);

    /// <summary>The named types and typedefs compared on the way from a procedure (or by name already): not compared by name again.</summary>
    private readonly HashSet<string> _reachedOld = new(StringComparer.Ordinal);
    private readonly HashSet<string> _reachedNew = new(StringComparer.Ordinal);

    /// <summary>Two declarations in corresponding places: what they put on the wire, and what they are called.</summary>
    private void CompareForms(Form old, Form @new, Site site)
    {
        // A typedef both name is compared once, where it is defined, rather than at every use.
        if (_oldForms.TypedefOf(old) is { } oldTypedef && _newForms.TypedefOf(@new) is { } newTypedef && oldTypedef.Name == newTypedef.Name)
        {
            CompareTypedefs(oldTypedef, newTypedef);
            return;
        }

        Resolved oldResolved = _oldForms.Resolve(old, site.Old);
        Resolved newResolved = _newForms.Resolve(@new, site.New);
        switch (oldResolved.Form, newResolved.Form)
        {
            case (VoidForm, VoidForm):
                return;
            case (ValueForm, ValueForm) when oldResolved.Primitive is { } oldPrimitive && newResolved.Primitive is { } newPrimitive
                && oldPrimitive.Kind == newPrimitive.Kind && oldPrimitive.Narrow == newPrimitive.Narrow:
                return;
            case (ValueForm, ValueForm) when oldResolved.Aggregate is { } oldAggregate && newResolved.Aggregate is { } newAggregate && oldAggregate.Keyword == newAggregate.Keyword:
                CompareAggregates(oldAggregate, newAggregate, site);
                return;
            case (ValueForm, ValueForm) when IntegerValues.Of(oldResolved) is { } oldValues && IntegerValues.Of(newResolved) is { } newValues:
                CompareIntegers(oldValues, newValues, old, @new, site);
                return;
            case (BytesForm oldBytes, BytesForm newBytes):
                CompareBytes(oldBytes, newBytes, site);
                return;
            case (ArrayForm oldArray, ArrayForm newArray):
                CompareArrays(oldArray, newArray, site);
                return;
            case (OptionalForm oldOptional, OptionalForm newOptional):
                CompareForms(oldOptional.Element, newOptional.Element, site.Element);
                return;
        }

        string change = $"{site.Name}: {_oldForms.DescribeResolved(old)} is now {_newForms.DescribeResolved(@new)}";
        bool same = _wire.Same(old, @new);
        if (!same && CompareWrappedValue(old, oldResolved, @new, newResolved, site))
        {
            return;
        }

        if (same)
        {
            Report(DiagnosticDescriptors.SameWireOtherDeclaration, site.New, site.Old, $"{change}, with the same bytes on the wire", SameBytes);
        }
        else if ((oldResolved.Form is OptionalForm) != (newResolved.Form is OptionalForm))
        {
            Report(DiagnosticDescriptors.OptionalChanged, site.New, site.Old, change, OptionalFlag);
        }
        else
        {
            Report(DiagnosticDescriptors.TypeChanged, site.New, site.Old, change, OtherEncoding);
        }
    }

    /// <summary>
    /// A value that one file declares directly and the other wraps in a struct of one field: XDR sees such a struct as
    /// its field (RFC 4506 section 4.14), so the wrapping is a source-breaking change of its own, and the field is
    /// compared with the value.
    /// </summary>
    /// <returns>True when one side was such a wrapper and has been compared so.</returns>
    private bool CompareWrappedValue(Form old, Resolved oldResolved, Form @new, Resolved newResolved, Site site)
    {
        if (newResolved.Aggregate is { Body: StructBody { Fields: [{ Kind: DeclarationKind.Scalar } newField] } } newWrapper
            && oldResolved.Form is ValueForm && oldResolved.Aggregate?.Body is not StructBody)
        {
            MarkReached(null, newWrapper.Name);
            Report(DiagnosticDescriptors.SameWireOtherDeclaration, site.New, site.Old,
                $"{site.Name}: {_oldForms.DescribeResolved(old)} is now {newWrapper.Display}, a struct of one field around it", SameBytes);
            CompareForms(old, FormReader.Of(newField), new Site($"{newWrapper.Display} field '{newField.Name}'", newField.Location, site.Old));
            return true;
        }

        if (oldResolved.Aggregate is { Body: StructBody { Fields: [{ Kind: DeclarationKind.Scalar } oldField] } } oldWrapper
            && newResolved.Form is ValueForm && newResolved.Aggregate?.Body is not StructBody)
        {
            MarkReached(oldWrapper.Name, null);
            Report(DiagnosticDescriptors.SameWireOtherDeclaration, site.New, site.Old,
                $"{site.Name}: {oldWrapper.Display}, a struct of one field, is now {_newForms.DescribeResolved(@new)}, what it was around", SameBytes);
            CompareForms(FormReader.Of(oldField), @new, new Site(site.Name, site.New, oldField.Location));
            return true;
        }

        return false;
    }

    /// <summary>Compares the queued pairs, and the pairs they queue, until none is left.</summary>
    private void Drain()
    {
        while (_pending.TryDequeue(out Action? compare))
        {
            compare();
        }
    }

    private void MarkReached(string? oldName, string? newName)
    {
        if (oldName is not null)
        {
            _reachedOld.Add(oldName);
        }

        if (newName is not null)
        {
            _reachedNew.Add(newName);
        }
    }

    /// <summary>A typedef both files define and use in corresponding places, compared where it is defined.</summary>
    private void CompareTypedefs(TypedefDefinition old, TypedefDefinition @new)
    {
        MarkReached(old.Name, @new.Name);
        if (_comparedTypedefs.Add(old.Name))
        {
            _pending.Enqueue(() => CompareTypedefBodies(old, @new));
        }
    }

    private void CompareTypedefBodies(TypedefDefinition old, TypedefDefinition @new)
    {
        // A typedef of an enum, struct or union written in place names a C# type of its own: compare it under that name.
        if (FormReader.Written(old.Declaration.Type, old.Name, old.Location) is { } oldAggregate && old.Declaration.Kind == DeclarationKind.Scalar
            && FormReader.Written(@new.Declaration.Type, @new.Name, @new.Location) is { } newAggregate && @new.Declaration.Kind == DeclarationKind.Scalar
            && oldAggregate.Keyword == newAggregate.Keyword)
        {
            CompareAggregates(oldAggregate, newAggregate, new Site($"typedef {@new.Name}", @new.Location, old.Location));
            return;
        }

        CompareForms(FormReader.Of(old.Declaration), FormReader.Of(@new.Declaration), new Site($"typedef {@new.Name}", @new.Location, old.Location));
    }

    /// <summary>
    /// Two 4-byte integer declarations (int, unsigned int, enum, bool; rpcgen's short and char): the values the new type
    /// allows against the old one's (<see cref="IntegerValues"/>).
    /// </summary>
    private void CompareIntegers(IntegerValues old, IntegerValues @new, Form oldForm, Form newForm, Site site)
    {
        bool narrower = @new.IsWithin(old), wider = old.IsWithin(@new);
        string change = $"{site.Name}: {_oldForms.DescribeResolved(oldForm)} ({old}) is now {_newForms.DescribeResolved(newForm)} ({@new})";
        if (narrower && wider)
        {
            Report(DiagnosticDescriptors.SameWireOtherDeclaration, site.New, site.Old, $"{change}, with the same values", SameInt);
        }
        else if (narrower)
        {
            Report(DiagnosticDescriptors.IntegerNarrowed, site.New, site.Old, change, NarrowInt);
        }
        else if (wider)
        {
            Report(DiagnosticDescriptors.IntegerWidened, site.New, site.Old, change, WideInt);
        }
        else
        {
            Report(DiagnosticDescriptors.TypeChanged, site.New, site.Old, change, OtherEncoding);
        }
    }

    private void CompareBytes(BytesForm old, BytesForm @new, Site site)
    {
        string change = $"{site.Name}: {FormReader.Describe(old)} is now {FormReader.Describe(@new)}";
        if (old.IsFixed != @new.IsFixed)
        {
            Report(DiagnosticDescriptors.LengthKindChanged, site.New, site.Old, change, LengthOnWire);
            return;
        }

        if (old.IsString != @new.IsString)
        {
            Report(DiagnosticDescriptors.OpaqueStringSwapped, site.New, site.Old, change, OpaqueOrString);
        }

        CompareLengths(old.IsFixed, old.Size, @new.Size, site);
    }

    private void CompareArrays(ArrayForm old, ArrayForm @new, Site site)
    {
        if (old.IsFixed != @new.IsFixed)
        {
            Report(DiagnosticDescriptors.LengthKindChanged, site.New, site.Old, $"{site.Name}: {FormReader.Describe(old)} is now {FormReader.Describe(@new)}", LengthOnWire);
        }
        else
        {
            CompareLengths(old.IsFixed, old.Size, @new.Size, site);
        }

        CompareForms(old.Element, @new.Element, site.Element);
    }

    /// <summary>
    /// A fixed length must stay; a maximum lowered breaks the wire (new readers refuse what old writers may send), a
    /// maximum raised breaks it for old readers only, once a new writer uses the room.
    /// </summary>
    private void CompareLengths(bool isFixed, uint old, uint @new, Site site)
    {
        if (old == @new)
        {
            return;
        }

        if (isFixed)
        {
            Report(DiagnosticDescriptors.FixedLengthChanged, site.New, site.Old, $"{site.Name}: fixed length {old} is now {@new}", FixedLength);
        }
        else if (@new < old)
        {
            Report(DiagnosticDescriptors.BoundNarrowed, site.New, site.Old, $"{site.Name}: maximum length lowered from {FormReader.Length(old)} to {FormReader.Length(@new)}", Narrowed);
        }
        else
        {
            Report(DiagnosticDescriptors.BoundWidened, site.New, site.Old, $"{site.Name}: maximum length raised from {FormReader.Length(old)} to {FormReader.Length(@new)}", Widened);
        }
    }

    /// <summary>Two enums, structs or unions in corresponding places, compared once a pair.</summary>
    private void CompareAggregates(Aggregate old, Aggregate @new, Site site)
    {
        MarkReached(old.Name, @new.Name);
        if (_comparedBodies.Add((old.Body, @new.Body)))
        {
            _pending.Enqueue(() => CompareAggregateBodies(old, @new, site));
        }
    }

    private void CompareAggregateBodies(Aggregate old, Aggregate @new, Site site)
    {
        if (CompareWrapped(old, @new, site))
        {
            return;
        }

        if (old.Name != @new.Name)
        {
            Report(DiagnosticDescriptors.TypeRenamed, @new.Location, old.Location, $"{site.Name}: {old.Display} is now {@new.Display}", NotOnWire);
        }

        string owner = @new.Name is null ? $"{site.Name} ({@new.Display})" : @new.Display;
        switch (old.Body, @new.Body)
        {
            case (StructBody oldStruct, StructBody newStruct):
                CompareMembers(owner, "field",
                    [.. oldStruct.Fields.Select(f => new Member(f.Name!, true, FormReader.Of(f), f.Location))],
                    [.. newStruct.Fields.Select(f => new Member(f.Name!, true, FormReader.Of(f), f.Location))],
                    @new.Location, old.Location);
                break;
            case (UnionBody oldUnion, UnionBody newUnion):
                CompareUnions(oldUnion, newUnion, owner, @new.Location, old.Location);
                break;
            case (EnumBody oldEnum, EnumBody newEnum):
                CompareEnums(oldEnum, newEnum, owner, @new.Location, old.Location);
                break;
        }
    }

    /// <summary>
    /// A struct of one field that is a struct, where the other file has that struct (or another) directly: XDR sees a
    /// struct of one field as that field (RFC 4506 section 4.14), so the wrapping is a source-breaking change of its own,
    /// and what is inside is compared with what was there, field by field, rather than with the wrapper's one field.
    /// </summary>
    /// <returns>True when one side was a wrapper and has been compared so.</returns>
    private bool CompareWrapped(Aggregate old, Aggregate @new, Site site)
    {
        if (old.Body is not StructBody oldStruct || @new.Body is not StructBody newStruct || oldStruct.Fields.Length == newStruct.Fields.Length)
        {
            return false;
        }

        if (Wrapped(_newForms, newStruct) is { } newInner && !ReferenceEquals(newInner.Body, old.Body))
        {
            Report(DiagnosticDescriptors.SameWireOtherDeclaration, @new.Location, old.Location,
                $"{site.Name}: {old.Display} is now {@new.Display}, a struct of one field around {newInner.Display}", SameBytes);
            CompareAggregates(old, newInner, site);
            return true;
        }

        if (Wrapped(_oldForms, oldStruct) is { } oldInner && !ReferenceEquals(oldInner.Body, @new.Body))
        {
            Report(DiagnosticDescriptors.SameWireOtherDeclaration, @new.Location, old.Location,
                $"{site.Name}: {old.Display}, a struct of one field around {oldInner.Display}, is now {@new.Display}", SameBytes);
            CompareAggregates(oldInner, @new, site);
            return true;
        }

        return false;

        static Aggregate? Wrapped(FormReader reader, StructBody body) =>
            body.Fields is [{ Kind: DeclarationKind.Scalar } only] && reader.Resolve(FormReader.Of(only), only.Location).Aggregate is { Body: StructBody } inner ? inner : null;
    }

    /// <summary>
    /// The fields of two structs, or the arguments of two procedures. Members are paired by name, and what is left by
    /// position (a rename); pairs out of order are moves, members without a partner added or removed. Where the number of
    /// members changed but the bytes did not (fields moved into a struct of their own, or out of one), that is one
    /// source-breaking change; with the same number, the names say which member is which, and a swap of two ints
    /// breaks the wire although each position keeps its type.
    /// </summary>
    private void CompareMembers(string owner, string noun, IReadOnlyList<Member> old, IReadOnlyList<Member> @new, SourceLocation newAt, SourceLocation oldAt)
    {
        if (old.Count != @new.Count && _wire.SameSequence([.. old.Select(m => m.Form)], [.. @new.Select(m => m.Form)]))
        {
            Report(DiagnosticDescriptors.SameWireOtherDeclaration, newAt, oldAt,
                $"{owner}: {noun}s {List(old)} are now {List(@new)}, with the same bytes on the wire", SameBytes);
            return;
        }

        int[] partner = [.. Enumerable.Repeat(-1, old.Count)];
        bool[] taken = new bool[@new.Count];
        var newByName = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int j = 0; j < @new.Count; j++)
        {
            if (@new[j].Named)
            {
                newByName.TryAdd(@new[j].Name, j);
            }
        }

        for (int i = 0; i < old.Count; i++)
        {
            if (old[i].Named && newByName.TryGetValue(old[i].Name, out int j) && !taken[j])
            {
                partner[i] = j;
                taken[j] = true;
            }
        }

        for (int i = 0; i < old.Count && i < @new.Count; i++)
        {
            if (partner[i] < 0 && !taken[i])
            {
                partner[i] = i;
                taken[i] = true;
            }
        }

        HashSet<int> inOrder = LongestIncreasingRun(partner);
        for (int i = 0; i < old.Count; i++)
        {
            if (partner[i] < 0)
            {
                Report(DiagnosticDescriptors.FieldRemoved, newAt, old[i].Location,
                    $"{owner}: {noun} '{old[i].Name}' ({FormReader.Describe(old[i].Form)}) removed", StructOrder);
            }
            else if (!inOrder.Contains(i))
            {
                Report(DiagnosticDescriptors.FieldMoved, @new[partner[i]].Location, old[i].Location,
                    $"{owner}: {noun} '{@new[partner[i]].Name}' moved from position {i + 1} to {partner[i] + 1}", StructOrder);
            }
        }

        for (int j = 0; j < @new.Count; j++)
        {
            if (!taken[j])
            {
                Report(DiagnosticDescriptors.FieldAdded, @new[j].Location, oldAt,
                    $"{owner}: {noun} '{@new[j].Name}' ({FormReader.Describe(@new[j].Form)}) added", StructOrder);
            }
        }

        for (int i = 0; i < old.Count; i++)
        {
            if (partner[i] < 0)
            {
                continue;
            }

            Member before = old[i], after = @new[partner[i]];
            if (before.Named && after.Named && before.Name != after.Name)
            {
                Report(DiagnosticDescriptors.FieldRenamed, after.Location, before.Location, $"{owner}: {noun} '{before.Name}' renamed to '{after.Name}'", NotOnWire);
            }

            CompareForms(before.Form, after.Form, new Site($"{owner} {noun} '{after.Name}'", after.Location, before.Location));
        }

        static string List(IReadOnlyList<Member> members) => members.Count == 0 ? "(none)" : string.Join(", ", members.Select(m => $"'{m.Name}'"));
    }

    /// <summary>The old indexes of the longest run of pairs whose new indexes keep the old order: everything else moved.</summary>
    private static HashSet<int> LongestIncreasingRun(int[] partner)
    {
        int[] paired = [.. Enumerable.Range(0, partner.Length).Where(i => partner[i] >= 0)];
        int[] length = new int[paired.Length];
        int[] previous = new int[paired.Length];
        int best = -1;
        for (int k = 0; k < paired.Length; k++)
        {
            length[k] = 1;
            previous[k] = -1;
            for (int m = 0; m < k; m++)
            {
                if (partner[paired[m]] < partner[paired[k]] && length[m] + 1 > length[k])
                {
                    length[k] = length[m] + 1;
                    previous[k] = m;
                }
            }

            if (best < 0 || length[k] > length[best])
            {
                best = k;
            }
        }

        var run = new HashSet<int>();
        for (int k = best; k >= 0; k = previous[k])
        {
            run.Add(paired[k]);
        }

        return run;
    }

    /// <summary>Two unions: the discriminant, then the arms by case value (what the wire carries), then the default arm.</summary>
    private void CompareUnions(UnionBody old, UnionBody @new, string owner, SourceLocation newAt, SourceLocation oldAt)
    {
        if (old.Discriminant.Name != @new.Discriminant.Name)
        {
            Report(DiagnosticDescriptors.FieldRenamed, @new.Discriminant.Location, old.Discriminant.Location,
                $"{owner}: discriminant '{old.Discriminant.Name}' renamed to '{@new.Discriminant.Name}'", NotOnWire);
        }

        CompareForms(FormReader.Of(old.Discriminant), FormReader.Of(@new.Discriminant),
            new Site($"{owner} discriminant '{@new.Discriminant.Name}'", @new.Discriminant.Location, old.Discriminant.Location));

        Dictionary<long, (UnionArm Arm, CaseLabel Label)> oldCases = Cases(old), newCases = Cases(@new);
        var comparedArms = new HashSet<(object Old, object New)>(ReferencePairComparer.Instance);
        foreach ((long value, (UnionArm arm, CaseLabel label)) in oldCases)
        {
            if (newCases.TryGetValue(value, out var match))
            {
                if (comparedArms.Add((arm, match.Arm)))
                {
                    CompareArms(arm.Declaration, match.Arm.Declaration, new Site($"{owner} case {Label(match.Label)}", match.Arm.Declaration.Location, arm.Declaration.Location));
                }
            }
            else if (@new.Default is { } newDefault && _wire.Same(FormReader.Of(arm.Declaration), FormReader.Of(newDefault)))
            {
                Report(DiagnosticDescriptors.SameWireOtherDeclaration, newDefault.Location, label.Location,
                    $"{owner}: case {Label(label)} is now decoded by the default arm, of the same encoding", DefaultSameBytes);
            }
            else
            {
                string then = @new.Default is null ? string.Empty : "; the default arm, of another encoding, now decodes it";
                Report(DiagnosticDescriptors.CaseRemoved, newAt, label.Location, $"{owner}: case {Label(label)} removed{then}", @new.Default is null ? CaseGone : CaseFromDefault);
            }
        }

        foreach ((long value, (UnionArm arm, CaseLabel label)) in newCases)
        {
            if (oldCases.ContainsKey(value))
            {
                continue;
            }

            if (old.Default is null)
            {
                Report(DiagnosticDescriptors.CaseAdded, label.Location, oldAt, $"{owner}: case {Label(label)} added", CaseNew);
            }
            else if (_wire.Same(FormReader.Of(old.Default), FormReader.Of(arm.Declaration)))
            {
                Report(DiagnosticDescriptors.SameWireOtherDeclaration, label.Location, old.Default.Location,
                    $"{owner}: case {Label(label)} now has an arm of its own, of the default arm's encoding", DefaultSameBytes);
            }
            else
            {
                Report(DiagnosticDescriptors.CaseTakenFromDefault, label.Location, old.Default.Location,
                    $"{owner}: case {Label(label)}, which the default arm decoded, now has an arm of another encoding ({FormReader.Describe(FormReader.Of(arm.Declaration))})", CaseFromDefault);
            }
        }

        switch (old.Default, @new.Default)
        {
            case ({ } oldDefault, { } newDefault):
                CompareArms(oldDefault, newDefault, new Site($"{owner} default arm", newDefault.Location, oldDefault.Location));
                break;
            case ({ } oldDefault, null):
                Report(DiagnosticDescriptors.DefaultRemoved, newAt, oldDefault.Location, $"{owner}: default arm removed", DefaultGone);
                break;
            case (null, { } newDefault):
                Report(DiagnosticDescriptors.DefaultAdded, newDefault.Location, oldAt, $"{owner}: default arm added", DefaultNew);
                break;
        }
    }

    private void CompareArms(Declaration old, Declaration @new, Site site)
    {
        if (old.Name is not null && @new.Name is not null && old.Name != @new.Name)
        {
            Report(DiagnosticDescriptors.ArmRenamed, site.New, site.Old, $"{site.Name}: arm '{old.Name}' renamed to '{@new.Name}'", NotOnWire);
        }

        CompareForms(FormReader.Of(old), FormReader.Of(@new), site);
    }

    private static Dictionary<long, (UnionArm Arm, CaseLabel Label)> Cases(UnionBody body)
    {
        var cases = new Dictionary<long, (UnionArm, CaseLabel)>();
        foreach (UnionArm arm in body.Arms)
        {
            foreach (CaseLabel label in arm.Labels)
            {
                cases.TryAdd(label.Value, (arm, label));
            }
        }

        return cases;
    }

    private static string Label(CaseLabel label) =>
        label.ConstantName is { } name ? $"{name} ({label.Value.ToString(CultureInfo.InvariantCulture)})" : label.Value.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// Two enums, by value (what the wire carries): a member that keeps its name with another value, values removed,
    /// values renamed, values added.
    /// </summary>
    private void CompareEnums(EnumBody old, EnumBody @new, string owner, SourceLocation newAt, SourceLocation oldAt)
    {
        var newByName = new Dictionary<string, EnumMember>(StringComparer.Ordinal);
        foreach (EnumMember member in @new.Members)
        {
            newByName.TryAdd(member.Name, member);
        }

        ILookup<int, EnumMember> oldByValue = old.Members.ToLookup(m => m.Value), newByValue = @new.Members.ToLookup(m => m.Value);
        var changedOld = new HashSet<int>();
        var changedNew = new HashSet<int>();
        var changedNames = new HashSet<string>(StringComparer.Ordinal);
        foreach (EnumMember member in old.Members)
        {
            if (newByName.TryGetValue(member.Name, out EnumMember? match) && match.Value != member.Value)
            {
                Report(DiagnosticDescriptors.EnumValueChanged, match.Location, member.Location, $"{owner}: {member.Name} changed from {member.Value} to {match.Value}", EnumValues);
                changedOld.Add(member.Value);
                changedNew.Add(match.Value);
                changedNames.Add(member.Name);
            }
        }

        foreach (IGrouping<int, EnumMember> value in oldByValue)
        {
            if (changedOld.Contains(value.Key))
            {
                continue;
            }

            EnumMember first = value.First();
            // A value whose only members in the new file came there from other values (A = 1 is now A = 2) is gone too.
            if (!newByValue.Contains(value.Key) || newByValue[value.Key].All(m => changedNames.Contains(m.Name)))
            {
                Report(DiagnosticDescriptors.EnumValueRemoved, newAt, first.Location, $"{owner}: {first.Name} ({value.Key}) removed", EnumValues);
            }
            else if (!newByValue[value.Key].Any(m => value.Any(o => o.Name == m.Name)))
            {
                EnumMember renamed = newByValue[value.Key].First();
                Report(DiagnosticDescriptors.EnumMemberRenamed, renamed.Location, first.Location, $"{owner}: {first.Name} ({value.Key}) renamed to {renamed.Name}", NotOnWire);
            }
        }

        foreach (IGrouping<int, EnumMember> value in newByValue)
        {
            if (!oldByValue.Contains(value.Key) && !changedNew.Contains(value.Key))
            {
                EnumMember first = value.First();
                Report(DiagnosticDescriptors.EnumValueAdded, first.Location, oldAt, $"{owner}: {first.Name} ({value.Key}) added", EnumAdded);
            }
        }
    }
}
