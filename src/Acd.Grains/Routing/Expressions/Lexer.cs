using System.Globalization;
using System.Text;

namespace Acd.Grains.Routing.Expressions;

/// <summary>Splits a TaskRouter expression into tokens. Keywords are case-insensitive, as TaskRouter's are.</summary>
internal static class Lexer
{
    public static List<Token> Tokenize(string source)
    {
        var tokens = new List<Token>();
        var i = 0;
        while (i < source.Length)
        {
            var c = source[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
                continue;
            }

            var start = i;
            switch (c)
            {
                case '(': tokens.Add(new(TokenKind.LeftParen, "(", start)); i++; continue;
                case ')': tokens.Add(new(TokenKind.RightParen, ")", start)); i++; continue;
                case '[': tokens.Add(new(TokenKind.LeftBracket, "[", start)); i++; continue;
                case ']': tokens.Add(new(TokenKind.RightBracket, "]", start)); i++; continue;
                case ',': tokens.Add(new(TokenKind.Comma, ",", start)); i++; continue;
                case '\'':
                case '"':
                    tokens.Add(ReadString(source, ref i));
                    continue;
                case '=':
                    // TaskRouter accepts both '=' and '=='.
                    i += Peek(source, i + 1) == '=' ? 2 : 1;
                    tokens.Add(new(TokenKind.Equal, source[start..i], start));
                    continue;
                case '!':
                    if (Peek(source, i + 1) == '=')
                    {
                        i += 2;
                        tokens.Add(new(TokenKind.NotEqual, "!=", start));
                    }
                    else
                    {
                        i++;
                        tokens.Add(new(TokenKind.Not, "!", start));
                    }
                    continue;
                case '<':
                    if (Peek(source, i + 1) == '=') { i += 2; tokens.Add(new(TokenKind.LessOrEqual, "<=", start)); }
                    else if (Peek(source, i + 1) == '>') { i += 2; tokens.Add(new(TokenKind.NotEqual, "<>", start)); }
                    else { i++; tokens.Add(new(TokenKind.Less, "<", start)); }
                    continue;
                case '>':
                    if (Peek(source, i + 1) == '=') { i += 2; tokens.Add(new(TokenKind.GreaterOrEqual, ">=", start)); }
                    else { i++; tokens.Add(new(TokenKind.Greater, ">", start)); }
                    continue;
                case '&':
                    if (Peek(source, i + 1) != '&')
                    {
                        throw new ExpressionException("Expected '&&'", start);
                    }
                    i += 2;
                    tokens.Add(new(TokenKind.And, "&&", start));
                    continue;
                case '|':
                    if (Peek(source, i + 1) != '|')
                    {
                        throw new ExpressionException("Expected '||'", start);
                    }
                    i += 2;
                    tokens.Add(new(TokenKind.Or, "||", start));
                    continue;
                case '-':
                    if (Peek(source, i + 1) == '>')
                    {
                        // '->' is TaskRouter's alias of HAS.
                        i += 2;
                        tokens.Add(new(TokenKind.Has, "->", start));
                        continue;
                    }
                    if (char.IsAsciiDigit(Peek(source, i + 1)) || Peek(source, i + 1) == '.')
                    {
                        tokens.Add(ReadNumber(source, ref i));
                        continue;
                    }
                    throw new ExpressionException("Unexpected '-' (hyphens are not allowed in names)", start);
            }

            if (char.IsAsciiDigit(c) || (c == '.' && char.IsAsciiDigit(Peek(source, i + 1))))
            {
                tokens.Add(ReadNumber(source, ref i));
                continue;
            }

            if (IsNameStart(c))
            {
                tokens.Add(ReadWord(source, ref i, tokens));
                continue;
            }

            throw new ExpressionException($"Unexpected character '{c}'", start);
        }

        tokens.Add(new(TokenKind.End, "", source.Length));
        return tokens;
    }

    private static char Peek(string s, int i) => i < s.Length ? s[i] : '\0';

    private static bool IsNameStart(char c) => char.IsLetter(c) || c == '_' || c == '$' || c == '@';

    private static bool IsNameChar(char c) => char.IsLetterOrDigit(c) || c == '_' || c == '$' || c == '@';

    private static Token ReadString(string s, ref int i)
    {
        var quote = s[i];
        var start = i;
        i++;
        var text = new StringBuilder();
        while (i < s.Length && s[i] != quote)
        {
            if (s[i] == '\\' && i + 1 < s.Length)
            {
                i++;
            }
            text.Append(s[i]);
            i++;
        }
        if (i >= s.Length)
        {
            throw new ExpressionException("Unterminated string", start);
        }
        i++;
        return new(TokenKind.String, text.ToString(), start);
    }

    private static Token ReadNumber(string s, ref int i)
    {
        var start = i;
        if (s[i] == '-')
        {
            i++;
        }
        while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.'))
        {
            i++;
        }
        var text = s[start..i];
        if (!double.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
        {
            throw new ExpressionException($"Bad number '{text}'", start);
        }
        if (i < s.Length && IsNameStart(s[i]))
        {
            throw new ExpressionException($"Unexpected '{s[i]}' after number", i);
        }
        return new(TokenKind.Number, text, start, value);
    }

    /// <summary>
    /// Reads a keyword or a dotted attribute path such as <c>worker.skills.billing</c> or <c>object.array[2]</c>.
    /// </summary>
    private static Token ReadWord(string s, ref int i, List<Token> tokens)
    {
        var start = i;
        while (i < s.Length)
        {
            if (IsNameChar(s[i]))
            {
                i++;
            }
            else if (s[i] == '.' && i + 1 < s.Length && IsNameStart(s[i + 1]))
            {
                i++;
            }
            else if (s[i] == '[' && i > start)
            {
                var close = s.IndexOf(']', i);
                if (close < 0 || close == i + 1 || !s.AsSpan(i + 1, close - i - 1).ContainsOnlyDigits())
                {
                    break; // not an index: a list literal follows (e.g. "x IN[1]" is not supported without space, fine)
                }
                i = close + 1;
            }
            else
            {
                break;
            }
        }
        var word = s[start..i];
        switch (word.ToUpperInvariant())
        {
            case "AND": return new(TokenKind.And, word, start);
            case "OR": return new(TokenKind.Or, word, start);
            case "HAS": return new(TokenKind.Has, word, start);
            case "IN":
                if (tokens.Count > 0 && tokens[^1].Kind == TokenKind.Not)
                {
                    // "NOT IN" is one operator; fold it into the NOT token that precedes it.
                    var not = tokens[^1];
                    tokens.RemoveAt(tokens.Count - 1);
                    return new(TokenKind.NotIn, "NOT IN", not.Position);
                }
                return new(TokenKind.In, word, start);
            case "CONTAINS": return new(TokenKind.Contains, word, start);
            case "NOT": return new(TokenKind.Not, word, start);
            case "TRUE": return new(TokenKind.True, word, start);
            case "FALSE": return new(TokenKind.False, word, start);
            case "NULL": return new(TokenKind.Null, word, start);
            default: return new(TokenKind.Identifier, word, start);
        }
    }
}

internal static class SpanDigits
{
    public static bool ContainsOnlyDigits(this ReadOnlySpan<char> span)
    {
        foreach (var c in span)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }
        return true;
    }
}
