using System.Collections.Concurrent;
using Acd.Grains.Abstractions;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;

namespace Acd.Grains.Tests.MultiSilo;

/// <summary>Events raised by grains on one silo reach a subscriber connected to another (grain observers, not static events).</summary>
public sealed class EventFeedAcrossSilosTests : IAsyncLifetime
{
    private InProcessTestCluster _cluster = null!;

    public async ValueTask InitializeAsync()
    {
        var builder = new InProcessTestClusterBuilder(2);
        builder.ConfigureSilo((_, silo) =>
        {
            silo.AddAcdMemoryStorage();
            silo.UseInMemoryReminderService();
            silo.Services.AddAcdDomain();
        });
        _cluster = builder.Build();
        await _cluster.DeployAsync();
    }

    public async ValueTask DisposeAsync() => await _cluster.DisposeAsync();

    private sealed class Collector : IEventObserver
    {
        public ConcurrentQueue<AcdEvent> Seen { get; } = new();

        public Task OnEventAsync(AcdEvent e)
        {
            Seen.Enqueue(e);
            return Task.CompletedTask;
        }
    }

    [Fact]
    public async Task ASubscriberOnOneSiloHearsAgentsOnBoth()
    {
        var second = _cluster.Silos[1].ServiceProvider.GetRequiredService<IGrainFactory>();
        var collector = new Collector();
        var observer = second.CreateObjectReference<IEventObserver>(collector);
        var feed = second.GetGrain<IEventFeedGrain>(IEventFeedGrain.Supervisor);
        await feed.SubscribeAsync(observer, null);

        var first = _cluster.Silos[0].ServiceProvider.GetRequiredService<IGrainFactory>();
        // Agents are configured from each silo in turn until their grains live on both (placement decides where; a
        // few more calls settle it) and at least 20 exist.
        var agents = new List<string>();
        SiloAddress? Where(string id) => _cluster.TryGetGrainContext(first.GetGrain<IAgentGrain>(id).GetGrainId(), out var context) ? context!.Address.SiloAddress : null;
        while (agents.Count < 20 || agents.Select(Where).Distinct().Count() < 2)
        {
            Assert.True(agents.Count < 200, "200 agents' grains all landed on one silo: the test cannot show events crossing silos");
            var id = $"multi-{agents.Count}";
            var factory = agents.Count % 2 == 0 ? first : second;
            var outcome = await factory.GetGrain<IAgentGrain>(id).ConfigureAsync(new AgentDefinition(id, id, "{}", 1, Activities.Available), false);
            Assert.True(outcome.Ok);
            agents.Add(id);
        }

        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (agents.Except(collector.Seen.Select(e => e.AgentId)).Any())
        {
            Assert.True(DateTime.UtcNow < deadline, $"events arrived only from {collector.Seen.Count} agents");
            await Task.Delay(10, TestContext.Current.CancellationToken);
        }

        // A subscriber that reconnects from the other silo gets what it missed after the last event it saw.
        var last = collector.Seen.Min(e => e.Sequence);
        var catchUp = await first.GetGrain<IEventFeedGrain>(IEventFeedGrain.Supervisor).SubscribeAsync(first.CreateObjectReference<IEventObserver>(new Collector()), last);
        Assert.False(catchUp.Truncated);
        Assert.Equal(collector.Seen.Where(e => e.Sequence > last).Select(e => e.Sequence).Order(), catchUp.Missed.Select(e => e.Sequence));
    }
}
