using Orleans.Concurrency;

namespace Acd.Grains.Abstractions;

/// <summary>
/// One shard of the durable list of agent ids (key: shard number). Sharded so that a center with 100,000
/// agents never rewrites one huge list when an agent is added.
/// </summary>
[Alias("acd.IAgentDirectoryGrain")]
public interface IAgentDirectoryGrain : IGrainWithIntegerKey
{
    public const int Shards = 32;

    Task AddAsync(string agentId);

    Task RemoveAsync(string agentId);

    [ReadOnly, AlwaysInterleave]
    Task<IReadOnlyList<string>> GetAsync();

    static int ShardOf(string agentId)
    {
        // A stable hash (string.GetHashCode is randomized per process).
        var hash = 2166136261u;
        foreach (var c in agentId)
        {
            hash = (hash ^ c) * 16777619u;
        }
        return (int)(hash % Shards);
    }
}
