using Acd.Api.Contracts;
using Acd.Api.Http;
using Acd.Api.Security;
using Acd.Grains.Abstractions;
using Acd.Grains.Workspace;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Acd.Api.Apis;

public static class WorkflowsApi
{
    public static RouteGroupBuilder MapWorkflowsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/workflows").WithTags("Workflows");

        group.MapGet("/", async (IGrainFactory grains) =>
        {
            var ids = await grains.Workspace().GetWorkflowIdsAsync();
            var workflows = await Task.WhenAll(ids.Select(id => grains.GetGrain<IWorkflowGrain>(id).GetAsync()));
            return TypedResults.Ok(workflows.OfType<WorkflowDefinition>().Select(WorkflowResource.From).ToList());
        }).RequireAuthorization(Roles.SupervisorPolicy).WithSummary("Lists workflows; the first is used for calls that name none. Supervisor.");

        group.MapGet("/{id}", async Task<Results<Ok<WorkflowResource>, ProblemHttpResult>> (string id, IGrainFactory grains) =>
        {
            if (Problems.CheckId(id) is { } bad)
            {
                return bad;
            }
            var workflow = await grains.GetGrain<IWorkflowGrain>(id).GetAsync();
            return workflow is null ? Problems.NotFound($"No workflow '{id}'") : TypedResults.Ok(WorkflowResource.From(workflow));
        }).RequireAuthorization(Roles.SupervisorPolicy).WithSummary("Gets a workflow. Supervisor.");

        group.MapPut("/{id}", async Task<Results<Ok<WorkflowResource>, ProblemHttpResult>> (string id, WorkflowResource body, IGrainFactory grains, Microsoft.Extensions.Options.IOptions<AcdOptions> options) =>
        {
            if (Problems.CheckId(id) is { } bad)
            {
                return bad;
            }
            if (body.Id is { } bodyId && bodyId != id)
            {
                return Problems.Invalid("id", $"Must be '{id}' (the id in the URL) or absent");
            }
            var configuration = AcdJson.ObjectText(body.Configuration, "configuration", out var error);
            if (configuration is null)
            {
                return Problems.Invalid("configuration", error ?? "Required: {\"task_routing\": {…}}");
            }
            var definition = new WorkflowDefinition(
                id,
                string.IsNullOrWhiteSpace(body.FriendlyName) ? id : body.FriendlyName,
                body.TaskReservationTimeout ?? options.Value.DefaultReservationTimeoutSeconds,
                configuration);
            var outcome = await grains.GetGrain<IWorkflowGrain>(id).ConfigureAsync(definition);
            return outcome.Ok ? TypedResults.Ok(WorkflowResource.From(outcome.Value!)) : outcome.Problem!.ToResult();
        }).RequireAuthorization(Roles.AdminPolicy).WithSummary("Creates or replaces a workflow from TaskRouter's configuration JSON; errors name the field. Admin.");

        group.MapDelete("/{id}", async Task<Results<NoContent, ProblemHttpResult>> (string id, IGrainFactory grains) =>
        {
            if (Problems.CheckId(id) is { } bad)
            {
                return bad;
            }
            var outcome = await grains.GetGrain<IWorkflowGrain>(id).DeleteAsync();
            return outcome.Ok ? TypedResults.NoContent() : outcome.Problem!.ToResult();
        }).RequireAuthorization(Roles.AdminPolicy).WithSummary("Deletes a workflow; calls routing through it stay where they are. Admin.");

        return group;
    }
}
