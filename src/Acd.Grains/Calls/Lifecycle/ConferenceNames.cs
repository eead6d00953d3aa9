using System.Security.Cryptography;

namespace Acd.Grains.Calls.Lifecycle;

/// <summary>
/// Conference names: <c>acd-{callId}-{8 hex}</c>, unique and never reused (design rule 1), so a callback that names a
/// conference also names its call.
/// </summary>
public static class ConferenceNames
{
    private const string Prefix = "acd-";
    private const int SuffixLength = 8;

    public static string New(string callId) => $"{Prefix}{callId}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(SuffixLength / 2))}";

    /// <summary>The call a conference belongs to, or null when the name is not one of Acd's.</summary>
    public static string? CallIdOf(string? name)
    {
        if (name is null || !name.StartsWith(Prefix, StringComparison.Ordinal) || name.Length < Prefix.Length + SuffixLength + 2 || name[^(SuffixLength + 1)] != '-')
        {
            return null;
        }
        var suffix = name.AsSpan(name.Length - SuffixLength);
        foreach (var c in suffix)
        {
            if (!char.IsAsciiHexDigitLower(c))
            {
                return null;
            }
        }
        return name[Prefix.Length..^(SuffixLength + 1)];
    }
}
