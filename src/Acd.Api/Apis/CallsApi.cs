using System.Security.Claims;
using Acd.Api.Contracts;
using Acd.Api.Http;
using Acd.Api.Security;
using Acd.Grains.Abstractions;
using Acd.Grains.Workspace;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Acd.Api.Apis;

/// <summary>
/// Calls: creating one (what the voice webhook does), reading them, and everything agents and supervisors do to one.
/// An agent's token acts only on calls offered to or connected with that agent; supervisors act on any call.
/// </summary>
public static class CallsApi
{
    public static RouteGroupBuilder MapCallsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/calls").WithTags("Calls");

        group.MapPost("/", async Task<Results<Created<CallResource>, ProblemHttpResult>> (CreateCallRequest body, IGrainFactory grains, TimeProvider time, Microsoft.Extensions.Options.IOptions<AcdOptions> acd) =>
        {
            var id = body.Id ?? $"call-{Guid.NewGuid():N}";
            if (Problems.CheckId(id) is { } bad)
            {
                return bad;
            }
            if (body.Workflow is { } workflow && Problems.CheckId(workflow, "workflow") is { } badWorkflow)
            {
                return badWorkflow;
            }
            var attributes = AcdJson.ObjectText(body.Attributes, "attributes", out var error, acd.Value.MaxAttributesBytes);
            if (error is not null)
            {
                return Problems.Invalid("attributes", error);
            }
            var call = grains.GetGrain<ICallGrain>(id);
            if (await call.GetAsync() is not null)
            {
                return Problem.Conflict($"Call '{id}' exists", "id").ToResult();
            }
            var outcome = await call.StartAsync(new CallStart(attributes ?? "{}", body.Workflow, null, body.Priority ?? 0));
            return outcome.Ok
                ? TypedResults.Created($"/api/calls/{id}", CallResource.From(outcome.Value!, time.GetUtcNow()))
                : outcome.Problem!.ToResult();
        }).RequireAuthorization(Roles.AdminPolicy)
        .WithSummary("Creates a call with attributes and routes it through a workflow (what the voice webhook does for a real call). Admin.");

        group.MapGet("/", async Task<Results<Ok<List<CallSummaryResource>>, ProblemHttpResult>> (string? status, bool? active, int? limit, IGrainFactory grains, TimeProvider time) =>
        {
            CallStatus? wanted = null;
            if (status is not null)
            {
                if (!Enum.TryParse<CallStatus>(status.Replace("_", "", StringComparison.Ordinal), ignoreCase: true, out var parsed) || int.TryParse(status, out _))
                {
                    return Problems.Invalid("status", "One of created, queued, offered, connected, wrap_up, completed, abandoned, canceled, failed, scheduled");
                }
                wanted = parsed;
            }
            if (limit is < 1 or > 10000)
            {
                return Problems.Invalid("limit", "Must be between 1 and 10000");
            }
            var calls = await grains.GetGrain<ICallDirectoryGrain>(Grains.Workspace.RouterGrainKey.Default).ListAsync(wanted, active ?? false, limit ?? 1000);
            var now = time.GetUtcNow();
            return TypedResults.Ok(calls.Select(c => CallSummaryResource.From(c, now)).ToList());
        }).RequireAuthorization(Roles.SupervisorPolicy)
        .WithSummary("Lists calls, oldest first: every live call (queue, agent, state, time in state, hold, who is monitoring) and recent finished ones; active=true for live ones only. Supervisor.");

        group.MapGet("/{id}", async (string id, ClaimsPrincipal user, IGrainFactory grains, TimeProvider time) =>
            await WithCallAsync(id, user, grains, time, (_, view) => Task.FromResult<Outcome<CallView>>(view)))
            .WithSummary("Gets a call: status, queue, offer, agent, conference, legs. The agent it is offered to or connected with, or a supervisor.");

        MapAction(group, "accept", "The offered agent answers (with in-memory telephony; with Twilio the agent answers their phone).",
            (call, view, user, body) => call.AcceptAsync(body?.AgentId ?? user.Id()!));
        MapAction(group, "reject", "The offered agent declines; the call goes back to its place and is not offered to them again.",
            (call, view, user, body) => call.RejectAsync(body?.AgentId ?? user.Id()!));
        MapAction(group, "hold", "Puts the customer on hold: hold music, nobody leaves the conference.",
            (call, view, user, _) => call.HoldAsync(ActingAgent(view, user), true));
        MapAction(group, "resume", "Takes the customer off hold.",
            (call, view, user, _) => call.HoldAsync(ActingAgent(view, user), false));
        MapAction(group, "mute", "Mutes the agent's own leg.",
            (call, view, user, _) => call.MuteAsync(ActingAgent(view, user), true));
        MapAction(group, "unmute", "Unmutes the agent's own leg.",
            (call, view, user, _) => call.MuteAsync(ActingAgent(view, user), false));
        MapAction(group, "hangup", "Ends the call: Acd ends the conference through the API, so the caller is never left alone. The connected agent, or a supervisor.",
            (call, view, user, _) => call.HangUpAsync(),
            refuse: (view, user) => user.IsSupervisor() || user.Id() == view.AgentId
                ? null
                : $"Only the agent connected with call '{view.Id}', or a supervisor, may hang it up (an agent it is only offered to rejects it)");
        group.MapPost("/{id}/complete", async (string id, CompleteRequest? body, ClaimsPrincipal user, IGrainFactory grains, TimeProvider time) =>
            body?.AgentId is { } agentId && !user.MayActAs(agentId)
                ? AcdUser.Forbidden($"An agent acts only as themselves, not as '{agentId}'")
                : await WithCallAsync(id, user, grains, time, (call, _) => call.CompleteAsync(body?.WrapUpCode)))
            .WithSummary("Wrap-up done: the call is completed, with the disposition the agent chose (wrap_up_code, one of the call's wrap_up_codes) if any, and the agent Available before the wrap-up time runs out.");
        MapAction(group, "transfer/complete", "Warm transfer: the first agent leaves; the consulted agent keeps the customer.",
            (call, view, user, _) => call.CompleteTransferAsync(ActingAgent(view, user)));
        MapAction(group, "transfer/cancel", "Warm transfer called off: the consulted agent's leg goes, the customer is taken off hold.",
            (call, view, user, _) => call.CancelTransferAsync(ActingAgent(view, user)));

        group.MapPost("/{id}/transfer", async (string id, TransferBody body, ClaimsPrincipal user, IGrainFactory grains, TimeProvider time) =>
        {
            TransferMode mode;
            if (body.Mode is null || body.Mode.Equals("cold", StringComparison.OrdinalIgnoreCase))
            {
                mode = TransferMode.Cold;
            }
            else if (body.Mode.Equals("warm", StringComparison.OrdinalIgnoreCase))
            {
                mode = TransferMode.Warm;
            }
            else
            {
                return Problems.Invalid("mode", "cold or warm");
            }
            if (body.ToQueue is { } queue && Problems.CheckId(queue, "to_queue") is { } badQueue)
            {
                return badQueue;
            }
            if (body.ToAgent is { } agent && Problems.CheckId(agent, "to_agent") is { } badAgent)
            {
                return badAgent;
            }
            return await WithCallAsync(id, user, grains, time, (call, view) =>
                call.TransferAsync(new TransferRequest(ActingAgent(view, user), mode, body.ToQueue, body.ToAgent)));
        }).WithSummary("Transfers the call to a queue (routed again with its original age) or an agent; cold (the agent leaves at once) or warm (customer on hold, the agents talk first).");

        MapSupervision(group, "monitor", SupervisorAction.Monitor, "A supervisor listens: their leg joins muted.");
        MapSupervision(group, "coach", SupervisorAction.Coach, "A supervisor whispers: only the agent hears them (coaching, with the agent's leg as callSidToCoach).");
        MapSupervision(group, "barge", SupervisorAction.Barge, "A supervisor speaks to both: unmuted, no longer coaching.");
        MapSupervision(group, "leave", SupervisorAction.Leave, "A supervisor hangs up their leg.");

        group.MapPost("/{id}/abandon", async (string id, ClaimsPrincipal user, IGrainFactory grains, TimeProvider time) =>
            await WithCallAsync(id, user, grains, time, (call, _) => call.CallerHungUpAsync()))
            .RequireAuthorization(Roles.AdminPolicy)
            .WithSummary("The caller hangs up (with in-memory telephony; Twilio reports it itself). Admin.");
        return group;
    }

    /// <summary>The agent an operation acts as: the token's agent, or for a supervisor the call's own agent.</summary>
    private static string ActingAgent(CallView view, ClaimsPrincipal user) =>
        user.IsSupervisor() && view.AgentId is { } agent && user.Id() != view.ConsultAgentId ? agent : user.Id()!;

    private static void MapAction(RouteGroupBuilder group, string action, string summary, Func<ICallGrain, CallView, ClaimsPrincipal, OfferResponse?, Task<Outcome<CallView>>> act,
        Func<CallView, ClaimsPrincipal, string?>? refuse = null) =>
        group.MapPost($"/{{id}}/{action}", async (string id, OfferResponse? body, ClaimsPrincipal user, IGrainFactory grains, TimeProvider time) =>
        {
            if (body?.AgentId is { } agentId && !user.MayActAs(agentId))
            {
                return AcdUser.Forbidden($"An agent acts only as themselves, not as '{agentId}'");
            }
            return await WithCallAsync(id, user, grains, time, (call, view) => act(call, view, user, body), refuse);
        }).WithSummary(summary);

    private static void MapSupervision(RouteGroupBuilder group, string action, SupervisorAction what, string summary) =>
        group.MapPost($"/{{id}}/{action}", async (string id, SupervisorBody? body, ClaimsPrincipal user, IGrainFactory grains, TimeProvider time) =>
        {
            var supervisor = body?.SupervisorId ?? user.Id()!;
            if (Problems.CheckId(supervisor, "supervisor_id") is { } bad)
            {
                return bad;
            }
            if (supervisor != user.Id() && !user.IsAdmin())
            {
                return AcdUser.Forbidden("A supervisor supervises as themselves");
            }
            return await WithCallAsync(id, user, grains, time, (call, _) => call.SuperviseAsync(supervisor, what));
        }).RequireAuthorization(Roles.SupervisorPolicy).WithSummary(summary + " Supervisor.");

    /// <summary>Loads the call, checks the caller may touch it, runs the operation, maps the outcome.</summary>
    internal static async Task<IResult> WithCallAsync(string id, ClaimsPrincipal user, IGrainFactory grains, TimeProvider time, Func<ICallGrain, CallView, Task<Outcome<CallView>>> act,
        Func<CallView, ClaimsPrincipal, string?>? refuse = null)
    {
        if (Problems.CheckId(id) is { } bad)
        {
            return bad;
        }
        var call = grains.GetGrain<ICallGrain>(id);
        var view = await call.GetAsync();
        if (view is null)
        {
            return Problems.NotFound($"No call '{id}'");
        }
        // An agent's token names the agent (sub): without one it touches no call, not even one nobody is assigned to. A ring
        // group's call is offered to each agent it rings.
        if (!user.IsSupervisor() && (user.Id() is not { Length: > 0 } me
            || (me != view.OfferedAgentId && view.OfferedToAll?.Contains(me) != true && me != view.AgentId && me != view.ConsultAgentId)))
        {
            return AcdUser.Forbidden($"Call '{id}' is not offered to or connected with '{user.Id()}'");
        }
        if (refuse?.Invoke(view, user) is { } reason)
        {
            return AcdUser.Forbidden(reason);
        }
        var outcome = await act(call, view);
        if (!outcome.Ok)
        {
            return outcome.Problem!.ToResult();
        }
        var resource = CallResource.From(outcome.Value!, time.GetUtcNow(), user.IsSupervisor());
        if (outcome.Value!.Status == CallStatus.Queued)
        {
            resource = resource with { EstimatedWaitSeconds = await grains.Router().GetEstimatedWaitAsync(id) };
        }
        return TypedResults.Ok(resource);
    }
}

/// <summary>A transfer.</summary>
/// <param name="Mode">cold (default) or warm.</param>
/// <param name="ToQueue">A queue to route the call to again (cold only).</param>
/// <param name="ToAgent">An agent to give the call to.</param>
public sealed record TransferBody(string? Mode, string? ToQueue, string? ToAgent);

/// <summary>Which supervisor acts (the token's own id when absent).</summary>
public sealed record SupervisorBody(string? SupervisorId);
