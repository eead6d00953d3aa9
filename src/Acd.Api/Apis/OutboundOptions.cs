namespace Acd.Api.Apis;

/// <summary>
/// Where agents may call out, and as whom (<c>Acd:Outbound</c>): outbound calls are paid for by the account, so a
/// token that leaks must not be able to dial premium or foreign numbers, nor show any caller ID it likes.
/// </summary>
public sealed class OutboundOptions
{
    public const string Section = "Acd:Outbound";

    /// <summary>
    /// Destinations allowed, by prefix (default <c>+81</c>, Japan). Twilio Client identities (<c>client:…</c>) are always
    /// allowed; add <c>sip:</c> or other countries' prefixes to allow them.
    /// </summary>
    public string[]? AllowedPrefixes { get; set; }

    /// <summary>Caller IDs an agent may choose besides <c>Twilio:CallerId</c> (default: none).</summary>
    public string[]? CallerIds { get; set; }

    public IReadOnlyList<string> Prefixes => AllowedPrefixes ?? ["+81"];

    /// <summary>Why <paramref name="to"/> may not be called, or null when it may.</summary>
    public string? RefuseDestination(string to) =>
        to.StartsWith("client:", StringComparison.Ordinal) || Prefixes.Any(p => p.Length > 0 && to.StartsWith(p, StringComparison.Ordinal))
            ? null
            : $"'{to}' is not an allowed destination: Acd:Outbound:AllowedPrefixes allows {string.Join(", ", Prefixes)}";

    /// <summary>Why <paramref name="callerId"/> may not be shown, or null when it may.</summary>
    public string? RefuseCallerId(string? callerId, string? defaultCallerId) =>
        callerId is null || callerId == defaultCallerId || (CallerIds ?? []).Contains(callerId, StringComparer.Ordinal)
            ? null
            : $"'{callerId}' is not a caller ID Acd may show: Twilio:CallerId or one of Acd:Outbound:CallerIds";
}
