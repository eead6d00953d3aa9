using Acd.Grains.Infrastructure;
using Acd.Grains.Abstractions;

namespace Acd.Grains.Workspace;

[GenerateSerializer, Alias("acd.AgentDirectoryState")]
public sealed record AgentDirectoryState
{
    [Id(0)] public HashSet<string> Agents { get; set; } = new(StringComparer.Ordinal);
}

public sealed class AgentDirectoryGrain(
    [PersistentState("agents", "acd")] IPersistentState<AgentDirectoryState> state) : Grain, IAgentDirectoryGrain
{
    public async Task AddAsync(string agentId)
    {
        if (state.State.Agents.Add(agentId))
        {
            await state.PersistAsync(this);
        }
    }

    public async Task RemoveAsync(string agentId)
    {
        if (state.State.Agents.Remove(agentId))
        {
            await state.PersistAsync(this);
        }
    }

    public Task<IReadOnlyList<string>> GetAsync() => Task.FromResult<IReadOnlyList<string>>([.. state.State.Agents.Order(StringComparer.Ordinal)]);
}
