using System.Numerics;
using Antlr4.Runtime;
using NetRpc.RpcGen.Diagnostics;
using NetRpc.RpcGen.Naming;
using NetRpc.RpcGen.Preprocessing;
using static NetRpc.RpcGen.Grammar.RpclParser;

namespace NetRpc.RpcGen.Checking;

/// <summary>
/// Named values (constants, enum members, programs, version and procedure names, <c>%#define</c>s) are evaluated
/// on demand, each once, in any order of definition. A value may be defined by the next and that one by the next,
/// as long a chain as the file likes (rpcgen takes 6,000 constants each defined by the following one), so the
/// chain is followed with an explicit stack rather than by recursion: before a value is computed, every value its
/// computation will read is computed first, deepest first, and the computation itself only reads finished ones.
/// Cycles are found where the recursive definition would meet them (a value reached again while it is being
/// evaluated), and reported there.
/// </summary>
internal sealed partial class Binder
{
    private readonly Dictionary<EnumMemberContext, MemberNode> _memberNodes = [];
    private readonly Dictionary<string, ProgramNumberNode> _programNumberNodes = new(StringComparer.Ordinal);

    private enum EvaluationState
    {
        NotStarted,
        InProgress,
        Done,
    }

    /// <summary>The value of <paramref name="node"/>, evaluated now if it was not yet; <paramref name="use"/> is the token that names it.</summary>
    private BigInteger? ValueOf(ValueNode node, IToken use)
    {
        switch (node.State)
        {
            case EvaluationState.Done:
                return node.Value;
            case EvaluationState.InProgress:
                // Reached again while being evaluated: defined in terms of itself. Reported once; then it counts as settled.
                node.ReportCycle(this, use);
                node.State = EvaluationState.Done;
                node.Value = null;
                return null;
        }

        Settle(node, use);
        return node.Value;
    }

    /// <summary>
    /// Evaluates <paramref name="root"/> and, first, everything its evaluation reads that is not evaluated yet, depth
    /// first, in the order the evaluation reads them: a path of values being evaluated, kept on a stack of our own.
    /// Every value on the path is in progress, so a value found again on it is a cycle, as it would be for the
    /// recursive evaluation (<see cref="ValueOf"/> reports it when the computation reads it).
    /// </summary>
    private void Settle(ValueNode root, IToken use)
    {
        var path = new Stack<(ValueNode Node, IToken Use)>();
        root.State = EvaluationState.InProgress;
        path.Push((root, use));
        while (path.Count > 0)
        {
            (ValueNode node, IToken nodeUse) = path.Peek();
            if (node.NextUnevaluated(this, nodeUse) is { } next)
            {
                next.Node.State = EvaluationState.InProgress;
                path.Push(next);
                continue;
            }

            path.Pop();
            BigInteger? value = node.Compute(this, nodeUse);
            if (node.State == EvaluationState.InProgress)
            {
                node.Value = value;
                node.State = EvaluationState.Done;
            }
        }
    }

    /// <summary>The value a name stands for, when it is one defined in this file (or by a <c>%#define</c>); null for anything else. Reports nothing.</summary>
    private ValueNode? NodeNamed(string name)
    {
        if (_symbols.TryGetValue(name, out Symbol? symbol))
        {
            return symbol.Repaired ? null : NodeOf(symbol);
        }

        if (_programNumbers.TryGetValue(name, out List<ValueContext>? definitions))
        {
            if (!_programNumberNodes.TryGetValue(name, out ProgramNumberNode? node))
            {
                _programNumberNodes[name] = node = new ProgramNumberNode(name, definitions);
            }

            return node;
        }

        return _passthroughDefines.TryGetValue(name, out PassthroughDefine? define) ? define.Node : null;
    }

    /// <summary>The value of a constant, an enum member or a program; null for a symbol of another kind.</summary>
    private ValueNode? NodeOf(Symbol symbol) => symbol.Node ??= symbol.Kind switch
    {
        SymbolKind.Constant => new ConstantNode(symbol),
        SymbolKind.EnumMember => MemberNodeOf((EnumMemberContext)symbol.Context),
        SymbolKind.Program => new ProgramNode(symbol),
        _ => null,
    };

    /// <summary>The value of an enum member as written (duplicates too: a duplicate still numbers the members after it).</summary>
    private MemberNode MemberNodeOf(EnumMemberContext member)
    {
        if (!_memberNodes.TryGetValue(member, out MemberNode? node))
        {
            MemberNode? previous = null;
            foreach (EnumMemberContext each in ((EnumBodyContext)member.Parent).enumMember())
            {
                previous = _memberNodes[each] = new MemberNode(each, previous, Locate(each.IDENTIFIER().Symbol));
            }

            node = _memberNodes[member];
        }

        return node;
    }

    /// <summary>The named value <paramref name="value"/> refers to, with its token, when it is not evaluated yet nor being evaluated.</summary>
    private (ValueNode Node, IToken Use)? Unevaluated(ValueContext? value) =>
        value is NameValueContext { } name && name.IDENTIFIER()?.Symbol is { } token && NodeNamed(token.Text) is { State: EvaluationState.NotStarted } node
            ? (node, token)
            : null;

    /// <summary>
    /// A named value: evaluated once (<see cref="State"/>, <see cref="Value"/>), after the values it reads. Each kind
    /// says what its evaluation reads (<see cref="NextUnevaluated"/>), how it computes (<see cref="Compute"/>) and
    /// how a cycle through it is reported.
    /// </summary>
    private abstract class ValueNode
    {
        public EvaluationState State { get; set; }

        public BigInteger? Value { get; set; }

        /// <summary>
        /// The first value that <see cref="Compute"/> will read and that is neither evaluated nor being evaluated, in
        /// the order it reads them, with the token naming it; null when there is none left.
        /// </summary>
        public abstract (ValueNode Node, IToken Use)? NextUnevaluated(Binder binder, IToken use);

        /// <summary>The value, reading only values already evaluated (or in progress: a cycle, reported as it is read).</summary>
        public abstract BigInteger? Compute(Binder binder, IToken use);

        public abstract void ReportCycle(Binder binder, IToken use);
    }

    /// <summary><c>const NAME = value;</c></summary>
    private sealed class ConstantNode(Symbol symbol) : ValueNode
    {
        private ValueContext? Definition => ((ConstantDefinitionContext)symbol.Context).value();

        public override (ValueNode Node, IToken Use)? NextUnevaluated(Binder binder, IToken use) => binder.Unevaluated(Definition);

        public override BigInteger? Compute(Binder binder, IToken use) => Definition is { } value ? binder.Evaluate(value).Value : null;

        public override void ReportCycle(Binder binder, IToken use) =>
            binder._diagnostics.Add(DiagnosticDescriptors.CircularConstant, symbol.Location, $"constant '{symbol.Name}' is defined in terms of itself");
    }

    /// <summary>An enum member: the value given, or the previous member's plus one (the first is 0), as C numbers them.</summary>
    private sealed class MemberNode(EnumMemberContext member, MemberNode? previous, SourceLocation location) : ValueNode
    {
        public EnumMemberContext Member { get; } = member;

        public MemberNode? Previous { get; } = previous;

        public IToken NameToken => Member.IDENTIFIER().Symbol;

        public override (ValueNode Node, IToken Use)? NextUnevaluated(Binder binder, IToken use) =>
            Member.value() is { } given ? binder.Unevaluated(given)
            : Previous is { State: EvaluationState.NotStarted } before ? (before, before.NameToken)
            : null;

        public override BigInteger? Compute(Binder binder, IToken use) => binder.EnumMemberValue(this);

        public override void ReportCycle(Binder binder, IToken use) =>
            binder._diagnostics.Add(DiagnosticDescriptors.CircularConstant, location, $"enum member '{NameToken.Text}' is defined in terms of itself");
    }

    /// <summary>A program's name used as a value (RFC 5531 section 12.3: program names share the constants' namespace; C sees them as #defines).</summary>
    private sealed class ProgramNode(Symbol symbol) : ValueNode
    {
        private ValueContext? Definition => ((ProgramDefinitionContext)symbol.Context).value();

        public override (ValueNode Node, IToken Use)? NextUnevaluated(Binder binder, IToken use) => binder.Unevaluated(Definition);

        public override BigInteger? Compute(Binder binder, IToken use) =>
            Definition is { } value ? binder.EvaluateInRange(value, 0, uint.MaxValue, DiagnosticDescriptors.ValueOutOfRange, "a program number") : null;

        public override void ReportCycle(Binder binder, IToken use) =>
            binder._diagnostics.Add(DiagnosticDescriptors.CircularConstant, symbol.Location, $"program '{symbol.Name}' is numbered in terms of itself");
    }

    /// <summary>
    /// A version or procedure name used as a value (rpcgen's C makes each a #define; rpcb_prot.x writes
    /// <c>const rpcb_highproc_2 = RPCBPROC_CALLIT;</c>). A name may recur across versions: every definition must agree.
    /// </summary>
    private sealed class ProgramNumberNode(string name, List<ValueContext> definitions) : ValueNode
    {
        public override (ValueNode Node, IToken Use)? NextUnevaluated(Binder binder, IToken use)
        {
            foreach (ValueContext definition in definitions)
            {
                if (binder.Unevaluated(definition) is { } next)
                {
                    return next;
                }
            }

            return null;
        }

        public override BigInteger? Compute(Binder binder, IToken use)
        {
            BigInteger? result = null;
            foreach (ValueContext definition in definitions)
            {
                BigInteger? value = binder.Evaluate(definition).Value;
                if (value is null)
                {
                    continue;
                }

                if (result is { } first && first != value)
                {
                    binder.Report(DiagnosticDescriptors.AmbiguousValue, use,
                        $"'{name}' is numbered {first} in one version and {value} in another; as a value it is ambiguous");
                    return null;
                }

                result = value;
            }

            return result;
        }

        public override void ReportCycle(Binder binder, IToken use) =>
            binder.Report(DiagnosticDescriptors.CircularConstant, use, $"'{name}' is numbered in terms of itself");
    }

    /// <summary>
    /// A name defined by a <c>%#define NAME expression</c> line that rpcgen copies into its C header (nlm_prot.x:
    /// <c>%#define LM_MAXSTRLEN 1024</c>, then <c>string caller_name&lt;LM_MAXSTRLEN&gt;</c>): the C compiler resolves
    /// it there, so NetRpc evaluates the expression as C would, names in it included. Which names the expression
    /// reads depends on their values (<c>A ? B : C</c> reads one of B and C), so the values it reads are found by
    /// evaluating it without reporting anything, stopping at the first that is not evaluated yet.
    /// </summary>
    private sealed class PassthroughNode(PassthroughDefine define) : ValueNode
    {
        public override (ValueNode Node, IToken Use)? NextUnevaluated(Binder binder, IToken use)
        {
            (ValueNode Node, IToken Use)? next = null;
            List<ExpressionToken> tokens = ExpressionLexer.Tokenize(define.Replacement, 0, includeEnd: true);
            _ = new ExpressionEvaluator(new TargetMacros()).TryEvaluateValue(tokens, name =>
            {
                if (next is not null)
                {
                    return null; // the rest of this run does not matter: it is run again once that value is known
                }

                switch (binder.NodeNamed(name))
                {
                    case { State: EvaluationState.NotStarted } node:
                        next = (node, new CommonToken(use) { Text = name });
                        return null;
                    case { State: EvaluationState.Done } node:
                        return AsCValue(node.Value);
                    case not null:
                        return null; // in progress: a cycle, whose value is none
                    default:
                        return AsCValue(binder.LeafValue(name));
                }
            }, out _, out _);
            return next;
        }

        public override BigInteger? Compute(Binder binder, IToken use)
        {
            List<ExpressionToken> tokens = ExpressionLexer.Tokenize(define.Replacement, 0, includeEnd: true);
            bool ok = new ExpressionEvaluator(new TargetMacros()).TryEvaluateValue(
                tokens, name => AsCValue(binder.EvaluateName(new CommonToken(use) { Text = name })), out ExpressionValue value, out ExpressionError? error);
            if (State != EvaluationState.InProgress)
            {
                return null; // a cycle through this define was found and reported inside
            }

            string line = $"'%{define.Line.Text.Trim()}' (at {define.Line.Location})";
            if (!ok)
            {
                binder.Report(DiagnosticDescriptors.UndefinedConstant, use, $"'{use.Text}' is defined only by the C line {line}, and NetRpc cannot evaluate it: {error?.Message}");
                return null;
            }

            BigInteger result = value.IsUnsigned ? (ulong)value.Bits : value.Bits;
            binder.Report(DiagnosticDescriptors.PassthroughConstant, use, $"'{use.Text}' is defined only by the C line {line}; NetRpc evaluates it as {result}, as the C compiler does");
            return result;
        }

        public override void ReportCycle(Binder binder, IToken use) =>
            binder.Report(DiagnosticDescriptors.CircularConstant, use, $"'{use.Text}' is defined in terms of itself");
    }

    /// <summary>What <see cref="EvaluateName"/> gives for a name that is no named value of this file, without its reports.</summary>
    private BigInteger? LeafValue(string name) =>
        _symbols.ContainsKey(name) ? null
        : PredefinedNames.BoolMembers.TryGetValue(name, out long boolMember) ? boolMember
        : PredefinedNames.Constants.TryGetValue(name, out long predefined) ? predefined
        : null;
}
