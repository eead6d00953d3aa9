using System.Text;
using System.Threading.Channels;
using Acd.Grains.Abstractions;
using Acd.Grains.Events;
using Npgsql;
using NpgsqlTypes;

namespace Acd.Silo.Database;

/// <summary>
/// The event log in PostgreSQL (<c>acd_event</c>), shared by every node. Appends are group-committed: whatever grains
/// append while one INSERT runs goes into the next, so a burst costs a few round trips, not one per event, and each
/// caller's append completes once its rows are committed. A batch that fails is kept and written again when the
/// database is back.
/// </summary>
public sealed class PostgresEventLog : IEventLog, IAsyncDisposable
{
    private const int MaxBatch = 2000;

    private readonly NpgsqlDataSource _data;
    private readonly string _serviceId;
    private readonly ILogger<PostgresEventLog> _logger;
    private readonly Channel<(IReadOnlyList<AcdEvent> Events, TaskCompletionSource Done)> _pending =
        Channel.CreateUnbounded<(IReadOnlyList<AcdEvent>, TaskCompletionSource)>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _writer;

    public PostgresEventLog(NpgsqlDataSource data, string serviceId, ILogger<PostgresEventLog> logger)
    {
        _data = data;
        _serviceId = serviceId;
        _logger = logger;
        _writer = Task.Run(WriteAsync);
    }

    public Task AppendAsync(IReadOnlyList<AcdEvent> events)
    {
        if (events.Count == 0)
        {
            return Task.CompletedTask;
        }
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_pending.Writer.TryWrite((events, done)))
        {
            throw new InvalidOperationException("The event log is closed");
        }
        return done.Task;
    }

    private async Task WriteAsync()
    {
        var batch = new List<(IReadOnlyList<AcdEvent> Events, TaskCompletionSource Done)>();
        var failures = 0;
        while (await _pending.Reader.WaitToReadAsync())
        {
            while (batch.Sum(b => b.Events.Count) < MaxBatch && _pending.Reader.TryRead(out var next))
            {
                batch.Add(next);
            }
            try
            {
                await InsertAsync(batch.SelectMany(b => b.Events).ToList());
                foreach (var (_, done) in batch)
                {
                    done.TrySetResult();
                }
                batch.Clear();
                failures = 0;
            }
            catch (Exception e)
            {
                // Tell the waiting grains (they log it and go on), keep the rows, and try again shortly.
                foreach (var (_, done) in batch)
                {
                    done.TrySetException(e);
                }
                failures++;
                _logger.LogWarning("Event log: {Count} events not written ({Message}); retrying", batch.Sum(b => b.Events.Count), e.Message);
                await Task.Delay(TimeSpan.FromSeconds(Math.Min(10, failures)));
                if (_pending.Reader.Completion.IsCompleted && batch.Count == 0)
                {
                    return;
                }
                if (batch.Count > 0)
                {
                    // Re-queue the failed rows ahead of newer ones by retrying them first.
                    await RetryAsync(batch);
                }
            }
        }
    }

    private async Task RetryAsync(List<(IReadOnlyList<AcdEvent> Events, TaskCompletionSource Done)> batch)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await InsertAsync(batch.SelectMany(b => b.Events).ToList());
                batch.Clear();
                _logger.LogInformation("Event log: written after {Attempts} retries", attempt);
                return;
            }
            catch (Exception e)
            {
                _logger.LogWarning("Event log: retry {Attempt} failed ({Message})", attempt, e.Message);
                await Task.Delay(TimeSpan.FromSeconds(Math.Min(10, attempt)));
            }
        }
    }

    private async Task InsertAsync(List<AcdEvent> events)
    {
        await using var command = _data.CreateCommand("""
            INSERT INTO acd_event (service_id, type, at, call_id, agent_id, queue_id, data)
            SELECT @service, t.type, t.at, t.call_id, t.agent_id, t.queue_id, t.data::jsonb
            FROM unnest(@types, @ats, @calls, @agents, @queues, @datas) AS t(type, at, call_id, agent_id, queue_id, data)
            """);
        command.Parameters.AddWithValue("service", _serviceId);
        command.Parameters.Add(new NpgsqlParameter<string[]>("types", NpgsqlDbType.Array | NpgsqlDbType.Varchar) { TypedValue = [.. events.Select(e => e.Type)] });
        command.Parameters.Add(new NpgsqlParameter<DateTime[]>("ats", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { TypedValue = [.. events.Select(e => e.Time.UtcDateTime)] });
        command.Parameters.Add(new NpgsqlParameter<string?[]>("calls", NpgsqlDbType.Array | NpgsqlDbType.Varchar) { TypedValue = [.. events.Select(e => e.CallId)] });
        command.Parameters.Add(new NpgsqlParameter<string?[]>("agents", NpgsqlDbType.Array | NpgsqlDbType.Varchar) { TypedValue = [.. events.Select(e => e.AgentId)] });
        command.Parameters.Add(new NpgsqlParameter<string?[]>("queues", NpgsqlDbType.Array | NpgsqlDbType.Varchar) { TypedValue = [.. events.Select(e => e.QueueId)] });
        command.Parameters.Add(new NpgsqlParameter<string[]>("datas", NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = [.. events.Select(e => e.DataJson)] });
        await command.ExecuteNonQueryAsync();
    }

    public async Task<EventPage> QueryAsync(EventQuery query)
    {
        var sql = new StringBuilder("SELECT sequence, type, at, call_id, agent_id, queue_id, data::text FROM acd_event WHERE service_id = @service AND sequence > @after");
        await using var command = _data.CreateCommand();
        command.Parameters.AddWithValue("service", _serviceId);
        command.Parameters.AddWithValue("after", query.After);
        if (query.From is { } from)
        {
            sql.Append(" AND at >= @from");
            command.Parameters.AddWithValue("from", from.UtcDateTime);
        }
        if (query.To is { } to)
        {
            sql.Append(" AND at < @to");
            command.Parameters.AddWithValue("to", to.UtcDateTime);
        }
        foreach (var (column, value) in new[] { ("call_id", query.CallId), ("agent_id", query.AgentId), ("queue_id", query.QueueId) })
        {
            if (value is not null)
            {
                sql.Append($" AND {column} = @{column}");
                command.Parameters.AddWithValue(column, value);
            }
        }
        if (query.Types is { Count: > 0 } types)
        {
            var exact = types.Where(t => !t.EndsWith('*') && !t.EndsWith('.')).ToArray();
            var prefixes = types.Except(exact).Select(t => t.TrimEnd('*').Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal) + "%").ToArray();
            sql.Append(" AND (type = ANY(@exact) OR type LIKE ANY(@prefixes))");
            command.Parameters.AddWithValue("exact", exact);
            command.Parameters.AddWithValue("prefixes", prefixes);
        }
        sql.Append(" ORDER BY sequence LIMIT @limit");
        command.Parameters.AddWithValue("limit", query.Limit + 1);
        command.CommandText = sql.ToString();
        var events = await ReadAsync(command);
        return events.Count > query.Limit
            ? new EventPage(events[..query.Limit], events[query.Limit - 1].Sequence)
            : new EventPage(events, null);
    }

    public async Task<IReadOnlyList<AcdEvent>> LastPerAgentBeforeAsync(string type, DateTimeOffset before)
    {
        await using var command = _data.CreateCommand("""
            SELECT DISTINCT ON (agent_id) sequence, type, at, call_id, agent_id, queue_id, data::text
            FROM acd_event
            WHERE service_id = @service AND type = @type AND at < @before AND agent_id IS NOT NULL
            ORDER BY agent_id, at DESC, sequence DESC
            """);
        command.Parameters.AddWithValue("service", _serviceId);
        command.Parameters.AddWithValue("type", type);
        command.Parameters.AddWithValue("before", before.UtcDateTime);
        return await ReadAsync(command);
    }

    private static async Task<List<AcdEvent>> ReadAsync(NpgsqlCommand command)
    {
        var events = new List<AcdEvent>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            events.Add(new AcdEvent(
                reader.GetInt64(0),
                reader.GetString(1),
                new DateTimeOffset(reader.GetDateTime(2), TimeSpan.Zero),
                reader.IsDBNull(3) ? null : reader.GetString(3),
                reader.IsDBNull(4) ? null : reader.GetString(4),
                reader.IsDBNull(5) ? null : reader.GetString(5),
                reader.GetString(6)));
        }
        return events;
    }

    public async ValueTask DisposeAsync()
    {
        _pending.Writer.TryComplete();
        await _writer.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }
}
