using NetRpc.RpcGen.Diagnostics;

namespace NetRpc.RpcGen.Preprocessing;

/// <summary>Why an #if expression could not be evaluated, and where (an index into the directive text).</summary>
internal readonly record struct ExpressionError(DiagnosticDescriptor Descriptor, string Message, int Position);

/// <summary>
/// Evaluates #if and #elif expressions as cpp does (C11 6.10.1): macros are expanded (object-like ones,
/// never inside their own expansion), <c>defined</c> is applied, identifiers left over are 0, and the
/// arithmetic is C's on 64-bit intmax_t and uintmax_t. Work is bounded: nesting deeper than
/// <see cref="MaxDepth"/> and expansions beyond <see cref="MaxExpansionTokens"/> are errors, not crashes.
/// One instance is reused for every expression of a run; it is not thread-safe.
/// </summary>
internal sealed class ExpressionEvaluator
{
    /// <summary>Deepest nesting of parentheses, unary operators, conditional operators and operators of rising precedence.</summary>
    public const int MaxDepth = 256;

    /// <summary>Most tokens the macros in one expression may expand to, for one target.</summary>
    public const int MaxExpansionTokens = 100_000;

    private readonly TargetMacros _macros;
    private Func<string, long?>? _resolve;
    private readonly List<ExpressionToken> _expanded = [];
    private readonly List<ExpansionFrame> _frames = [];
    private readonly HashSet<Macro> _expanding = [];

    private List<ExpressionToken> _tokens = [];
    private int _next;
    private int _target;
    private int _unevaluated;
    private ExpressionError? _error;
    private ExpressionError? _divisionByZero;

    public ExpressionEvaluator(TargetMacros macros) => _macros = macros;

    /// <summary>
    /// Evaluates a C integer constant expression for its value rather than its truth, with no macro table:
    /// every identifier goes to <paramref name="resolve"/>, and one it cannot resolve is an error. The checker
    /// uses this for the <c>%#define</c> lines that define constants in rpcgen's generated header.
    /// </summary>
    public bool TryEvaluateValue(List<ExpressionToken> tokens, Func<string, long?> resolve, out ExpressionValue value, out ExpressionError? error)
    {
        _resolve = resolve;
        try
        {
            bool ok = Run(tokens, target: 0, expandMacros: false, out value, out error);
            return ok && error is null;
        }
        finally
        {
            _resolve = null;
        }
    }

    /// <summary>Evaluates the tokens of one expression (ending with an End token) for one target.</summary>
    public bool Evaluate(List<ExpressionToken> tokens, int target, bool expandMacros, out ExpressionError? error) =>
        Run(tokens, target, expandMacros, out ExpressionValue value, out error) && value.IsTrue;

    private bool Run(List<ExpressionToken> tokens, int target, bool expandMacros, out ExpressionValue result, out ExpressionError? error)
    {
        _target = target;
        _error = null;
        _divisionByZero = null;
        if (expandMacros)
        {
            Expand(tokens);
            _tokens = _expanded;
        }
        else
        {
            _tokens = tokens;
        }

        ExpressionValue value = default;
        if (_error is null)
        {
            _next = 0;
            _unevaluated = 0;
            if (Peek().Kind == ExpressionTokenKind.End)
            {
                // Only macros that expand to nothing can get here; point at the first of them.
                Fail(DiagnosticDescriptors.InvalidExpression, "#if with no expression", tokens[0].Position);
            }
            else
            {
                value = ParseComma(0);
                if (_error is null && Peek().Kind != ExpressionTokenKind.End)
                {
                    ExpressionToken extra = Peek();
                    FailAt(extra, extra.Operator == ExpressionOperator.CloseParen
                        ? "missing '(' in #if expression"
                        : $"missing binary operator before {Describe(extra)}");
                }
            }
        }

        error = _error ?? _divisionByZero;
        _tokens = _expanded;
        result = value;
        return _error is null;
    }

    private void Expand(List<ExpressionToken> tokens)
    {
        _expanded.Clear();
        _frames.Clear();
        _expanding.Clear();
        _frames.Add(new ExpansionFrame(tokens, tokens.Count - 1, null, 0));
        int budget = MaxExpansionTokens;

        // 1 right after 'defined', 2 after 'defined (': the operand names a macro and must not be expanded.
        int definedOperand = 0;
        while (_frames.Count > 0)
        {
            ExpansionFrame frame = _frames[^1];
            if (frame.Next >= frame.Count)
            {
                _frames.RemoveAt(_frames.Count - 1);
                if (frame.Macro is not null)
                {
                    _expanding.Remove(frame.Macro);
                }

                continue;
            }

            ExpressionToken token = frame.Tokens[frame.Next++];
            if (frame.Macro is not null)
            {
                // Errors inside a replacement are reported where the macro was used.
                token = token with { Position = frame.Position };
            }

            if (token.Kind == ExpressionTokenKind.Identifier && definedOperand == 0)
            {
                if (token.Text == "defined")
                {
                    definedOperand = 1;
                    _expanded.Add(token);
                    continue;
                }

                Macro? macro = _macros.Lookup(_target, token.Text!);
                if (macro is not null && !_expanding.Contains(macro))
                {
                    budget -= macro.Tokens.Length + 1;
                    if (budget < 0)
                    {
                        Fail(DiagnosticDescriptors.MacroExpansionTooLarge,
                            $"macros in this expression expand to more than {MaxExpansionTokens} tokens", token.Position);
                        return;
                    }

                    _expanding.Add(macro);
                    _frames.Add(new ExpansionFrame(macro.Tokens, macro.Tokens.Length, macro, token.Position));
                    continue;
                }
            }
            else
            {
                definedOperand = definedOperand == 1 && token.Operator == ExpressionOperator.OpenParen ? 2 : 0;
            }

            _expanded.Add(token);
        }

        _expanded.Add(tokens[^1]);
    }

    private ExpressionToken Peek() => _tokens[_next];

    private ExpressionToken Take()
    {
        ExpressionToken token = _tokens[_next];
        if (token.Kind != ExpressionTokenKind.End)
        {
            _next++;
        }

        return token;
    }

    private bool Enter(ref int depth, int position)
    {
        if (++depth > MaxDepth)
        {
            Fail(DiagnosticDescriptors.ExpressionTooDeep, $"#if expression nested more than {MaxDepth} levels deep", position);
            return false;
        }

        return true;
    }

    private void Fail(DiagnosticDescriptor descriptor, string message, int position) => _error ??= new ExpressionError(descriptor, message, position);

    /// <summary>A syntax error at <paramref name="token"/>; an invalid token's own complaint says more.</summary>
    private void FailAt(ExpressionToken token, string message) =>
        Fail(DiagnosticDescriptors.InvalidExpression, token.Kind == ExpressionTokenKind.Invalid ? token.Text! : message, token.Position);

    private ExpressionValue ParseComma(int depth)
    {
        ExpressionValue value = ParseConditional(depth);
        while (_error is null && Peek().Operator == ExpressionOperator.Comma)
        {
            Take();
            value = ParseConditional(depth);
        }

        return value;
    }

    private ExpressionValue ParseConditional(int depth)
    {
        ExpressionValue condition = ParseBinary(1, depth);
        if (_error is not null || Peek().Operator != ExpressionOperator.Question)
        {
            return condition;
        }

        ExpressionToken question = Take();
        if (!Enter(ref depth, question.Position))
        {
            return default;
        }

        bool chooseFirst = condition.IsTrue;
        _unevaluated += chooseFirst ? 0 : 1;
        ExpressionValue first = ParseComma(depth);
        _unevaluated -= chooseFirst ? 0 : 1;
        if (_error is not null)
        {
            return default;
        }

        if (Peek().Operator != ExpressionOperator.Colon)
        {
            FailAt(Peek(), $"'?' without following ':' (found {Describe(Peek())})");
            return default;
        }

        Take();
        _unevaluated += chooseFirst ? 1 : 0;
        ExpressionValue second = ParseConditional(depth);
        _unevaluated -= chooseFirst ? 1 : 0;
        ExpressionValue chosen = chooseFirst ? first : second;
        return chosen with { IsUnsigned = first.IsUnsigned || second.IsUnsigned };
    }

    private ExpressionValue ParseBinary(int minimumPrecedence, int depth)
    {
        ExpressionValue left = ParseUnary(depth);
        while (_error is null)
        {
            ExpressionToken token = Peek();
            int precedence = Precedence(token.Operator);
            if (precedence == 0 || precedence < minimumPrecedence)
            {
                break;
            }

            Take();
            int rightDepth = depth;
            if (!Enter(ref rightDepth, token.Position))
            {
                break;
            }

            if (token.Operator is ExpressionOperator.LogicalAnd or ExpressionOperator.LogicalOr)
            {
                // The right operand is parsed but not evaluated when the left decides (C11 6.5.13-14).
                bool isAnd = token.Operator == ExpressionOperator.LogicalAnd;
                int skip = left.IsTrue == isAnd ? 0 : 1;
                _unevaluated += skip;
                ExpressionValue right = ParseBinary(precedence + 1, rightDepth);
                _unevaluated -= skip;
                left = ExpressionValue.FromBool(isAnd ? left.IsTrue && right.IsTrue : left.IsTrue || right.IsTrue);
            }
            else
            {
                ExpressionValue right = ParseBinary(precedence + 1, rightDepth);
                left = Apply(token, left, right);
            }
        }

        return left;
    }

    private ExpressionValue ParseUnary(int depth)
    {
        ExpressionToken token = Peek();
        switch (token.Operator)
        {
            case ExpressionOperator.Not:
            case ExpressionOperator.Complement:
            case ExpressionOperator.Minus:
            case ExpressionOperator.Plus:
                Take();
                if (!Enter(ref depth, token.Position))
                {
                    return default;
                }

                ExpressionValue operand = ParseUnary(depth);
                return token.Operator switch
                {
                    ExpressionOperator.Not => ExpressionValue.FromBool(!operand.IsTrue),
                    ExpressionOperator.Complement => operand with { Bits = ~operand.Bits },
                    ExpressionOperator.Minus => operand with { Bits = unchecked(-operand.Bits) },
                    _ => operand,
                };

            default:
                return ParsePrimary(depth);
        }
    }

    private ExpressionValue ParsePrimary(int depth)
    {
        ExpressionToken token = Take();
        switch (token.Kind)
        {
            case ExpressionTokenKind.Number:
                return token.Value;

            case ExpressionTokenKind.Identifier when _resolve is not null:
                if (_unevaluated > 0)
                {
                    return ExpressionValue.False;
                }

                if (_resolve(token.Text!) is { } resolved)
                {
                    return new ExpressionValue(resolved, false);
                }

                Fail(DiagnosticDescriptors.InvalidExpression, $"'{token.Text}' is not a constant", token.Position);
                return default;

            case ExpressionTokenKind.Identifier:
                return token.Text == "defined" ? ParseDefined(token) : ExpressionValue.False;

            case ExpressionTokenKind.Invalid:
                Fail(DiagnosticDescriptors.InvalidExpression, token.Text!, token.Position);
                return default;

            case ExpressionTokenKind.End:
                Fail(DiagnosticDescriptors.InvalidExpression, "#if expression ends where a value was expected", token.Position);
                return default;
        }

        if (token.Operator == ExpressionOperator.OpenParen)
        {
            if (!Enter(ref depth, token.Position))
            {
                return default;
            }

            ExpressionValue value = ParseComma(depth);
            if (_error is null && Take() is { Operator: not ExpressionOperator.CloseParen } missing)
            {
                FailAt(missing, $"missing ')' in #if expression (found {Describe(missing)})");
            }

            return value;
        }

        FailAt(token, $"expected a value before {Describe(token)}");
        return default;
    }

    private ExpressionValue ParseDefined(ExpressionToken defined)
    {
        bool parenthesized = Peek().Operator == ExpressionOperator.OpenParen;
        if (parenthesized)
        {
            Take();
        }

        ExpressionToken name = Take();
        if (name.Kind != ExpressionTokenKind.Identifier)
        {
            FailAt(name.Kind == ExpressionTokenKind.End ? name with { Position = defined.Position } : name, $"operator 'defined' requires a macro name (found {Describe(name)})");
            return default;
        }

        if (parenthesized && Take() is { Operator: not ExpressionOperator.CloseParen } missing)
        {
            FailAt(missing, $"missing ')' after 'defined {name.Text}'");
            return default;
        }

        return ExpressionValue.FromBool(_macros.Lookup(_target, name.Text!) is not null);
    }

    private ExpressionValue Apply(ExpressionToken op, ExpressionValue left, ExpressionValue right)
    {
        // The usual arithmetic conversions: one unsigned operand makes the operation unsigned.
        bool isUnsigned = left.IsUnsigned || right.IsUnsigned;
        long l = left.Bits;
        long r = right.Bits;
        switch (op.Operator)
        {
            case ExpressionOperator.Multiply:
                return new(unchecked(l * r), isUnsigned);

            case ExpressionOperator.Divide:
            case ExpressionOperator.Remainder:
                if (r == 0)
                {
                    if (_unevaluated == 0)
                    {
                        _divisionByZero ??= new ExpressionError(DiagnosticDescriptors.DivisionByZero,
                            op.Operator == ExpressionOperator.Divide ? "division by zero in #if expression" : "remainder by zero in #if expression",
                            op.Position);
                    }

                    // GCC reports the error but goes on with the magnitude of the left operand (num_div_op in
                    // libcpp/expr.cc), so the region is kept or dropped as cpp would.
                    return isUnsigned || l >= 0 ? left : left with { Bits = unchecked(-l) };
                }

                bool divide = op.Operator == ExpressionOperator.Divide;
                if (isUnsigned)
                {
                    ulong ul = unchecked((ulong)l);
                    ulong ur = unchecked((ulong)r);
                    return new(unchecked((long)(divide ? ul / ur : ul % ur)), true);
                }

                if (l == long.MinValue && r == -1)
                {
                    // Overflows in C; cpp wraps.
                    return new(divide ? long.MinValue : 0, false);
                }

                return new(divide ? l / r : l % r, false);

            case ExpressionOperator.Plus:
                return new(unchecked(l + r), isUnsigned);

            case ExpressionOperator.Minus:
                return new(unchecked(l - r), isUnsigned);

            case ExpressionOperator.ShiftLeft:
            case ExpressionOperator.ShiftRight:
            {
                // The result has the left operand's type; cpp shifts the other way for a negative count.
                bool left1 = op.Operator == ExpressionOperator.ShiftLeft;
                ulong count = unchecked((ulong)r);
                if (!right.IsUnsigned && r < 0)
                {
                    left1 = !left1;
                    count = unchecked((ulong)-r);
                }

                return Shift(left, count, left1);
            }

            case ExpressionOperator.Less:
                return ExpressionValue.FromBool(isUnsigned ? unchecked((ulong)l < (ulong)r) : l < r);
            case ExpressionOperator.LessOrEqual:
                return ExpressionValue.FromBool(isUnsigned ? unchecked((ulong)l <= (ulong)r) : l <= r);
            case ExpressionOperator.Greater:
                return ExpressionValue.FromBool(isUnsigned ? unchecked((ulong)l > (ulong)r) : l > r);
            case ExpressionOperator.GreaterOrEqual:
                return ExpressionValue.FromBool(isUnsigned ? unchecked((ulong)l >= (ulong)r) : l >= r);
            case ExpressionOperator.Equal:
                return ExpressionValue.FromBool(l == r);
            case ExpressionOperator.NotEqual:
                return ExpressionValue.FromBool(l != r);
            case ExpressionOperator.BitwiseAnd:
                return new(l & r, isUnsigned);
            case ExpressionOperator.BitwiseXor:
                return new(l ^ r, isUnsigned);
            case ExpressionOperator.BitwiseOr:
                return new(l | r, isUnsigned);
            default:
                return default;
        }
    }

    private static ExpressionValue Shift(ExpressionValue value, ulong count, bool left)
    {
        long bits;
        if (left)
        {
            bits = count >= 64 ? 0 : value.Bits << (int)count;
        }
        else if (value.IsUnsigned)
        {
            bits = count >= 64 ? 0 : unchecked((long)((ulong)value.Bits >> (int)count));
        }
        else
        {
            bits = count >= 64 ? (value.Bits < 0 ? -1 : 0) : value.Bits >> (int)count;
        }

        return value with { Bits = bits };
    }

    // C's binary operator precedence, loosest first (C11 6.5.5-6.5.14); 0 for anything else.
    private static int Precedence(ExpressionOperator op) => op switch
    {
        ExpressionOperator.LogicalOr => 1,
        ExpressionOperator.LogicalAnd => 2,
        ExpressionOperator.BitwiseOr => 3,
        ExpressionOperator.BitwiseXor => 4,
        ExpressionOperator.BitwiseAnd => 5,
        ExpressionOperator.Equal or ExpressionOperator.NotEqual => 6,
        ExpressionOperator.Less or ExpressionOperator.LessOrEqual or ExpressionOperator.Greater or ExpressionOperator.GreaterOrEqual => 7,
        ExpressionOperator.ShiftLeft or ExpressionOperator.ShiftRight => 8,
        ExpressionOperator.Plus or ExpressionOperator.Minus => 9,
        ExpressionOperator.Multiply or ExpressionOperator.Divide or ExpressionOperator.Remainder => 10,
        _ => 0,
    };

    private static string Describe(ExpressionToken token) => token.Kind switch
    {
        ExpressionTokenKind.End => "the end of the line",
        ExpressionTokenKind.Number => "a number",
        ExpressionTokenKind.Identifier => $"'{token.Text}'",
        ExpressionTokenKind.Operator => $"'{ExpressionLexer.Spelling(token.Operator)}'",
        _ => "an invalid token",
    };

    private sealed class ExpansionFrame(IReadOnlyList<ExpressionToken> tokens, int count, Macro? macro, int position)
    {
        public IReadOnlyList<ExpressionToken> Tokens { get; } = tokens;

        public int Count { get; } = count;

        public Macro? Macro { get; } = macro;

        public int Position { get; } = position;

        public int Next { get; set; }
    }
}
