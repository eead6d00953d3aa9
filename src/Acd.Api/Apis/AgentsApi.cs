using Acd.Api.Contracts;
using Acd.Api.Http;
using Acd.Grains.Abstractions;
using Acd.Grains.Workspace;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Acd.Api.Apis;

public static class AgentsApi
{
    public static RouteGroupBuilder MapAgentsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/agents").WithTags("Agents");

        group.MapGet("/", async (IGrainFactory grains) =>
        {
            var ids = await grains.AllAgentIdsAsync();
            var agents = await Task.WhenAll(ids.Select(id => grains.GetGrain<IAgentGrain>(id).GetAsync()));
            return TypedResults.Ok(agents.OfType<AgentView>().Select(AgentResource.From).ToList());
        }).WithSummary("Lists agents.");

        group.MapGet("/{id}", async Task<Results<Ok<AgentResource>, ProblemHttpResult>> (string id, IGrainFactory grains) =>
        {
            if (Problems.CheckId(id) is { } bad)
            {
                return bad;
            }
            var agent = await grains.GetGrain<IAgentGrain>(id).GetAsync();
            return agent is null ? Problems.NotFound($"No agent '{id}'") : TypedResults.Ok(AgentResource.From(agent));
        }).WithSummary("Gets an agent: activity, offers, calls, idle time and today's counters.");

        group.MapPut("/{id}", async Task<Results<Ok<AgentResource>, ProblemHttpResult>> (string id, AgentRequest body, IGrainFactory grains) =>
        {
            if (Problems.CheckId(id) is { } bad)
            {
                return bad;
            }
            var attributes = AcdJson.ObjectText(body.Attributes, "attributes", out var error);
            if (error is not null)
            {
                return Problems.Invalid("attributes", error);
            }
            var definition = new AgentDefinition(id, body.FriendlyName ?? id, attributes ?? "{}", body.Capacity ?? 1, body.Activity);
            var outcome = await grains.GetGrain<IAgentGrain>(id).ConfigureAsync(definition, activityOnlyIfNew: false);
            return outcome.Ok ? TypedResults.Ok(AgentResource.From(outcome.Value!)) : outcome.Problem!.ToResult();
        }).WithSummary("Creates or replaces an agent (TaskRouter's Worker); attributes.contact_uri is where calls ring.");

        group.MapDelete("/{id}", async Task<Results<NoContent, ProblemHttpResult>> (string id, IGrainFactory grains) =>
        {
            if (Problems.CheckId(id) is { } bad)
            {
                return bad;
            }
            var outcome = await grains.GetGrain<IAgentGrain>(id).DeleteAsync();
            return outcome.Ok ? TypedResults.NoContent() : outcome.Problem!.ToResult();
        }).WithSummary("Deletes an agent who has no calls.");

        group.MapPut("/{id}/activity", async Task<Results<Ok<AgentResource>, ProblemHttpResult>> (string id, ActivityChange body, IGrainFactory grains) =>
        {
            if (Problems.CheckId(id) is { } bad)
            {
                return bad;
            }
            if (string.IsNullOrWhiteSpace(body.Activity))
            {
                return Problems.Invalid("activity", "Required: an activity's friendly_name");
            }
            var outcome = await grains.GetGrain<IAgentGrain>(id).SetActivityAsync(body.Activity);
            return outcome.Ok ? TypedResults.Ok(AgentResource.From(outcome.Value!)) : outcome.Problem!.ToResult();
        }).WithSummary("Changes the agent's activity (Available, Break, Offline, …). Going unavailable withdraws a ringing offer; leaving WrapUp ends wrap-up.");

        return group;
    }
}
