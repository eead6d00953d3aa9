using Acd.Api.Twilio;
using Microsoft.Extensions.Options;
using Twilio.Jwt.AccessToken;

namespace Acd.Api.Security;

/// <summary>A Twilio Access Token for an agent's softphone, and what it says.</summary>
public sealed record VoiceToken(string Token, string Identity, DateTimeOffset ExpiresAt);

/// <summary>
/// Issues Twilio Access Tokens with a Voice grant (incoming calls only: agents dial out through Acd's API, which rings
/// their own phone first), signed with an API key of the account, with the Twilio SDK's own token classes.
/// </summary>
public sealed class VoiceTokenIssuer(IOptions<TwilioOptions> options)
{
    /// <summary>How long a token lives; the agent page asks for a new one before it runs out.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(1);

    /// <summary>Why no token can be issued here, or null when the API key and account are configured.</summary>
    public string? Unavailable
    {
        get
        {
            var twilio = options.Value;
            if (string.IsNullOrWhiteSpace(twilio.AccountSid))
            {
                return "Twilio:AccountSid is not set: voice tokens are issued for a Twilio account";
            }
            if (string.IsNullOrWhiteSpace(twilio.ApiKeySid) || string.IsNullOrWhiteSpace(twilio.ApiKeySecret))
            {
                return "Twilio:ApiKeySid and Twilio:ApiKeySecret are not set: create an API key in Twilio's console (README, \"The agent page\")";
            }
            return null;
        }
    }

    /// <summary>The Twilio Client identity of a <c>client:</c> contact URI, or null for a phone number or SIP address.</summary>
    public static string? ClientIdentity(string? contactUri) =>
        contactUri is { Length: > 7 } uri && uri.StartsWith("client:", StringComparison.Ordinal) ? uri["client:".Length..] : null;

    public VoiceToken Issue(string identity)
    {
        var twilio = options.Value;
        // Twilio checks a token against the real time, so it is issued on the real clock (not the grains' TimeProvider). A
        // whole second, so that expires_at and the token's exp (whole seconds, rounded by the SDK) say the same.
        var expires = DateTimeOffset.FromUnixTimeSeconds((DateTimeOffset.UtcNow + Lifetime).ToUnixTimeSeconds());
        var grants = new HashSet<IGrant> { new VoiceGrant { IncomingAllow = true } };
        var token = new Token(twilio.AccountSid, twilio.ApiKeySid, twilio.ApiKeySecret, identity, expires.UtcDateTime, grants: grants);
        return new VoiceToken(token.ToJwt(), identity, expires);
    }
}
