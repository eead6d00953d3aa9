using System.Net.Http.Headers;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;

namespace Acd.Twilio.Fake;

/// <summary>The REST side: what Acd's Twilio SDK calls.</summary>
public sealed partial class FakeTwilio
{
    internal async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var form = new List<KeyValuePair<string, string>>();
        if (request.HasFormContentType)
        {
            foreach (var (key, values) in await request.ReadFormAsync())
            {
                form.AddRange(values.Select(v => new KeyValuePair<string, string>(key, v ?? "")));
            }
        }
        var query = request.Query.SelectMany(q => q.Value.Select(v => new KeyValuePair<string, string>(q.Key, v ?? ""))).ToList();
        var path = request.Path.Value ?? "";
        var host = request.Headers["X-Forwarded-Host"].FirstOrDefault() ?? request.Host.Host;
        int index;
        lock (_gate)
        {
            // Recorded before it is handled, so a test that sees its effect also sees the request.
            index = _requests.Count;
            _requests.Add(new RestRequest(request.Method, path, form, query, host, Clock.GetUtcNow(), 0));
        }

        int status;
        if (!Authorized(request))
        {
            status = 401;
            await WriteErrorAsync(context, 401, 20003, "Authenticate");
        }
        else if (_spec?.Check(request.Method, path, form, query) is { Count: > 0 } problems)
        {
            lock (_gate)
            {
                _violations.AddRange(problems);
            }
            status = 400;
            await WriteErrorAsync(context, 400, 21000, string.Join("; ", problems));
        }
        else if (TakeFault(path) is { } fault)
        {
            status = fault;
            if (fault == 429)
            {
                context.Response.Headers["Retry-After"] = "0";
                await WriteErrorAsync(context, 429, 20429, "Too Many Requests");
            }
            else
            {
                await WriteErrorAsync(context, fault, 20500, "Internal Server Error");
            }
        }
        else if (TakeFault(_faultsAfter, path) is { } lost)
        {
            // Done, and the answer lost on its way back.
            var body = context.Response.Body;
            context.Response.Body = Stream.Null;
            await RouteAsync(context, request.Method, path, form, query);
            context.Response.Body = body;
            context.Response.Clear();
            status = lost;
            if (lost == 0)
            {
                context.Abort();
            }
            else
            {
                await WriteErrorAsync(context, lost, 20500, "Internal Server Error");
            }
        }
        else
        {
            status = await RouteAsync(context, request.Method, path, form, query);
        }
        lock (_gate)
        {
            _requests[index] = _requests[index] with { Status = status };
        }
    }

    private bool Authorized(HttpRequest request)
    {
        if (!AuthenticationHeaderValue.TryParse(request.Headers.Authorization, out var auth) || auth.Scheme != "Basic" || auth.Parameter is null)
        {
            return false;
        }
        var pair = Encoding.UTF8.GetString(Convert.FromBase64String(auth.Parameter));
        return pair == $"{AccountSid}:{AuthToken}";
    }

    private int? TakeFault(string path) => TakeFault(_faults, path);

    private int? TakeFault(Queue<(int Status, Func<string, bool> Applies)> faults, string path)
    {
        lock (_gate)
        {
            if (faults.TryPeek(out var fault) && fault.Applies(path))
            {
                faults.Dequeue();
                return fault.Status;
            }
            return null;
        }
    }

    private async Task<int> RouteAsync(HttpContext context, string method, string path, List<KeyValuePair<string, string>> form, List<KeyValuePair<string, string>> query)
    {
        var prefix = $"/2010-04-01/Accounts/{AccountSid}/";
        if (!path.StartsWith(prefix, StringComparison.Ordinal))
        {
            await WriteErrorAsync(context, 404, 20404, "The requested resource was not found");
            return 404;
        }
        var rest = path[prefix.Length..];
        string? Get(string name) => form.FirstOrDefault(p => p.Key == name).Value;
        IEnumerable<string> All(string name) => form.Where(p => p.Key == name).Select(p => p.Value);

        Match m;
        if (method == "POST" && (m = ParticipantsRoute().Match(rest)).Success)
        {
            return await CreateParticipantAsync(context, Uri.UnescapeDataString(m.Groups[1].Value), Get, All);
        }
        if (method == "POST" && (m = ParticipantRoute().Match(rest)).Success)
        {
            return await UpdateParticipantAsync(context, m.Groups[1].Value, m.Groups[2].Value, Get);
        }
        if (method == "GET" && (m = ParticipantRoute().Match(rest)).Success)
        {
            return await FetchParticipantAsync(context, m.Groups[1].Value, Uri.UnescapeDataString(m.Groups[2].Value));
        }
        if (method == "GET" && rest == "Conferences.json")
        {
            return await ListConferencesAsync(context, query.FirstOrDefault(q => q.Key == "FriendlyName").Value, query.FirstOrDefault(q => q.Key == "Status").Value);
        }
        if ((m = ConferenceRoute().Match(rest)).Success)
        {
            return method == "POST" ? await UpdateConferenceAsync(context, m.Groups[1].Value, Get) : await FetchConferenceAsync(context, m.Groups[1].Value);
        }
        if (method == "POST" && rest == "Calls.json")
        {
            return await CreateCallAsync(context, Get, All);
        }
        if (method == "GET" && rest == "Calls.json")
        {
            return await ListCallsAsync(context, query);
        }
        if (method == "POST" && (m = CallRoute().Match(rest)).Success)
        {
            return await UpdateCallAsync(context, m.Groups[1].Value, Get);
        }
        if (method == "GET" && (m = CallRoute().Match(rest)).Success)
        {
            return await FetchCallAsync(context, m.Groups[1].Value);
        }
        await WriteErrorAsync(context, 404, 20404, "The requested resource was not found");
        return 404;
    }

    [GeneratedRegex(@"^Conferences/([^/]+)/Participants\.json$")]
    private static partial Regex ParticipantsRoute();

    [GeneratedRegex(@"^Conferences/([^/]+)/Participants/([^/]+)\.json$")]
    private static partial Regex ParticipantRoute();

    [GeneratedRegex(@"^Conferences/([^/]+)\.json$")]
    private static partial Regex ConferenceRoute();

    [GeneratedRegex(@"^Calls/([^/]+)\.json$")]
    private static partial Regex CallRoute();

    private static bool Flag(string? value, bool fallback) => value is null ? fallback : value.Equals("true", StringComparison.OrdinalIgnoreCase);

    private static HashSet<string> Events(IEnumerable<string> values) =>
        new(values.SelectMany(v => v.Split(' ', StringSplitOptions.RemoveEmptyEntries)), StringComparer.Ordinal);

    private Dictionary<string, object?> ParticipantJson(FakeConference conference, FakeParticipant p) => new()
    {
        ["account_sid"] = AccountSid,
        ["call_sid"] = p.CallSid,
        ["label"] = p.Label,
        ["call_sid_to_coach"] = p.CallSidToCoach,
        ["coaching"] = p.Coaching,
        ["conference_sid"] = conference.Sid,
        ["date_created"] = Rfc1123(Clock.GetUtcNow()),
        ["date_updated"] = Rfc1123(Clock.GetUtcNow()),
        ["end_conference_on_exit"] = p.EndConferenceOnExit,
        ["muted"] = p.Muted,
        ["hold"] = p.Hold,
        ["start_conference_on_enter"] = p.StartConferenceOnEnter,
        ["status"] = p.Status,
        ["queue_time"] = "0",
        ["uri"] = $"/2010-04-01/Accounts/{AccountSid}/Conferences/{conference.Sid}/Participants/{p.CallSid}.json",
    };

    private Dictionary<string, object?> ConferenceJson(FakeConference c) => new()
    {
        ["account_sid"] = AccountSid,
        ["api_version"] = "2010-04-01",
        ["date_created"] = Rfc1123(Clock.GetUtcNow()),
        ["date_updated"] = Rfc1123(Clock.GetUtcNow()),
        ["friendly_name"] = c.FriendlyName,
        ["region"] = c.Region ?? "us1",
        ["sid"] = c.Sid,
        ["status"] = c.Status,
        ["uri"] = $"/2010-04-01/Accounts/{AccountSid}/Conferences/{c.Sid}.json",
        ["subresource_uris"] = new Dictionary<string, string> { ["participants"] = $"/2010-04-01/Accounts/{AccountSid}/Conferences/{c.Sid}/Participants.json" },
        ["reason_conference_ended"] = c.ReasonEnded,
        ["call_sid_ending_conference"] = c.CallSidEndingConference,
    };

    private Dictionary<string, object?> CallJson(FakeLeg leg) => new()
    {
        ["sid"] = leg.Sid,
        ["account_sid"] = AccountSid,
        ["api_version"] = "2010-04-01",
        ["date_created"] = Rfc1123(leg.CreatedAt),
        ["date_updated"] = Rfc1123(Clock.GetUtcNow()),
        ["start_time"] = Rfc1123(leg.CreatedAt),
        ["direction"] = leg.Direction,
        ["from"] = leg.From,
        ["to"] = leg.To,
        ["status"] = leg.Status,
        ["uri"] = $"/2010-04-01/Accounts/{AccountSid}/Calls/{leg.Sid}.json",
    };
}
