using Acd.Api.Contracts;
using System.Security.Claims;
using Acd.Api.Http;
using Acd.Api.Security;
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
        }).RequireAuthorization(Roles.SupervisorPolicy).WithSummary("Lists agents. Supervisor.");

        group.MapGet("/{id}", async (string id, ClaimsPrincipal user, IGrainFactory grains) =>
        {
            if (Problems.CheckId(id) is { } bad)
            {
                return bad;
            }
            if (!user.MayActAs(id))
            {
                return AcdUser.Forbidden($"An agent sees only themselves, not '{id}'");
            }
            var agent = await grains.GetGrain<IAgentGrain>(id).GetAsync();
            return agent is null ? Problems.NotFound($"No agent '{id}'") : (IResult)TypedResults.Ok(AgentResource.From(agent));
        }).WithSummary("Gets an agent: activity, offers, calls, idle time and today's counters. The agent themself or a supervisor.");

        group.MapPut("/{id}", async Task<Results<Ok<AgentResource>, ProblemHttpResult>> (string id, AgentRequest body, IGrainFactory grains, Microsoft.Extensions.Options.IOptions<AcdOptions> acd) =>
        {
            if (Problems.CheckId(id) is { } bad)
            {
                return bad;
            }
            var attributes = AcdJson.ObjectText(body.Attributes, "attributes", out var error, acd.Value.MaxAttributesBytes);
            if (error is not null)
            {
                return Problems.Invalid("attributes", error);
            }
            var definition = new AgentDefinition(id, body.FriendlyName ?? id, attributes ?? "{}", body.Capacity ?? 1, body.Activity);
            var outcome = await grains.GetGrain<IAgentGrain>(id).ConfigureAsync(definition, activityOnlyIfNew: false);
            return outcome.Ok ? TypedResults.Ok(AgentResource.From(outcome.Value!)) : outcome.Problem!.ToResult();
        }).RequireAuthorization(Roles.AdminPolicy).WithSummary("Creates or replaces an agent (TaskRouter's Worker); attributes.contact_uri is where calls ring. Admin.");

        group.MapDelete("/{id}", async Task<Results<NoContent, ProblemHttpResult>> (string id, IGrainFactory grains) =>
        {
            if (Problems.CheckId(id) is { } bad)
            {
                return bad;
            }
            var outcome = await grains.GetGrain<IAgentGrain>(id).DeleteAsync();
            return outcome.Ok ? TypedResults.NoContent() : outcome.Problem!.ToResult();
        }).RequireAuthorization(Roles.AdminPolicy).WithSummary("Deletes an agent who has no calls. Admin.");

        group.MapPut("/{id}/activity", async (string id, ActivityChange body, ClaimsPrincipal user, IGrainFactory grains) =>
        {
            if (Problems.CheckId(id) is { } bad)
            {
                return bad;
            }
            if (!user.MayActAs(id))
            {
                return AcdUser.Forbidden($"An agent changes only their own activity, not '{id}'");
            }
            if (string.IsNullOrWhiteSpace(body.Activity))
            {
                return Problems.Invalid("activity", "Required: an activity's friendly_name");
            }
            var outcome = await grains.GetGrain<IAgentGrain>(id).SetActivityAsync(body.Activity);
            return outcome.Ok ? TypedResults.Ok(AgentResource.From(outcome.Value!)) : (IResult)outcome.Problem!.ToResult();
        }).WithSummary("Changes the agent's activity (Available, Break, Offline, …). Going unavailable withdraws a ringing offer; leaving WrapUp ends wrap-up. The agent themself or a supervisor.");

        group.MapPost("/{id}/calls", async (string id, OutboundRequest body, ClaimsPrincipal user, IGrainFactory grains, TimeProvider time,
            Microsoft.Extensions.Options.IOptions<Twilio.TwilioOptions> twilio, Microsoft.Extensions.Options.IOptions<OutboundOptions> outbound, Microsoft.Extensions.Options.IOptions<AcdOptions> acd) =>
        {
            if (Problems.CheckId(id) is { } bad)
            {
                return bad;
            }
            if (!user.MayActAs(id))
            {
                return AcdUser.Forbidden($"An agent calls out only as themselves, not as '{id}'");
            }
            if (string.IsNullOrWhiteSpace(body.To))
            {
                return Problems.Invalid("to", "Required: the number to call, e.g. +81312345678");
            }
            if (!Acd.Grains.Agents.AgentValidation.IsContactUri(body.To))
            {
                return Problems.Invalid("to", "Must be an E.164 number such as +81312345678, sip:… or client:…");
            }
            if (outbound.Value.RefuseDestination(body.To) is { } destination)
            {
                return AcdUser.Forbidden(destination);
            }
            if (outbound.Value.RefuseCallerId(body.CallerId, twilio.Value.CallerId) is { } callerId)
            {
                return AcdUser.Forbidden(callerId);
            }
            var attributes = AcdJson.ObjectText(body.Attributes, "attributes", out var error, acd.Value.MaxAttributesBytes);
            if (error is not null)
            {
                return Problems.Invalid("attributes", error);
            }
            var callId = $"out-{Guid.NewGuid():N}";
            var outcome = await grains.GetGrain<ICallGrain>(callId).StartOutboundAsync(
                new OutboundStart(id, body.To, body.CallerId ?? twilio.Value.CallerId, attributes ?? "{}"));
            return outcome.Ok
                ? TypedResults.Created($"/api/calls/{callId}", CallResource.From(outcome.Value!, time.GetUtcNow()))
                : (IResult)outcome.Problem!.ToResult();
        }).WithSummary("An outbound call: the agent's phone rings first, then the number is dialled into the same fresh conference. Busy, no-answer and failed end it and tell the agent. Only to Acd:Outbound:AllowedPrefixes (default +81) and Twilio Client identities, showing Twilio:CallerId or one of Acd:Outbound:CallerIds (403 otherwise). The agent themself or a supervisor.");

        return group;
    }
}
