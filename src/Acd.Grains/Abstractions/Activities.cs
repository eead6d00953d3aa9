namespace Acd.Grains.Abstractions;

/// <summary>An agent activity (TaskRouter's Activity): a name and whether agents in it can be offered calls.</summary>
[GenerateSerializer, Immutable, Alias("acd.ActivityDefinition")]
public sealed record ActivityDefinition([property: Id(0)] string Name, [property: Id(1)] bool Available);

/// <summary>The activities every workspace has.</summary>
public static class Activities
{
    public const string Offline = "Offline";
    public const string Available = "Available";
    public const string Break = "Break";
    public const string WrapUp = "WrapUp";

    public static IReadOnlyList<ActivityDefinition> BuiltIn { get; } =
    [
        new(Offline, false),
        new(Available, true),
        new(Break, false),
        new(WrapUp, false),
    ];

    public static bool IsBuiltIn(string name) => BuiltIn.Any(a => a.Name == name);
}
