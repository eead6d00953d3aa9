namespace Acd.Api.Twilio;

/// <summary>Twilio settings, bound from the <c>Twilio</c> configuration section.</summary>
public sealed class TwilioOptions
{
    public const string Section = "Twilio";

    public string? AccountSid { get; set; }

    public string? AuthToken { get; set; }

    /// <summary>An API key's SID (SK…): agents' voice tokens are signed with it (<c>GET /api/agents/{id}/voice-token</c>).</summary>
    public string? ApiKeySid { get; set; }

    /// <summary>The API key's secret, shown once when the key is created.</summary>
    public string? ApiKeySecret { get; set; }

    /// <summary>
    /// The auth token Twilio used before <see cref="AuthToken"/> (while Twilio's secondary token is promoted): webhooks
    /// signed with it are still accepted. Remove it once the rotation is done.
    /// </summary>
    public string? PreviousAuthToken { get; set; }

    /// <summary>REST home region for IE1/AU1 accounts; empty means api.twilio.com (US1). Never jp1 (docs/conference-rules.md, "Where things run").</summary>
    public string? Region { get; set; }

    /// <summary>REST edge (e.g. <c>dublin</c>, <c>sydney</c>); empty means none.</summary>
    public string? Edge { get; set; }

    /// <summary>Where conference media is mixed: on every conference Acd creates.</summary>
    public string ConferenceRegion { get; set; } = "jp1";

    /// <summary>The account's calls per second: Participants and Calls creations are paced to it, most urgent first.</summary>
    public double CallsPerSecond { get; set; } = 1;

    /// <summary>
    /// A ring group's further legs are asked for only as far as the pace sends them within this many seconds (with the
    /// legs already waiting): at 1 call/s and 2 s, three legs (now, in 1 s, in 2 s). 0: only the slot free now, if any.
    /// </summary>
    public double RingGroupSendSeconds { get; set; } = 2;

    /// <summary>The URL Twilio calls back (Acd's public address); signatures are checked against it.</summary>
    public string? PublicBaseUrl { get; set; }

    /// <summary>Sends the SDK's requests to another base URL (tests point it at a fake Twilio).</summary>
    public string? ApiBaseUrl { get; set; }

    /// <summary>Caller ID of agent legs (a Twilio number); the number the caller dialled when empty.</summary>
    public string? CallerId { get; set; }

    /// <summary>Check <c>X-Twilio-Signature</c> on every webhook. Turning it off is for local experiments only.</summary>
    public bool ValidateSignatures { get; set; } = true;

    /// <summary>What callers hear before joining their conference.</summary>
    public string Greeting { get; set; } = "お電話ありがとうございます。担当者におつなぎしますので、このままお待ちください。";

    /// <summary>Language of spoken messages (TwiML &lt;Say language&gt;).</summary>
    public string Language { get; set; } = "ja-JP";

    /// <summary>Voice for spoken messages (e.g. <c>Polly.Mizuki</c>); Twilio's default when empty.</summary>
    public string? Voice { get; set; }

    /// <summary>Music while waiting for an agent.</summary>
    public string WaitMusicUrl { get; set; } = "http://com.twilio.sounds.music.s3.amazonaws.com/MARKOVICHAMP-Borghestral.mp3";

    /// <summary>Music while on hold.</summary>
    public string HoldMusicUrl { get; set; } = "http://com.twilio.sounds.music.s3.amazonaws.com/oldDog_-_endless_goodbye_%28instr.%29.mp3";

    /// <summary>Tell waiting callers their place in the queue each time the wait music loops.</summary>
    public bool AnnouncePosition { get; set; } = true;

    /// <summary>The country code of numbers callers key in the callback menu in their national form (0 and the area code).</summary>
    public string CallbackCountryCode { get; set; } = "81";

    /// <summary>Retries of a failed REST request (429, 5xx, network), with exponential backoff and jitter.</summary>
    public int MaxRetries { get; set; } = 3;

    /// <summary>Spread retries of many requests at random within their back-off (on by default; a simulation turns it off to replay exactly).</summary>
    public bool RetryJitter { get; set; } = true;

    /// <summary>Look-ups of a call's legs and conference (after a restart, or a hang-up not confirmed) sent at once, at most.</summary>
    public int MaxConcurrentLookups { get; set; } = 4;

    /// <summary>First retry delay; later ones grow exponentially.</summary>
    public int RetryBaseDelayMilliseconds { get; set; } = 500;

    /// <summary>Timeout of one REST attempt.</summary>
    public int RequestTimeoutSeconds { get; set; } = 10;

    public bool HasCredentials => !string.IsNullOrWhiteSpace(AccountSid) && !string.IsNullOrWhiteSpace(AuthToken);
}
