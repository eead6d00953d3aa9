using Acd.Grains.Abstractions;
using Acd.Grains.Workspace;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Acd.Api.Apis;

/// <summary>An agent a call may be handed to, with their live activity.</summary>
public sealed record TransferAgent(string Id, string FriendlyName, string Activity, bool Available);

/// <summary>A queue a call may be sent to.</summary>
public sealed record TransferQueue(string Id, string FriendlyName);

public sealed record TransferTargets(IReadOnlyList<TransferAgent> Agents, IReadOnlyList<TransferQueue> Queues);

public static class TransferTargetsApi
{
    /// <summary>
    /// Who and where a call can be transferred to, for any signed-in user: agents see colleagues' names and activity (the
    /// presence every agent desktop shows), not their attributes, calls or figures.
    /// </summary>
    public static IEndpointConventionBuilder MapTransferTargetsApi(this IEndpointRouteBuilder app) =>
        app.MapGet("/api/transfer-targets", async (IGrainFactory grains) =>
        {
            var agentIds = await grains.AllAgentIdsAsync();
            var agents = await Task.WhenAll(agentIds.Select(id => grains.GetGrain<IAgentGrain>(id).GetAsync()));
            var queueIds = await grains.Workspace().GetQueueIdsAsync();
            var queues = await Task.WhenAll(queueIds.Select(id => grains.GetGrain<IQueueGrain>(id).GetAsync()));
            return TypedResults.Ok(new TransferTargets(
                [.. agents.OfType<AgentView>().OrderBy(a => a.Id, StringComparer.Ordinal).Select(a => new TransferAgent(a.Id, a.FriendlyName, a.Activity, a.Available))],
                [.. queues.OfType<QueueDefinition>().OrderBy(q => q.Id, StringComparer.Ordinal).Select(q => new TransferQueue(q.Id, q.FriendlyName))]));
        })
        .WithTags("Calls")
        .WithSummary("Agents (name and live activity) and queues a call can be transferred to. Any signed-in user.");
}
