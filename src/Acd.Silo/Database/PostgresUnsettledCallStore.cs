using Acd.Grains.Calls;
using Npgsql;

namespace Acd.Silo.Database;

/// <summary>The calls not settled yet, in PostgreSQL (<c>acd_unsettled_call</c>), shared by every node.</summary>
public sealed class PostgresUnsettledCallStore(NpgsqlDataSource data, PostgresGroupCommit commits, string serviceId) : IUnsettledCallStore
{
    private readonly NpgsqlDataSource _data = data;

    public Task AddAsync(string callId) =>
        commits.ExecuteAsync(RowKey(callId), () => Command("INSERT INTO acd_unsettled_call (service_id, call_id) VALUES (@service, @call) ON CONFLICT DO NOTHING", callId));

    public Task RemoveAsync(string callId) =>
        commits.ExecuteAsync(RowKey(callId), () => Command("DELETE FROM acd_unsettled_call WHERE service_id = @service AND call_id = @call", callId));

    private static string RowKey(string callId) => $"acd_unsettled_call/{callId}";

    private NpgsqlBatchCommand Command(string sql, string callId)
    {
        var command = new NpgsqlBatchCommand(sql);
        command.Parameters.AddWithValue("service", serviceId);
        command.Parameters.AddWithValue("call", callId);
        return command;
    }

    public async Task<IReadOnlyList<string>> LoadAsync()
    {
        await using var command = _data.CreateCommand("SELECT call_id FROM acd_unsettled_call WHERE service_id = @service ORDER BY added_at");
        command.Parameters.AddWithValue("service", serviceId);
        await using var reader = await command.ExecuteReaderAsync();
        var calls = new List<string>();
        while (await reader.ReadAsync())
        {
            calls.Add(reader.GetString(0));
        }
        return calls;
    }
}
