namespace Acd.Grains.Routing.Expressions;

internal enum TokenKind
{
    End,
    Identifier,
    String,
    Number,
    True,
    False,
    Null,
    LeftParen,
    RightParen,
    LeftBracket,
    RightBracket,
    Comma,
    Equal,
    NotEqual,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
    Has,
    In,
    NotIn,
    Contains,
    And,
    Or,
    Not,
}

internal readonly record struct Token(TokenKind Kind, string Text, int Position, double Number = 0);
