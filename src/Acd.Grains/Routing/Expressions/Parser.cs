namespace Acd.Grains.Routing.Expressions;

/// <summary>
/// Recursive descent over TaskRouter's grammar. Precedence, loosest first: OR, AND, NOT, comparison.
/// <code>
/// or         := and (("OR" | "||") and)*
/// and        := unary (("AND" | "&amp;&amp;") unary)*
/// unary      := ("NOT" | "!") unary | primary
/// primary    := "(" or ")" | operand (operator operand)?
/// operand    := string | number | true | false | null | key | "[" operand ("," operand)* "]"
/// </code>
/// Nesting (parentheses, NOT, lists) is bounded by <see cref="MaxDepth"/>, and chains of AND and OR become one node each,
/// so no input drives the parser, evaluation or compilation into deep recursion.
/// </summary>
internal sealed class Parser
{
    /// <summary>How deep parentheses, NOT and lists may nest: far more than any routing rule needs.</summary>
    public const int MaxDepth = 64;

    /// <summary>The longest expression accepted, in characters.</summary>
    public const int MaxLength = 16 * 1024;

    private readonly List<Token> _tokens;
    private readonly bool _prefixes;
    private int _next;
    private int _depth;

    private Parser(string source, bool prefixes)
    {
        _tokens = Lexer.Tokenize(source);
        _prefixes = prefixes;
    }

    public static ExpressionNode Parse(string source, bool prefixes)
    {
        if (string.IsNullOrWhiteSpace(source))
        {
            throw new ExpressionException("Empty expression", 0);
        }
        if (source.Length > MaxLength)
        {
            throw new ExpressionException($"Longer than {MaxLength} characters", MaxLength);
        }
        var parser = new Parser(source, prefixes);
        var node = parser.ParseOr();
        var end = parser.Peek;
        if (end.Kind != TokenKind.End)
        {
            throw new ExpressionException($"Unexpected '{end.Text}'", end.Position);
        }
        return node;
    }

    private Token Peek => _tokens[_next];

    private Token Take() => _tokens[_next++];

    private ExpressionNode ParseOr()
    {
        var first = ParseAnd();
        if (Peek.Kind != TokenKind.Or)
        {
            return first;
        }
        List<ExpressionNode> operands = [first];
        while (Peek.Kind == TokenKind.Or)
        {
            Take();
            operands.Add(ParseAnd());
        }
        return new LogicalNode(false, [.. operands]);
    }

    private ExpressionNode ParseAnd()
    {
        var first = ParseUnary();
        if (Peek.Kind != TokenKind.And)
        {
            return first;
        }
        List<ExpressionNode> operands = [first];
        while (Peek.Kind == TokenKind.And)
        {
            Take();
            operands.Add(ParseUnary());
        }
        return new LogicalNode(true, [.. operands]);
    }

    /// <summary>One level deeper (a parenthesis, a NOT, a list); too deep is an error at <paramref name="at"/>'s position.</summary>
    private void Descend(Token at)
    {
        if (++_depth > MaxDepth)
        {
            throw new ExpressionException($"Nested more than {MaxDepth} levels deep", at.Position);
        }
    }

    private ExpressionNode ParseUnary()
    {
        if (Peek.Kind == TokenKind.Not)
        {
            Descend(Take());
            var operand = ParseUnary();
            _depth--;
            return new NotNode(operand);
        }
        return ParsePrimary();
    }

    private ExpressionNode ParsePrimary()
    {
        if (Peek.Kind == TokenKind.LeftParen)
        {
            var open = Take();
            Descend(open);
            var inner = ParseOr();
            _depth--;
            if (Peek.Kind != TokenKind.RightParen)
            {
                throw new ExpressionException($"Expected ')' to close '(' at position {open.Position}", Peek.Position);
            }
            Take();
            return inner;
        }

        var left = ParseOperand();
        if (!IsComparison(Peek.Kind))
        {
            // A bare operand is a condition only when it is a boolean (true, false, or a key holding one).
            if (left is ConstantNode { Value.Kind: not ExprKind.Boolean } or ListNode)
            {
                throw new ExpressionException("Expected a comparison operator", Peek.Position);
            }
            return left;
        }
        var op = Take();
        var right = ParseOperand();
        return new ComparisonNode(op.Kind, left, right);
    }

    private ExpressionNode ParseOperand()
    {
        var token = Take();
        switch (token.Kind)
        {
            case TokenKind.String:
                return new ConstantNode(ExprValue.FromString(token.Text));
            case TokenKind.Number:
                return new ConstantNode(ExprValue.FromNumber(token.Number));
            case TokenKind.True:
                return new ConstantNode(ExprValue.FromBoolean(true));
            case TokenKind.False:
                return new ConstantNode(ExprValue.FromBoolean(false));
            case TokenKind.Null:
                return new ConstantNode(ExprValue.Null);
            case TokenKind.Identifier:
                return new PathNode(AttributePath.Parse(token.Text, token.Position, _prefixes));
            case TokenKind.LeftBracket:
                Descend(token);
                var items = new List<ExpressionNode>();
                if (Peek.Kind != TokenKind.RightBracket)
                {
                    items.Add(ParseOperand());
                    while (Peek.Kind == TokenKind.Comma)
                    {
                        Take();
                        items.Add(ParseOperand());
                    }
                }
                if (Peek.Kind != TokenKind.RightBracket)
                {
                    throw new ExpressionException("Expected ']' or ','", Peek.Position);
                }
                Take();
                _depth--;
                return new ListNode([.. items]);
            case TokenKind.End:
                throw new ExpressionException("Unexpected end of expression", token.Position);
            default:
                throw new ExpressionException($"Expected a value or a key, found '{token.Text}'", token.Position);
        }
    }

    private static bool IsComparison(TokenKind kind) => kind is TokenKind.Equal or TokenKind.NotEqual
        or TokenKind.Less or TokenKind.LessOrEqual or TokenKind.Greater or TokenKind.GreaterOrEqual
        or TokenKind.Has or TokenKind.In or TokenKind.NotIn or TokenKind.Contains;
}
