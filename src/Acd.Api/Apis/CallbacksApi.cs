using System.Security.Claims;
using Acd.Api.Contracts;
using Acd.Api.Http;
using Acd.Api.Security;
using Acd.Grains.Abstractions;
using Acd.Grains.Agents;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace Acd.Api.Apis;

/// <summary>
/// Callbacks asked for outside a call: a web form's "call me", or one at a time. Each is a call of kind callback that
/// waits in its queue like a caller (or, scheduled, enters it at its time); the agent it reaches is rung first, then the
/// customer is dialled. Callers who ask for one in the wait's menu keep their place (README, "Callbacks").
/// </summary>
public static class CallbacksApi
{
    /// <summary>How far ahead a callback may be scheduled.</summary>
    private static readonly TimeSpan Horizon = TimeSpan.FromDays(30);

    public static RouteGroupBuilder MapCallbacksApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/callbacks").WithTags("Callbacks").RequireAuthorization(Roles.SupervisorPolicy);

        group.MapPost("/", async Task<Results<Created<CallResource>, ProblemHttpResult>> (CreateCallbackRequest body, IGrainFactory grains, TimeProvider time, IOptions<AcdOptions> acd) =>
        {
            var id = body.Id ?? $"cb-{Guid.NewGuid():N}";
            if (Problems.CheckId(id) is { } bad)
            {
                return bad;
            }
            if (!AgentValidation.IsPhoneNumber(body.To))
            {
                return Problems.Invalid("to", "Required: the number to call back, E.164 such as +819012345678");
            }
            if (body.CallerId is { } callerId && !AgentValidation.IsPhoneNumber(callerId))
            {
                return Problems.Invalid("caller_id", "An E.164 number such as +81312345678");
            }
            if (body.Workflow is { } workflow && Problems.CheckId(workflow, "workflow") is { } badWorkflow)
            {
                return badWorkflow;
            }
            if (body.Priority is < 0)
            {
                return Problems.Invalid("priority", "Must be 0 or more");
            }
            var now = time.GetUtcNow();
            if (body.At is { } at && at > now + Horizon)
            {
                return Problems.Invalid("at", "At most 30 days ahead");
            }
            var attributes = AcdJson.ObjectText(body.Attributes, "attributes", out var error, acd.Value.MaxAttributesBytes);
            if (error is not null)
            {
                return Problems.Invalid("attributes", error);
            }
            var outcome = await grains.GetGrain<ICallGrain>(id).StartCallbackAsync(
                new CallbackStart(body.To!, attributes ?? "{}", body.Workflow, body.Priority ?? 0, body.At, body.CallerId));
            return outcome.Ok
                ? TypedResults.Created($"/api/calls/{id}", CallResource.From(outcome.Value!, time.GetUtcNow()))
                : outcome.Problem!.ToResult();
        }).WithSummary("Asks for a callback: now (it waits in its queue like a caller), or at a time (at; it enters its queue then, with its priority). Answers the call resource (kind callback; status scheduled until its time). Supervisor.");

        group.MapDelete("/{id}", async (string id, ClaimsPrincipal user, IGrainFactory grains, TimeProvider time) =>
            await CallsApi.WithCallAsync(id, user, grains, time, (call, _) => call.CancelCallbackAsync(user.Id())))
            .WithSummary("Cancels a callback that has not reached its customer (scheduled, waiting, or its agent being rung): the call ends canceled. 409 once it has ended or the customer answered. Supervisor.");
        return group;
    }
}
