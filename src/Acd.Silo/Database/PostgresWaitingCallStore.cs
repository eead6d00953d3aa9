using Acd.Grains.Abstractions;
using Acd.Grains.Queues;
using Npgsql;
using Orleans.Serialization;

namespace Acd.Silo.Database;

/// <summary>The waiting calls of every queue in PostgreSQL (<c>acd_waiting_call</c>), shared by every node.</summary>
public sealed class PostgresWaitingCallStore(NpgsqlDataSource data, PostgresGroupCommit commits, string serviceId, Serializer serializer) : IWaitingCallStore
{
    private readonly NpgsqlDataSource _data = data;

    public async Task<IReadOnlyList<WaitingCall>> LoadAsync(string queueId)
    {
        await using var command = _data.CreateCommand("SELECT payload FROM acd_waiting_call WHERE service_id = @service AND queue_id = @queue");
        command.Parameters.AddWithValue("service", serviceId);
        command.Parameters.AddWithValue("queue", queueId);
        await using var reader = await command.ExecuteReaderAsync();
        var calls = new List<WaitingCall>();
        while (await reader.ReadAsync())
        {
            calls.Add(serializer.Deserialize<WaitingCall>(reader.GetFieldValue<byte[]>(0))
                ?? throw new InvalidDataException($"An empty waiting call in queue {queueId}"));
        }
        return calls;
    }

    public Task PutAsync(string queueId, WaitingCall call)
    {
        var payload = serializer.SerializeToArray(call);
        return commits.ExecuteAsync(RowKey(queueId, call.CallId), () => Command("""
            INSERT INTO acd_waiting_call (service_id, queue_id, call_id, payload) VALUES (@service, @queue, @call, @payload)
            ON CONFLICT (service_id, queue_id, call_id) DO UPDATE SET payload = excluded.payload, updated_at = now()
            """, queueId, call.CallId, payload));
    }

    public Task RemoveAsync(string queueId, string callId) =>
        commits.ExecuteAsync(RowKey(queueId, callId), () =>
            Command("DELETE FROM acd_waiting_call WHERE service_id = @service AND queue_id = @queue AND call_id = @call", queueId, callId, payload: null));

    private static string RowKey(string queueId, string callId) => $"acd_waiting_call/{queueId}/{callId}";

    private NpgsqlBatchCommand Command(string sql, string queueId, string callId, byte[]? payload)
    {
        var command = new NpgsqlBatchCommand(sql);
        command.Parameters.AddWithValue("service", serviceId);
        command.Parameters.AddWithValue("queue", queueId);
        command.Parameters.AddWithValue("call", callId);
        if (payload is not null)
        {
            command.Parameters.AddWithValue("payload", payload);
        }
        return command;
    }
}
