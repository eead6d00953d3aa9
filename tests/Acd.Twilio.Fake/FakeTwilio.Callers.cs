using System.Xml.Linq;

namespace Acd.Twilio.Fake;

/// <summary>What a caller heard and where Twilio put them.</summary>
public sealed record CallerSession(string CallSid, XDocument Twiml, IReadOnlyList<string> Said, string? ConferenceName, bool HungUp, int Status);

/// <summary>The phone side: callers calling in, agents answering, people hanging up.</summary>
public sealed partial class FakeTwilio
{
    /// <summary>
    /// A caller dials the number: the fake posts the signed voice webhook to <paramref name="webhookUrl"/> and carries
    /// out the TwiML Acd answers, as Twilio would: says the &lt;Say&gt;s, and &lt;Dial&gt;&lt;Conference&gt; joins the
    /// caller to the conference by name with the TwiML's settings (those of the first participant win).
    /// </summary>
    public async Task<CallerSession> CallAsync(string webhookUrl, string from, string to, IDictionary<string, string>? extra = null, string? callSid = null)
    {
        callSid ??= NewSid("CA");
        var form = new List<KeyValuePair<string, string>>
        {
            new("AccountSid", AccountSid),
            new("ApiVersion", "2010-04-01"),
            new("CallSid", callSid),
            new("CallStatus", "ringing"),
            new("Called", to),
            new("Caller", from),
            new("Direction", "inbound"),
            new("From", from),
            new("To", to),
            new("FromCountry", from.StartsWith("+81", StringComparison.Ordinal) ? "JP" : ""),
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string>())
        {
            form.Add(new(key, value));
        }
        var (status, body) = await PostSignedAsync(webhookUrl, form);
        if (status != 200)
        {
            return new CallerSession(callSid, new XDocument(), [], null, true, status);
        }
        var twiml = XDocument.Parse(body);
        var said = twiml.Descendants("Say").Select(s => s.Value).ToList();
        var conferenceElement = twiml.Descendants("Conference").FirstOrDefault();
        lock (_gate)
        {
            var leg = new FakeLeg { Sid = callSid, From = from, To = to, Direction = "inbound", Status = "in-progress", AnsweredAt = Clock.GetUtcNow(), CreatedAt = Clock.GetUtcNow() };
            _legs[callSid] = leg;
            if (conferenceElement is null && twiml.Root?.Element("Record") is not null)
            {
                // Told why, then asked to leave a message: the caller stays on the line at the <Record>.
                Run(leg, [.. twiml.Root.Elements()]);
            }
            else if (conferenceElement is null)
            {
                leg.Status = "completed";
            }
            else
            {
                JoinByTwimlLocked(leg, conferenceElement);
            }
        }
        return new CallerSession(callSid, twiml, said, conferenceElement?.Value.Trim(), conferenceElement is null && twiml.Root?.Element("Record") is null, status);
    }

    /// <summary>Fetches the conference's wait URL as Twilio does while the caller waits; returns the TwiML.</summary>
    public async Task<XDocument> FetchWaitAsync(string conferenceName)
    {
        var url = _waitUrls.GetValueOrDefault(conferenceName);
        if (url is null)
        {
            throw new InvalidOperationException($"No waitUrl known for {conferenceName}");
        }
        var (_, body) = await PostSignedAsync(url, [new("AccountSid", AccountSid)]);
        return XDocument.Parse(body);
    }

    /// <summary>The person at <paramref name="callSid"/> answers their ringing phone.</summary>
    public void Answer(string callSid)
    {
        lock (_gate)
        {
            AnswerLocked(_legs[callSid]);
        }
    }

    /// <summary>A ringing leg ends unanswered: busy, no-answer or failed.</summary>
    public void EndRinging(string callSid, string status)
    {
        lock (_gate)
        {
            if (!_legs[callSid].IsFinal)
            {
                EndRingingLocked(_legs[callSid], status);
            }
        }
    }

    /// <summary>The person at <paramref name="callSid"/> hangs up (a caller, an agent).</summary>
    public void HangUp(string callSid)
    {
        lock (_gate)
        {
            HangUpLocked(_legs[callSid]);
        }
    }

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> _waitUrls = new(StringComparer.Ordinal);

    private async Task<(int Status, string Body)> PostSignedAsync(string url, List<KeyValuePair<string, string>> form)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new FormUrlEncodedContent(form) };
        request.Headers.Add("X-Twilio-Signature", Signatures.Sign(AuthToken, url, form));
        using var response = await Send(request, CancellationToken.None);
        var body = await response.Content.ReadAsStringAsync();
        if ((int)response.StatusCode == 200 && body.Contains("<Conference", StringComparison.Ordinal))
        {
            var conference = XDocument.Parse(body).Descendants("Conference").First();
            if ((string?)conference.Attribute("waitUrl") is { } wait)
            {
                _waitUrls[conference.Value.Trim()] = wait;
            }
        }
        return ((int)response.StatusCode, body);
    }

    /// <summary>Posts any signed form to Acd, as Twilio would (for tests of signatures and odd callbacks).</summary>
    public Task<(int Status, string Body)> PostAsync(string url, IEnumerable<KeyValuePair<string, string>> form, string? signature = null, bool sign = true)
    {
        var list = form.ToList();
        return SendRawAsync(url, list, sign ? signature ?? Signatures.Sign(AuthToken, url, list) : null);
    }

    private async Task<(int Status, string Body)> SendRawAsync(string url, List<KeyValuePair<string, string>> form, string? signature)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new FormUrlEncodedContent(form) };
        if (signature is not null)
        {
            request.Headers.Add("X-Twilio-Signature", signature);
        }
        using var response = await Send(request, CancellationToken.None);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}
