namespace Acd.Grains.Routing.Expressions;

/// <summary>A routing expression that cannot be parsed; <see cref="Position"/> is the 0-based offset of the fault.</summary>
public sealed class ExpressionException(string message, int position)
    : Exception($"{message} at position {position}")
{
    public int Position { get; } = position;

    public string Reason { get; } = message;
}
