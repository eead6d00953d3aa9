using System.Text.RegularExpressions;

namespace Acd.Grains.Abstractions;

/// <summary>Human-chosen ids (queues, workflows, agents, calls): letters, digits and <c>_ . @ : -</c>, up to 128 characters.</summary>
public static partial class Ids
{
    public const string Rule = "1–128 characters: letters, digits, '_', '.', '@', ':' or '-'";

    public static bool IsValid(string? id) => id is not null && IdPattern().IsMatch(id);

    [GeneratedRegex("^[A-Za-z0-9_.@:-]{1,128}$")]
    private static partial Regex IdPattern();
}
