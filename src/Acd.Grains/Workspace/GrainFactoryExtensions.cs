using Acd.Grains.Abstractions;

namespace Acd.Grains.Workspace;

public static class GrainFactoryExtensions
{
    public static IWorkspaceGrain Workspace(this IGrainFactory grains) => grains.GetGrain<IWorkspaceGrain>(RouterGrainKey.Default);

    public static IRouterGrain Router(this IGrainFactory grains) => grains.GetGrain<IRouterGrain>(RouterGrainKey.Default);

    public static IAgentDirectoryGrain AgentDirectory(this IGrainFactory grains, string agentId) =>
        grains.GetGrain<IAgentDirectoryGrain>(IAgentDirectoryGrain.ShardOf(agentId));

    /// <summary>Every agent id, from all directory shards.</summary>
    public static async Task<IReadOnlyList<string>> AllAgentIdsAsync(this IGrainFactory grains)
    {
        var shards = await Task.WhenAll(Enumerable.Range(0, IAgentDirectoryGrain.Shards)
            .Select(i => grains.GetGrain<IAgentDirectoryGrain>(i).GetAsync()));
        return [.. shards.SelectMany(s => s).Order(StringComparer.Ordinal)];
    }
}
