using Acd.Api.Contracts;
using Acd.Api.Http;
using Acd.Api.Security;
using Acd.Grains.Abstractions;
using Acd.Grains.Workspace;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Acd.Api.Apis;

public static class QueuesApi
{
    public static RouteGroupBuilder MapQueuesApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/queues").WithTags("Queues");

        group.MapGet("/", async (IGrainFactory grains) =>
        {
            var ids = await grains.Workspace().GetQueueIdsAsync();
            var queues = await Task.WhenAll(ids.Select(id => grains.GetGrain<IQueueGrain>(id).GetAsync()));
            return TypedResults.Ok(queues.OfType<QueueDefinition>().Select(QueueResource.From).ToList());
        }).RequireAuthorization(Roles.SupervisorPolicy).WithSummary("Lists queues. Supervisor.");

        group.MapGet("/{id}", async Task<Results<Ok<QueueResource>, ProblemHttpResult>> (string id, IGrainFactory grains) =>
        {
            if (Problems.CheckId(id) is { } bad)
            {
                return bad;
            }
            var queue = await grains.GetGrain<IQueueGrain>(id).GetAsync();
            return queue is null ? Problems.NotFound($"No queue '{id}'") : TypedResults.Ok(QueueResource.From(queue));
        }).RequireAuthorization(Roles.SupervisorPolicy).WithSummary("Gets a queue. Supervisor.");

        group.MapPut("/{id}", async Task<Results<Ok<QueueResource>, ProblemHttpResult>> (string id, QueueResource body, IGrainFactory grains) =>
        {
            if (Problems.CheckId(id) is { } bad)
            {
                return bad;
            }
            if (body.Id is { } bodyId && bodyId != id)
            {
                return Problems.Invalid("id", $"Must be '{id}' (the id in the URL) or absent");
            }
            var outcome = await grains.GetGrain<IQueueGrain>(id).ConfigureAsync(body.ToDefinition(id));
            return outcome.Ok ? TypedResults.Ok(QueueResource.From(outcome.Value!)) : outcome.Problem!.ToResult();
        }).RequireAuthorization(Roles.AdminPolicy).WithSummary("Creates or replaces a queue. A bad target_workers or order_by is rejected with the position of the error. Admin.");

        group.MapDelete("/{id}", async Task<Results<NoContent, ProblemHttpResult>> (string id, IGrainFactory grains) =>
        {
            if (Problems.CheckId(id) is { } bad)
            {
                return bad;
            }
            var outcome = await grains.GetGrain<IQueueGrain>(id).DeleteAsync();
            return outcome.Ok ? TypedResults.NoContent() : outcome.Problem!.ToResult();
        }).RequireAuthorization(Roles.AdminPolicy).WithSummary("Deletes a queue that no call waits in and no workflow routes to. Admin.");

        group.MapGet("/{id}/stats", async Task<Results<Ok<QueueStatsResource>, ProblemHttpResult>> (string id, IGrainFactory grains, IServiceProvider services) =>
        {
            if (Problems.CheckId(id) is { } bad)
            {
                return bad;
            }
            var stats = await grains.Router().GetRealtimeAsync(id);
            var backlog = services.GetService(typeof(Acd.Api.Twilio.TwilioRequestQueue)) is Acd.Api.Twilio.TwilioRequestQueue queue ? queue.Backlog(id) : null;
            return stats is null ? Problems.NotFound($"No queue '{id}'") : TypedResults.Ok(QueueStatsResource.From(stats, backlog));
        }).RequireAuthorization(Roles.SupervisorPolicy).WithSummary("Realtime statistics: calls waiting, longest waiting age, agents by activity, eligible and available agents. Supervisor.");

        return group;
    }
}
