using Acd.Api.Contracts;
using Acd.Api.Http;
using Acd.Grains.Abstractions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Acd.Api.Apis;

public static class CallsApi
{
    public static RouteGroupBuilder MapCallsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/calls").WithTags("Calls");

        group.MapPost("/", async Task<Results<Created<CallResource>, ProblemHttpResult>> (CreateCallRequest body, IGrainFactory grains, TimeProvider time) =>
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
            var attributes = AcdJson.ObjectText(body.Attributes, "attributes", out var error);
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
        }).WithSummary("Creates a call with attributes and routes it through a workflow (what the voice webhook does for a real call).");

        group.MapGet("/", async Task<Results<Ok<List<CallSummaryResource>>, ProblemHttpResult>> (string? status, bool? active, int? limit, IGrainFactory grains, TimeProvider time) =>
        {
            CallStatus? wanted = null;
            if (status is not null)
            {
                if (!Enum.TryParse<CallStatus>(status.Replace("_", "", StringComparison.Ordinal), ignoreCase: true, out var parsed) || int.TryParse(status, out _))
                {
                    return Problems.Invalid("status", "One of created, queued, offered, connected, wrap_up, completed, abandoned, canceled, failed");
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
        }).WithSummary("Lists calls, oldest first: every live call and recent finished ones; filter by status or active=true.");

        group.MapGet("/{id}", async Task<Results<Ok<CallResource>, ProblemHttpResult>> (string id, IGrainFactory grains, TimeProvider time) =>
        {
            if (Problems.CheckId(id) is { } bad)
            {
                return bad;
            }
            var call = await grains.GetGrain<ICallGrain>(id).GetAsync();
            return call is null ? Problems.NotFound($"No call '{id}'") : TypedResults.Ok(CallResource.From(call, time.GetUtcNow()));
        }).WithSummary("Gets a call: status, queue, offer, agent, conference, legs.");

        MapCallAction(group, "accept", "The offered agent answers (with in-memory telephony; Twilio reports answers itself).",
            (call, body) => call.AcceptAsync(body!.AgentId!), needsAgent: true);
        MapCallAction(group, "reject", "The offered agent declines; the call goes back to its place in the queue.",
            (call, body) => call.RejectAsync(body!.AgentId!), needsAgent: true);
        MapCallAction(group, "hangup", "Ends the call from Acd's side: the conference is ended through the API.",
            (call, _) => call.HangUpAsync(), needsAgent: false);
        MapCallAction(group, "abandon", "The caller hangs up (with in-memory telephony; Twilio reports it itself).",
            (call, _) => call.CallerHungUpAsync(), needsAgent: false);
        MapCallAction(group, "complete", "Wrap-up done: the call is completed and the agent Available.",
            (call, _) => call.CompleteAsync(), needsAgent: false);

        return group;
    }

    private static void MapCallAction(RouteGroupBuilder group, string action, string summary, Func<ICallGrain, OfferResponse?, Task<Outcome<CallView>>> act, bool needsAgent)
    {
        group.MapPost($"/{{id}}/{action}", async Task<Results<Ok<CallResource>, ProblemHttpResult>> (string id, OfferResponse? body, IGrainFactory grains, TimeProvider time) =>
        {
            if (Problems.CheckId(id) is { } bad)
            {
                return bad;
            }
            if (needsAgent && string.IsNullOrWhiteSpace(body?.AgentId))
            {
                return Problems.Invalid("agent_id", "Required: the agent the call is offered to");
            }
            var call = grains.GetGrain<ICallGrain>(id);
            if (await call.GetAsync() is null)
            {
                return Problems.NotFound($"No call '{id}'");
            }
            var outcome = await act(call, body);
            return outcome.Ok ? TypedResults.Ok(CallResource.From(outcome.Value!, time.GetUtcNow())) : outcome.Problem!.ToResult();
        }).WithSummary(summary);
    }
}
