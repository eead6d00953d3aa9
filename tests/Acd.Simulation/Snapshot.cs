using Acd.Grains.Abstractions;

namespace Acd.Simulation;

/// <summary>Acd as it stands after a step: every call and agent of the world, and what each queue holds as waiting.</summary>
public sealed record Snapshot(
    IReadOnlyDictionary<string, CallView> Calls,
    IReadOnlyDictionary<string, AgentView> Agents,
    IReadOnlyDictionary<string, IReadOnlyList<string>?> RouterWaiting,
    IReadOnlyDictionary<string, IReadOnlyList<string>> StoredWaiting)
{
    public static readonly Snapshot Empty = new(
        new Dictionary<string, CallView>(), new Dictionary<string, AgentView>(), new Dictionary<string, IReadOnlyList<string>?>(), new Dictionary<string, IReadOnlyList<string>>());

    public IReadOnlyList<CallView> LiveCalls => [.. Calls.Values.Where(c => !c.Status.IsFinal()).OrderBy(c => c.Id, StringComparer.Ordinal)];

    public IReadOnlyList<CallView> Connected => [.. Calls.Values.Where(c => c.Status == CallStatus.Connected).OrderBy(c => c.Id, StringComparer.Ordinal)];

    /// <summary>Reads the world's calls (a call read as ended is not read again, unless a voicemail may still be left from it), agents and queues, all at once.</summary>
    public static async Task<Snapshot> ReadAsync(SimHost host, World world, Snapshot previous)
    {
        var grains = host.Grains;
        var calls = world.CallIds.Select(async id =>
            previous.Calls.TryGetValue(id, out var known) && known.Status.IsFinal() && known.Voicemail is not { VoicemailCallId: null, FromCallId: null } ? known : await grains.GetGrain<ICallGrain>(id).GetAsync());
        var agents = world.AgentIds.Append(world.SupervisorId).Select(id => grains.GetGrain<IAgentGrain>(id).GetAsync());
        var router = world.QueueIds.Select(id => grains.GetGrain<IRouterGrain>("default").GetRealtimeAsync(id));
        var stored = world.QueueIds.Select(id => host.WaitingCalls.LoadAsync(id));
        var callViews = await Task.WhenAll(calls);
        var agentViews = await Task.WhenAll(agents);
        var realtime = await Task.WhenAll(router);
        var waiting = await Task.WhenAll(stored);
        return new Snapshot(
            callViews.OfType<CallView>().ToDictionary(c => c.Id, StringComparer.Ordinal),
            agentViews.OfType<AgentView>().ToDictionary(a => a.Id, StringComparer.Ordinal),
            world.QueueIds.Zip(realtime).ToDictionary(p => p.First, p => p.Second?.WaitingCallIds, StringComparer.Ordinal),
            world.QueueIds.Zip(waiting).ToDictionary(p => p.First, p => (IReadOnlyList<string>)[.. p.Second.Select(w => w.CallId)], StringComparer.Ordinal));
    }
}
