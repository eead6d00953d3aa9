using System.Globalization;
using System.Text.Json;
using Acd.Api.Http;
using Acd.Api.Security;
using Acd.Grains.Abstractions;
using Acd.Grains.Schedules;
using Acd.Grains.Workspace;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Acd.Api.Apis;

/// <summary>Schedules of open hours: weekly hours in a zone, Japan's national holidays, the center's own dates.</summary>
public static class SchedulesApi
{
    /// <summary>The longest range one calendar request may ask for.</summary>
    private const int MaxCalendarDays = 366;

    public static RouteGroupBuilder MapSchedulesApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/schedules").WithTags("Schedules");

        group.MapGet("/", async (IGrainFactory grains) =>
        {
            var ids = await grains.Workspace().GetScheduleIdsAsync();
            var schedules = await Task.WhenAll(ids.Select(id => grains.GetGrain<IScheduleGrain>(id).GetAsync()));
            return TypedResults.Ok(schedules.OfType<ScheduleDefinition>().Select(ScheduleParser.ToJson).ToList());
        }).RequireAuthorization(Roles.SupervisorPolicy).WithSummary("Lists the schedules of open hours. Supervisor.");

        group.MapGet("/{id}", async Task<Results<Ok<object>, ProblemHttpResult>> (string id, IGrainFactory grains) =>
        {
            if (Problems.CheckId(id) is { } bad)
            {
                return bad;
            }
            var schedule = await grains.GetGrain<IScheduleGrain>(id).GetAsync();
            return schedule is null ? Problems.NotFound($"No schedule '{id}'") : TypedResults.Ok(ScheduleParser.ToJson(schedule));
        }).RequireAuthorization(Roles.SupervisorPolicy).WithSummary("Gets a schedule. Supervisor.");

        group.MapPut("/{id}", async Task<Results<Ok<object>, ProblemHttpResult>> (string id, JsonElement body, IGrainFactory grains) =>
        {
            if (Problems.CheckId(id) is { } bad)
            {
                return bad;
            }
            if (body.ValueKind == JsonValueKind.Object && body.TryGetProperty("id", out var bodyId) && bodyId.ValueKind != JsonValueKind.Null && bodyId.ToString() != id)
            {
                return Problems.Invalid("id", $"Must be '{id}' (the id in the URL) or absent");
            }
            var parsed = ScheduleParser.Parse(id, body);
            if (!parsed.Ok)
            {
                return parsed.Problem!.ToResult();
            }
            var outcome = await grains.GetGrain<IScheduleGrain>(id).ConfigureAsync(parsed.Value!);
            return outcome.Ok ? TypedResults.Ok(ScheduleParser.ToJson(outcome.Value!)) : outcome.Problem!.ToResult();
        }).RequireAuthorization(Roles.AdminPolicy)
        .WithSummary("Creates or replaces a schedule: time_zone, weekly hours, closed_on_national_holidays, dates; errors name the field. Admin.");

        group.MapDelete("/{id}", async Task<Results<NoContent, ProblemHttpResult>> (string id, IGrainFactory grains) =>
        {
            if (Problems.CheckId(id) is { } bad)
            {
                return bad;
            }
            var outcome = await grains.GetGrain<IScheduleGrain>(id).DeleteAsync();
            return outcome.Ok ? TypedResults.NoContent() : outcome.Problem!.ToResult();
        }).RequireAuthorization(Roles.AdminPolicy).WithSummary("Deletes a schedule. Admin.");

        group.MapGet("/{id}/calendar", async Task<Results<Ok<ScheduleCalendar>, ProblemHttpResult>> (string id, string? from, string? to, IGrainFactory grains, HolidayCalendar holidays, TimeProvider time) =>
        {
            if (Problems.CheckId(id) is { } bad)
            {
                return bad;
            }
            var schedule = await grains.GetGrain<IScheduleGrain>(id).GetAsync();
            if (schedule is null)
            {
                return Problems.NotFound($"No schedule '{id}'");
            }
            var hours = new OpenHours(schedule, holidays.On);
            var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(time.GetUtcNow(), hours.Zone).DateTime);
            if (Day(from, today) is not { } start)
            {
                return Problems.Invalid("from", "Must be a date: yyyy-MM-dd");
            }
            if (Day(to, start.AddDays(13)) is not { } end)
            {
                return Problems.Invalid("to", "Must be a date: yyyy-MM-dd");
            }
            if (end < start || end.DayNumber - start.DayNumber >= MaxCalendarDays)
            {
                return Problems.Invalid("to", $"Must be on or after from, and at most {MaxCalendarDays} days from it");
            }
            var (open, closed) = hours.Calendar(start, end);
            var now = hours.At(time.GetUtcNow());
            return TypedResults.Ok(new ScheduleCalendar(
                schedule.Id, schedule.TimeZone, start, end,
                new ScheduleNow(now.Open, Reason(now.Reason), now.Name, now.Until),
                [.. open.Select(i => new OpenIntervalResource(i.Open, i.Close))],
                [.. closed.Select(c => new ClosedDayResource(c.Date, Reason(c.Reason)!, c.Name))]));
        }).RequireAuthorization(Roles.SupervisorPolicy)
        .WithSummary("The schedule's open intervals (with the zone's offset) and closed days with their reasons between from and to (default: today and the next 13 days), and whether it is open now. Supervisor.");

        return group;
    }

    private static DateOnly? Day(string? text, DateOnly fallback) =>
        text is null ? fallback
        : DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day) ? day
        : null;

    private static string? Reason(ClosedReason? reason) => reason is null ? null : ScheduleGrain.ReasonWord(reason);
}

/// <summary>A schedule's calendar over a range of its local dates.</summary>
public sealed record ScheduleCalendar(string ScheduleId, string TimeZone, DateOnly From, DateOnly To, ScheduleNow Now, IReadOnlyList<OpenIntervalResource> Open, IReadOnlyList<ClosedDayResource> Closed);

/// <summary>Open or closed now, why (outside-hours, holiday, closure), the day's name, and when that changes.</summary>
public sealed record ScheduleNow(bool Open, string? Reason, string? Name, DateTimeOffset? Until);

public sealed record OpenIntervalResource(DateTimeOffset Open, DateTimeOffset Close);

public sealed record ClosedDayResource(DateOnly Date, string Reason, string? Name);
