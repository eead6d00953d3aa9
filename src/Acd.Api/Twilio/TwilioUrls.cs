using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Acd.Api.Twilio;

/// <summary>
/// The callback URLs Acd gives Twilio, all under <c>Twilio:PublicBaseUrl</c>; without it, under the address this node
/// listens on (<c>Urls</c>, <c>--urls</c>), which only a Twilio on the same machine can reach (tests, a tunnel).
/// </summary>
public sealed class TwilioUrls(IOptions<TwilioOptions> options, IServiceProvider services)
{
    private string? _listening;

    private string Base => (string.IsNullOrWhiteSpace(options.Value.PublicBaseUrl) ? Listening() : options.Value.PublicBaseUrl).TrimEnd('/');

    /// <summary>Where this node listens: its first http(s) address, a wildcard host read as localhost.</summary>
    public string Listening()
    {
        if (_listening is { } known)
        {
            return known;
        }
        var addresses = services.GetService<IServer>()?.Features.Get<IServerAddressesFeature>()?.Addresses;
        var first = addresses?.FirstOrDefault(a => a.StartsWith("http", StringComparison.OrdinalIgnoreCase));
        if (first is null || !Uri.TryCreate(ReadWildcard(first), UriKind.Absolute, out var uri))
        {
            return "http://localhost:5080"; // not listening yet
        }
        return _listening = uri.GetLeftPart(UriPartial.Authority);
    }

    private static string ReadWildcard(string address)
    {
        foreach (var wildcard in new[] { "://+", "://*", "://0.0.0.0", "://[::]" })
        {
            if (address.Contains(wildcard, StringComparison.Ordinal))
            {
                return address.Replace(wildcard, "://localhost", StringComparison.Ordinal);
            }
        }
        return address;
    }

    /// <summary>Wait music; <paramref name="stepOut"/>: the caller's &lt;Dial&gt; lets them press * for the callback menu.</summary>
    public Uri Wait(string callId, bool stepOut = false) => new($"{Base}/twilio/voice/wait?callId={Uri.EscapeDataString(callId)}{(stepOut ? "&star=1" : "")}");

    public Uri ConferenceStatus(string callId) => new($"{Base}/twilio/conference/status?callId={Uri.EscapeDataString(callId)}");

    public Uri CallStatus(string callId, string legId) =>
        new($"{Base}/twilio/call/status?callId={Uri.EscapeDataString(callId)}&legId={Uri.EscapeDataString(legId)}");

    /// <summary>Where a ring group's leg asks what to do once answered (and again after the whisper, or with the key pressed).</summary>
    public Uri StagedAnswer(string callId, string legId, bool whispered) =>
        new($"{Base}/twilio/agent/answer?callId={Uri.EscapeDataString(callId)}&legId={Uri.EscapeDataString(legId)}{(whispered ? "&whispered=1" : "")}");

    /// <summary>The caller's &lt;Dial&gt; action: asked when they leave the wait with * (or their conference ends).</summary>
    public Uri WaitExit(string callId) => new($"{Base}/twilio/voice/wait-exit?callId={Uri.EscapeDataString(callId)}");

    /// <summary>A step of the callback menu; <paramref name="number"/> is the number being confirmed.</summary>
    public Uri CallbackMenu(string callId, string step, string? number = null) =>
        new($"{Base}/twilio/voice/callback?callId={Uri.EscapeDataString(callId)}&step={step}{(number is null ? "" : "&number=" + Uri.EscapeDataString(number))}");

    /// <summary>The voicemail's &lt;Record&gt; action: asked when the caller has recorded.</summary>
    public Uri VoicemailRecorded(string callId) => new($"{Base}/twilio/voice/voicemail?callId={Uri.EscapeDataString(callId)}");

    /// <summary>The voicemail's recordingStatusCallback: Twilio says the recording is complete (or absent).</summary>
    public Uri RecordingStatus(string callId) => new($"{Base}/twilio/voice/recording?callId={Uri.EscapeDataString(callId)}");

    public Uri Hold(string callId) => new($"{Base}/twilio/voice/hold?callId={Uri.EscapeDataString(callId)}");
}
