namespace Acd.Grains.Abstractions;

public enum ProblemKind
{
    /// <summary>Bad input: HTTP 400.</summary>
    Invalid,

    /// <summary>No such thing: HTTP 404.</summary>
    NotFound,

    /// <summary>Valid input that conflicts with the current state: HTTP 409.</summary>
    Conflict,
}

/// <summary>Why an operation changed nothing, naming the field at fault where there is one.</summary>
[GenerateSerializer, Immutable, Alias("acd.Problem")]
public sealed record Problem(
    [property: Id(0)] ProblemKind Kind,
    [property: Id(1)] string? Field,
    [property: Id(2)] string Detail)
{
    public static Problem Invalid(string field, string detail) => new(ProblemKind.Invalid, field, detail);

    public static Problem NotFound(string detail, string? field = null) => new(ProblemKind.NotFound, field, detail);

    public static Problem Conflict(string detail, string? field = null) => new(ProblemKind.Conflict, field, detail);
}

/// <summary>A grain operation's result: a value, or the problem that stopped it (and then nothing changed).</summary>
[GenerateSerializer, Immutable, Alias("acd.Outcome`1")]
public sealed record Outcome<T>([property: Id(0)] T? Value, [property: Id(1)] Problem? Problem)
{
    public bool Ok => Problem is null;

    public static implicit operator Outcome<T>(Problem problem) => new(default, problem);

    public static implicit operator Outcome<T>(T value) => new(value, null);
}
