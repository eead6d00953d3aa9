using Acd.Api.Tests.Infrastructure;
using Acd.Grains.Abstractions;
using Acd.Grains.Workflows;
using Acd.Silo.Database;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using Orleans.Configuration;
using Orleans.Runtime;
using Orleans.Serialization;
using Orleans.Serialization.Serializers;
using Orleans.Storage;

namespace Acd.Api.Tests.Durability;

/// <summary>
/// Acd's grain storage on PostgreSQL (<see cref="PostgresGrainStorage"/>): the rows Orleans' ADO.NET provider wrote
/// (earlier versions of Acd used it) are the rows it reads and updates, and group-committed writes each get their own
/// answer.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class GrainStorageTests
{
    private const string ServiceId = "acd-storage-test";

    private static readonly GrainId CallKey = GrainId.Create("call", "CA0001");
    private static readonly GrainId IntegerKey = GrainId.Create(GrainType.Create("agentdirectory"), GrainIdKeyExtensions.CreateIntegerKey(7));
    private static readonly GrainId GuidKey = GrainId.Create(GrainType.Create("thing"), GrainIdKeyExtensions.CreateGuidKey(Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e"), "ext"));

    [Fact]
    public async Task StateOrleansProviderWroteIsReadAndUpdatedInPlaceAndOrleansReadsItBack()
    {
        await using var db = await PostgresDatabase.CreateAsync();
        await new SchemaMigrator(db.ConnectionString).ApplyAsync();
        await using var setup = await Setup.CreateAsync(db.ConnectionString);
        var orleans = await setup.OrleansProviderAsync();

        foreach (var (grain, name) in new[] { (CallKey, "call"), (IntegerKey, "agents"), (GuidKey, "workflow") })
        {
            var written = State(name, "by-orleans");
            await orleans.WriteStateAsync(name, grain, written);

            var read = new GrainState<WorkflowState>(new WorkflowState());
            await setup.Acd.ReadStateAsync(name, grain, read);
            Assert.True(read.RecordExists, $"{grain}: the row Orleans wrote is found");
            Assert.Equal("by-orleans", read.State!.Definition!.Id);
            Assert.Equal(written.ETag, read.ETag);

            read.State = State(name, "by-acd").State;
            await setup.Acd.WriteStateAsync(name, grain, read);

            var back = new GrainState<WorkflowState>(new WorkflowState());
            await orleans.ReadStateAsync(name, grain, back);
            Assert.Equal("by-acd", back.State!.Definition!.Id);
            Assert.Equal(read.ETag, back.ETag);
        }
        Assert.Equal(3, await db.ScalarAsync<long>("SELECT count(*) FROM acd_grain_state"));
        Assert.Equal(3, await db.ScalarAsync<long>("SELECT count(*) FROM acd_grain_state WHERE version = 2"));
    }

    [Fact]
    public async Task WritesArrivingTogetherShareACommitAndAStaleOneIsRefusedAlone()
    {
        await using var db = await PostgresDatabase.CreateAsync();
        await new SchemaMigrator(db.ConnectionString).ApplyAsync();
        await using var setup = await Setup.CreateAsync(db.ConnectionString);
        var stale = State("stale", "v1");
        await setup.Acd.WriteStateAsync("workflow", GrainId.Create("workflow", "stale"), stale);
        await db.ExecuteAsync("UPDATE acd_grain_state SET version = version + 1 WHERE grain_id_string = 'stale'");

        // Every batch that may run at once waits in the database on a held row, so the next writes queue behind them.
        var (blocker, held) = await HoldEveryBatchAsync(setup, db);
        await using var _ = blocker;
        var before = setup.Commits.Counts;
        var others = Enumerable.Range(0, 50)
            .Select(i => (Id: $"w{i:00}", State: State($"w{i:00}", "new")))
            .Select(w => (w.Id, Write: setup.Acd.WriteStateAsync("workflow", GrainId.Create("workflow", w.Id), w.State)))
            .ToList();
        stale.State = State("stale", "v2").State;
        var refused = setup.Acd.WriteStateAsync("workflow", GrainId.Create("workflow", "stale"), stale);
        await blocker.ReleaseAsync();

        await Task.WhenAll(held);
        await Task.WhenAll(others.Select(o => o.Write));
        await Assert.ThrowsAsync<InconsistentStateException>(() => refused);
        var (batches, statements) = setup.Commits.Counts;
        Assert.Equal(51 + held.Count, statements - before.Statements);
        Assert.True(batches - before.Batches <= held.Count + 2, $"51 writes arriving together took {batches - before.Batches - held.Count} commits");
        Assert.Equal(50, await db.ScalarAsync<long>("SELECT count(*) FROM acd_grain_state WHERE version = 1 AND grain_id_string LIKE 'w%'"));
        Assert.Equal(held.Count, await db.ScalarAsync<long>("SELECT count(*) FROM acd_grain_state WHERE version = 2 AND grain_id_string LIKE 'held%'"));
        Assert.Equal(2, await db.ScalarAsync<int>("SELECT version FROM acd_grain_state WHERE grain_id_string = 'stale'"));
    }

    [Fact]
    public async Task AStatementTheDatabaseRejectsFailsOnlyItsOwnWriter()
    {
        await using var db = await PostgresDatabase.CreateAsync();
        await new SchemaMigrator(db.ConnectionString).ApplyAsync();
        await using var setup = await Setup.CreateAsync(db.ConnectionString);
        var (blocker, held) = await HoldEveryBatchAsync(setup, db);
        await using var _ = blocker;
        var good = Enumerable.Range(0, 20).Select(i => setup.Acd.WriteStateAsync("workflow", GrainId.Create("workflow", $"g{i:00}"), State("g", "ok"))).ToList();
        // grain_type is varchar(512): the database refuses this row, and the batch it came in is rolled back.
        var bad = setup.Acd.WriteStateAsync(new string('x', 600), GrainId.Create("workflow", "bad"), State("bad", "no"));
        await blocker.ReleaseAsync();

        await Task.WhenAll(held);
        await Task.WhenAll(good);
        var error = await Assert.ThrowsAsync<PostgresException>(() => bad);
        Assert.Equal(PostgresErrorCodes.StringDataRightTruncation, error.SqlState);
        Assert.Equal(20, await db.ScalarAsync<long>("SELECT count(*) FROM acd_grain_state WHERE grain_id_string LIKE 'g%'"));
    }

    /// <summary>
    /// One write per batch the group commit may run at once, each waiting on a row another session holds: until the
    /// blocker is released, whatever is written next queues.
    /// </summary>
    private static async Task<(Blocker Blocker, List<Task> Held)> HoldEveryBatchAsync(Setup setup, PostgresDatabase db)
    {
        var ids = Enumerable.Range(0, PostgresGroupCommit.DefaultInFlight).Select(i => $"held{i}").ToList();
        var states = ids.Select(id => State(id, "v1")).ToList();
        for (var i = 0; i < ids.Count; i++)
        {
            await setup.Acd.WriteStateAsync("workflow", GrainId.Create("workflow", ids[i]), states[i]);
        }
        var blocker = await Blocker.LockAsync(db.ConnectionString, [.. ids]);
        var held = new List<Task>();
        for (var i = 0; i < ids.Count; i++)
        {
            states[i].State = State(ids[i], "v2").State;
            held.Add(setup.Acd.WriteStateAsync("workflow", GrainId.Create("workflow", ids[i]), states[i]));
            await blocker.WaitUntilWaitedOnAsync(i + 1);
        }
        return (blocker, held);
    }

    private static GrainState<WorkflowState> State(string name, string marker) =>
        new(new WorkflowState { Definition = new WorkflowDefinition(marker, name, 0, "{}") });

    /// <summary>Acd's storage and Orleans' ADO.NET provider on one database, with Orleans' serializer for Acd's types.</summary>
    private sealed class Setup : IAsyncDisposable
    {
        private readonly ServiceProvider _services;
        private readonly NpgsqlDataSource _data;
        private readonly string _connectionString;

        private Setup(string connectionString)
        {
            _connectionString = connectionString;
            _services = new ServiceCollection().AddSerializer(b => b.AddAssembly(typeof(WorkflowState).Assembly)).BuildServiceProvider();
            _data = NpgsqlDataSource.Create(connectionString);
            Commits = new PostgresGroupCommit(_data);
            Acd = new PostgresGrainStorage(_data, Commits, ServiceId, "acd", Serializer, _services.GetRequiredService<IActivatorProvider>());
        }

        public PostgresGroupCommit Commits { get; }

        public PostgresGrainStorage Acd { get; }

        private OrleansGrainStorageSerializer Serializer => new(_services.GetRequiredService<Serializer>());

        public static Task<Setup> CreateAsync(string connectionString) => Task.FromResult(new Setup(connectionString));

        /// <summary>Orleans' own provider as Acd configured it before: invariant Npgsql, Orleans' default hash.</summary>
        public async Task<AdoNetGrainStorage> OrleansProviderAsync()
        {
            var options = new AdoNetGrainStorageOptions { Invariant = "Npgsql", ConnectionString = _connectionString, GrainStorageSerializer = Serializer };
            new DefaultAdoNetGrainStorageOptionsHashPickerConfigurator().PostConfigure("acd", options);
            var storage = new AdoNetGrainStorage(_services.GetRequiredService<IActivatorProvider>(), NullLogger<AdoNetGrainStorage>.Instance,
                Options.Create(options), Options.Create(new ClusterOptions { ServiceId = ServiceId, ClusterId = "test" }), "acd");
            var lifecycle = new StartOnlyLifecycle();
            storage.Participate(lifecycle);
            await lifecycle.StartAsync();
            return storage;
        }

        public async ValueTask DisposeAsync()
        {
            await Commits.DisposeAsync();
            await _data.DisposeAsync();
            await _services.DisposeAsync();
        }
    }

    /// <summary>The silo's lifecycle, reduced to starting what subscribed (Orleans' provider reads its queries then).</summary>
    private sealed class StartOnlyLifecycle : ISiloLifecycle
    {
        private readonly List<(int Stage, ILifecycleObserver Observer)> _observers = [];

        public int HighestCompletedStage { get; private set; }

        public int LowestStoppedStage { get; private set; }

        public IDisposable Subscribe(string observerName, int stage, ILifecycleObserver observer)
        {
            _observers.Add((stage, observer));
            return new NoUnsubscribe();
        }

        public async Task StartAsync()
        {
            foreach (var (stage, observer) in _observers.OrderBy(o => o.Stage))
            {
                await observer.OnStart(CancellationToken.None);
                HighestCompletedStage = stage;
            }
        }

        private sealed class NoUnsubscribe : IDisposable
        {
            public void Dispose()
            {
            }
        }
    }

    /// <summary>Another session holding one grain's row (SELECT … FOR UPDATE) until released.</summary>
    private sealed class Blocker : IAsyncDisposable
    {
        private readonly NpgsqlConnection _connection;
        private readonly NpgsqlTransaction _transaction;
        private readonly int _pid;
        private readonly string _connectionString;

        private Blocker(string connectionString, NpgsqlConnection connection, NpgsqlTransaction transaction)
        {
            _connectionString = connectionString;
            _connection = connection;
            _transaction = transaction;
            _pid = connection.ProcessID;
        }

        public static async Task<Blocker> LockAsync(string connectionString, string[] grainKeys)
        {
            var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            var transaction = await connection.BeginTransactionAsync();
            await using var command = new NpgsqlCommand("SELECT count(*) FROM (SELECT 1 FROM acd_grain_state WHERE grain_id_string = ANY(@keys) FOR UPDATE) held", connection, transaction);
            command.Parameters.AddWithValue("keys", grainKeys);
            Assert.Equal((long)grainKeys.Length, await command.ExecuteScalarAsync());
            return new Blocker(connectionString, connection, transaction);
        }

        /// <summary>Until <paramref name="sessions"/> other sessions wait for this one's locks (pg_blocking_pids), within 10 s.</summary>
        public async Task WaitUntilWaitedOnAsync(int sessions)
        {
            await using var probe = new NpgsqlConnection(_connectionString);
            await probe.OpenAsync();
            await Eventually.HoldsAsync(async () =>
            {
                await using var command = new NpgsqlCommand("SELECT count(*) FROM pg_stat_activity WHERE @pid = ANY(pg_blocking_pids(pid))", probe);
                command.Parameters.AddWithValue("pid", _pid);
                return (long)(await command.ExecuteScalarAsync())! >= sessions;
            }, $"{sessions} writes wait for the held rows", 10000);
        }

        public Task ReleaseAsync() => _transaction.CommitAsync();

        public async ValueTask DisposeAsync()
        {
            await _transaction.DisposeAsync();
            await _connection.DisposeAsync();
        }
    }
}
