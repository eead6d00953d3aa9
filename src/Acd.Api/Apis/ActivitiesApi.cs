using Acd.Api.Contracts;
using Acd.Api.Http;
using Acd.Api.Security;
using Acd.Grains.Abstractions;
using Acd.Grains.Workspace;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Acd.Api.Apis;

public static class ActivitiesApi
{
    public static RouteGroupBuilder MapActivitiesApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/activities").WithTags("Activities");

        group.MapGet("/", async (IGrainFactory grains) =>
            TypedResults.Ok((await grains.Workspace().GetActivitiesAsync()).Select(ActivityResource.From).ToList()))
            .WithSummary("Lists activities: the built-in Offline, Available, Break, WrapUp and configured ones. Any role.");

        group.MapGet("/{name}", async Task<Results<Ok<ActivityResource>, ProblemHttpResult>> (string name, IGrainFactory grains) =>
        {
            var activity = (await grains.Workspace().GetActivitiesAsync()).FirstOrDefault(a => a.Name == name);
            return activity is null ? Problems.NotFound($"No activity '{name}'") : TypedResults.Ok(ActivityResource.From(activity));
        }).WithSummary("Gets one activity.");

        group.MapPut("/{name}", async Task<Results<Ok<ActivityResource>, ProblemHttpResult>> (string name, ActivityResource body, IGrainFactory grains) =>
        {
            if (body.FriendlyName is { Length: > 0 } named && named != name)
            {
                return Problems.Invalid("friendly_name", $"Must be '{name}' (the name in the URL) or absent");
            }
            var outcome = await grains.Workspace().SetActivityAsync(new ActivityDefinition(name, body.Available));
            return outcome.Ok ? TypedResults.Ok(ActivityResource.From(outcome.Value!)) : outcome.Problem!.ToResult();
        }).RequireAuthorization(Roles.AdminPolicy).WithSummary("Creates or changes a configured activity. Admin.");

        group.MapPut("/", async Task<Results<Ok<List<ActivityResource>>, ProblemHttpResult>> (List<ActivityResource> body, IGrainFactory grains) =>
        {
            for (var i = 0; i < body.Count; i++)
            {
                if (string.IsNullOrWhiteSpace(body[i].FriendlyName))
                {
                    return Problems.Invalid($"[{i}].friendly_name", "Required");
                }
                var builtIn = Activities.BuiltIn.FirstOrDefault(a => a.Name == body[i].FriendlyName);
                if (builtIn is not null && builtIn.Available != body[i].Available)
                {
                    return Problems.Invalid($"[{i}].available", $"'{builtIn.Name}' is built in and its availability cannot change");
                }
            }
            foreach (var activity in body)
            {
                var outcome = await grains.Workspace().SetActivityAsync(new ActivityDefinition(activity.FriendlyName, activity.Available));
                if (!outcome.Ok)
                {
                    return outcome.Problem!.ToResult();
                }
            }
            return TypedResults.Ok((await grains.Workspace().GetActivitiesAsync()).Select(ActivityResource.From).ToList());
        }).RequireAuthorization(Roles.AdminPolicy).WithSummary("Creates or changes several activities at once. Admin.");

        group.MapDelete("/{name}", async Task<Results<NoContent, ProblemHttpResult>> (string name, IGrainFactory grains) =>
        {
            var outcome = await grains.Workspace().RemoveActivityAsync(name);
            return outcome.Ok ? TypedResults.NoContent() : outcome.Problem!.ToResult();
        }).RequireAuthorization(Roles.AdminPolicy).WithSummary("Deletes a configured activity no agent is in. Admin.");

        return group;
    }
}
