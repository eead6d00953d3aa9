using Acd.Grains;
using Acd.Grains.Telephony;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Orleans.TestingHost;

namespace Acd.Grains.Tests.Cluster;

/// <summary>
/// One in-process silo shared by the cluster tests (the Orleans docs' pattern). The grains' clock is fake, so
/// offer, wrap-up and workflow deadlines are driven by <see cref="Time"/>; Orleans' own maintenance stays on real time.
/// Tests isolate themselves by giving their agents and queues a team of their own.
/// </summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 25, 0, 0, 0, TimeSpan.Zero));

    public InProcessTestCluster Cluster { get; private set; } = null!;

    public IGrainFactory Grains => Cluster.Client;

    public InMemoryTelephony Telephony => Cluster.Silos[0].ServiceProvider.GetRequiredService<InMemoryTelephony>();

    public GrainCallGate Gate => Cluster.Silos[0].ServiceProvider.GetRequiredService<GrainCallGate>();

    public async ValueTask InitializeAsync()
    {
        var builder = new InProcessTestClusterBuilder(1);
        builder.ConfigureSilo((_, silo) =>
        {
            silo.AddAcdMemoryStorage();
            silo.UseInMemoryReminderService();
            silo.Services.AddSingleton<TimeProvider>(Time);
            silo.Services.UseTimeProviderForBackgroundAreas(TimeProvider.System);
            silo.Services.AddAcdDomain();
            silo.Services.AddSingleton<GrainCallGate>();
            silo.Services.AddSingleton<IIncomingGrainCallFilter>(sp => sp.GetRequiredService<GrainCallGate>());
        });
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await Cluster.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<ClusterFixture>
{
    public const string Name = "cluster";
}
