using System.Net;
using System.Text.Json.Nodes;
using Acd.Twilio.Fake;

namespace Acd.Api.Tests.Infrastructure;

/// <summary>Waiting for a call's status through any Acd node's client, and for the fake Twilio to ring someone.</summary>
public static class CallPolling
{
    /// <summary>Polls <c>GET /api/calls/{id}</c> until the call has <paramref name="status"/> (and <paramref name="also"/> holds); answers other than 200 count as not yet.</summary>
    public static async Task<JsonNode> CallStatusAsync(this HttpClient http, string callId, string status, Func<JsonNode, bool>? also = null, int timeoutMs = 10000)
    {
        var deadline = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        while (true)
        {
            var (code, body) = await http.GetJsonAsync($"/api/calls/{callId}");
            if (code == HttpStatusCode.OK && body is not null && body.Str("status") == status && (also is null || also(body)))
            {
                return body;
            }
            Assert.True(DateTime.UtcNow < deadline, $"call {callId} did not become {status}; last seen: {code} {body?.ToJsonString()}");
            await Task.Delay(20);
        }
    }

    /// <summary>Waits until the fake has rung <paramref name="to"/> (with a leg other than <paramref name="notSid"/>) and returns that leg.</summary>
    public static async Task<FakeLeg> RungAsync(this FakeTwilio twilio, string to, string? notSid = null)
    {
        FakeLeg? leg = null;
        await Eventually.HoldsAsync(() => Task.FromResult((leg = twilio.LegTo(to)) is not null && leg.Sid != notSid),
            notSid is null ? $"{to} is rung" : $"{to} is rung again");
        return leg!;
    }
}
