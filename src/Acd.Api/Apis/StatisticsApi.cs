using System.Globalization;
using System.Security.Claims;
using Acd.Api.Http;
using Acd.Api.Security;
using Acd.Api.Statistics;
using Acd.Grains.Abstractions;
using Acd.Grains.Events;
using Acd.Grains.Statistics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Acd.Api.Apis;

/// <summary>Statistics (realtime and over a window) and the event log they are computed from.</summary>
public static class StatisticsApi
{
    public static IEndpointRouteBuilder MapStatisticsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/statistics", async (HttpRequest request, StatisticsService statistics) =>
        {
            if (Window(request, statistics) is not ({ } window, { } thresholds, null))
            {
                return Window(request, statistics).Problem!;
            }
            var waitingCalls = request.Query["waiting_calls"].ToString();
            if (waitingCalls is not ("" or "true" or "false"))
            {
                return Problems.Invalid("waiting_calls", "true (default) or false");
            }
            var all = await statistics.AllAsync(window, thresholds, waitingCallIds: waitingCalls != "false");
            return TypedResults.Ok(new
            {
                from = window.From,
                to = window.To,
                queues = all.Queues.Select(q => QueueStatisticsResource.From(q, waitingCalls != "false")),
                agents = all.Agents,
            });
        }).RequireAuthorization(Roles.SupervisorPolicy).WithTags("Statistics")
          .WithSummary("Every queue (realtime and cumulative) and every agent over a window: ?from=&to= (ISO 8601; default since midnight in Acd:TimeZone), &service_level_threshold=&abandon_within= (seconds), &waiting_calls=false to leave out each queue's list of waiting call ids (null; the dashboard's refresh, whose cost would otherwise grow with the callers waiting). Supervisor.");

        app.MapGet("/api/queues/{id}/statistics", async (string id, HttpRequest request, StatisticsService statistics) =>
        {
            if (Problems.CheckId(id) is { } bad)
            {
                return bad;
            }
            if (Window(request, statistics) is not ({ } window, { } thresholds, null))
            {
                return Window(request, statistics).Problem!;
            }
            var queue = await statistics.QueueAsync(id, window, thresholds);
            return queue is null ? Problems.NotFound($"No queue '{id}'") : TypedResults.Ok(QueueStatisticsResource.From(queue));
        }).RequireAuthorization(Roles.SupervisorPolicy).WithTags("Statistics")
          .WithSummary("A queue's realtime and cumulative statistics over a window (see /api/statistics). Supervisor.");

        app.MapGet("/api/agents/{id}/statistics", async (string id, HttpRequest request, ClaimsPrincipal user, StatisticsService statistics, IGrainFactory grains) =>
        {
            if (Problems.CheckId(id) is { } bad)
            {
                return bad;
            }
            if (!user.MayActAs(id))
            {
                return AcdUser.Forbidden($"An agent sees only their own statistics, not '{id}'");
            }
            if (Window(request, statistics) is not ({ } window, _, null))
            {
                return Window(request, statistics).Problem!;
            }
            if (await grains.GetGrain<IAgentGrain>(id).GetAsync() is null)
            {
                return Problems.NotFound($"No agent '{id}'");
            }
            return TypedResults.Ok(await statistics.AgentAsync(id, window));
        }).RequireAuthorization().WithTags("Statistics")
          .WithSummary("An agent's calls handled, talk, hold and wrap-up time, occupancy and missed offers over a window. Supervisor, or the agent.");

        app.MapGet("/api/events", async (HttpRequest request, ClaimsPrincipal user, IEventLog log) =>
        {
            var q = request.Query;
            if (!user.IsSupervisor() && (q["agentId"].FirstOrDefault() is not { } own || !user.MayActAs(own)))
            {
                return AcdUser.Forbidden("An agent reads only their own events: add agentId= their id");
            }
            if (Time(q["from"], "from") is { Problem: { } fromProblem })
            {
                return fromProblem;
            }
            if (Time(q["to"], "to") is { Problem: { } toProblem })
            {
                return toProblem;
            }
            var from = Time(q["from"], "from").Value;
            var to = Time(q["to"], "to").Value;
            if (from is { } f && to is { } t && t <= f)
            {
                return Problems.Invalid("to", "Must be after 'from'");
            }
            var limit = 100;
            if (q["limit"].Count > 0 && (!int.TryParse(q["limit"], NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > 1000))
            {
                return Problems.Invalid("limit", "A whole number from 1 to 1000");
            }
            long after = 0;
            if (q["after"].Count > 0 && !long.TryParse(q["after"], NumberStyles.None, CultureInfo.InvariantCulture, out after))
            {
                return Problems.Invalid("after", "The 'next' cursor of a previous page");
            }
            var types = q["type"].SelectMany(v => (v ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();
            var page = await log.QueryAsync(new EventQuery(from, to, types, q["callId"].FirstOrDefault(), q["agentId"].FirstOrDefault(), q["queueId"].FirstOrDefault(), after, limit));
            string? next = null;
            if (page.Next is { } cursor)
            {
                var rest = q.Where(p => p.Key != "after").SelectMany(p => p.Value.Select(v => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(v ?? "")}"));
                next = $"/api/events?{string.Join('&', rest.Append($"after={cursor}"))}";
            }
            return TypedResults.Ok(new { events = page.Events.Select(Contracts.EventResource.From), next, next_after = page.Next });
        }).RequireAuthorization().WithTags("Statistics")
          .WithSummary("The event log, oldest first, a page at a time: ?from=&to= (ISO 8601), &type= (repeatable or comma-separated; 'reservation.' or 'task.*' for a prefix), &callId=, &agentId=, &queueId=, &limit= (1–1000, default 100); follow 'next'. Supervisor, or an agent for their own (agentId= their id): where a softphone reads what its event stream no longer keeps.");

        return app;
    }

    private static (StatisticsWindow? Window, StatisticsThresholds? Thresholds, IResult? Problem) Window(HttpRequest request, StatisticsService statistics)
    {
        var q = request.Query;
        var window = statistics.DefaultWindow();
        var thresholds = statistics.DefaultThresholds();
        var from = Time(q["from"], "from");
        var to = Time(q["to"], "to");
        if ((from.Problem ?? to.Problem) is { } problem)
        {
            return (null, null, problem);
        }
        window = new StatisticsWindow(from.Value ?? window.From, to.Value ?? (from.Value is null ? window.To : statistics.Now));
        if (window.To <= window.From)
        {
            return (null, null, Problems.Invalid("to", "Must be after 'from'"));
        }
        if (window.To - window.From > StatisticsService.MaxWindow)
        {
            return (null, null, Problems.Invalid("from", $"A window of at most {StatisticsService.MaxWindow.TotalDays:F0} days; ask for longer periods a month at a time"));
        }
        foreach (var (name, apply) in new (string, Func<double, StatisticsThresholds>)[]
        {
            ("service_level_threshold", v => thresholds with { ServiceLevelSeconds = v }),
            ("abandon_within", v => thresholds with { ShortAbandonSeconds = v }),
        })
        {
            if (q[name].Count == 0)
            {
                continue;
            }
            if (!double.TryParse(q[name], NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) || seconds < 0 || double.IsInfinity(seconds))
            {
                return (null, null, Problems.Invalid(name, "Seconds, zero or more"));
            }
            thresholds = apply(seconds);
        }
        return (window, thresholds, null);
    }

    private static (DateTimeOffset? Value, IResult? Problem) Time(Microsoft.Extensions.Primitives.StringValues value, string field)
    {
        if (value.Count == 0 || string.IsNullOrWhiteSpace(value))
        {
            return (null, null);
        }
        return DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
            ? (at, null)
            : (null, Problems.Invalid(field, "An ISO 8601 time, e.g. 2026-11-25T09:00:00+09:00"));
    }
}

/// <summary>A queue's statistics in TaskRouter's shape: realtime and cumulative side by side.</summary>
public sealed record QueueStatisticsResource(string QueueId, object Realtime, QueueCumulative Cumulative)
{
    public static QueueStatisticsResource From(QueueStatistics s) => From(s, true);

    public static QueueStatisticsResource From(QueueStatistics s, bool waitingCalls) => new(
        s.QueueId,
        new
        {
            tasks_waiting = s.Realtime.Waiting,
            longest_task_waiting_age = Math.Round(s.Realtime.LongestWaitingSeconds, 3),
            activity_statistics = s.Realtime.AgentsByActivity.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => new { friendly_name = a.Key, workers = a.Value }),
            total_eligible_workers = s.Realtime.EligibleAgents,
            total_available_workers = s.Realtime.AvailableAgents,
            estimated_wait_seconds = s.EstimatedWaitSeconds,
            handle_seconds = s.Realtime.HandleSeconds,
            agents_at_work = s.Realtime.AgentsAtWork,
            waiting_call_ids = waitingCalls ? s.Realtime.WaitingCallIds : null,
        },
        s.Cumulative);
}
