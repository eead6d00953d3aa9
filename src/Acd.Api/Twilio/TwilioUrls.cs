using Microsoft.Extensions.Options;

namespace Acd.Api.Twilio;

/// <summary>The callback URLs Acd gives Twilio, all under <c>Twilio:PublicBaseUrl</c>.</summary>
public sealed class TwilioUrls(IOptions<TwilioOptions> options)
{
    private string Base => (string.IsNullOrWhiteSpace(options.Value.PublicBaseUrl) ? "http://localhost:5080" : options.Value.PublicBaseUrl).TrimEnd('/');

    public Uri Wait(string callId) => new($"{Base}/twilio/voice/wait?callId={Uri.EscapeDataString(callId)}");

    public Uri ConferenceStatus(string callId) => new($"{Base}/twilio/conference/status?callId={Uri.EscapeDataString(callId)}");

    public Uri CallStatus(string callId, string legId) =>
        new($"{Base}/twilio/call/status?callId={Uri.EscapeDataString(callId)}&legId={Uri.EscapeDataString(legId)}");

    public Uri Hold(string callId) => new($"{Base}/twilio/voice/hold?callId={Uri.EscapeDataString(callId)}");
}
