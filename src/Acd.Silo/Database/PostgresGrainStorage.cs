using System.Globalization;
using System.Text;
using Npgsql;
using NpgsqlTypes;
using Orleans.Serialization.Serializers;
using Orleans.Storage;

namespace Acd.Silo.Database;

/// <summary>
/// Grain state in <c>acd_grain_state</c>, the table and row layout of Orleans' ADO.NET provider (which earlier versions
/// of Acd used, and whose rows this reads and updates in place), with writes group-committed through
/// <see cref="PostgresGroupCommit"/>: a call's write waits for its commit as before, but concurrent writes share one
/// round trip and one transaction. The row's <c>version</c> is the ETag: a write that does not find the version the
/// grain read changes nothing and throws <see cref="InconsistentStateException"/>, as Orleans' provider does.
/// </summary>
public sealed class PostgresGrainStorage(
    NpgsqlDataSource data, PostgresGroupCommit commits, string serviceId, string name, IGrainStorageSerializer serializer,
    IActivatorProvider activators)
    : IGrainStorage
{
    // Positional parameters ($1 …): Npgsql sends them as they are instead of rewriting named ones on every write.
    // $1 service, $2 type hash, $3 type, $4 id hash, $5 n0, $6 n1, $7 id string (RowKey.AddTo), $8 payload, $9 version.
    private const string Key = """
        service_id = $1 AND grain_type_hash = $2 AND grain_type = $3 AND grain_id_hash = $4 AND grain_id_n0 = $5
        AND grain_id_n1 = $6 AND COALESCE(grain_id_string, '') = COALESCE($7, '')
        """;

    // Orleans' default hash for this table's hash columns: rows written by its provider are found by the same values.
    private static readonly OrleansDefaultHasher Hasher = new();

    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var row = RowKey.Of(stateName, grainId);
        await using var command = data.CreateCommand($"SELECT payload, version FROM acd_grain_state WHERE {Key}");
        row.AddTo(command.Parameters, serviceId);
        await using var reader = await command.ExecuteReaderAsync();
        if (!await reader.ReadAsync())
        {
            // Never written: the grain keeps the fresh state Orleans gave it.
            grainState.ETag = null;
            grainState.RecordExists = false;
            return;
        }
        grainState.State = reader.IsDBNull(0) ? Fresh<T>() : serializer.Deserialize<T>(new BinaryData(reader.GetFieldValue<byte[]>(0)));
        grainState.ETag = reader.GetInt32(1).ToString(CultureInfo.InvariantCulture);
        grainState.RecordExists = true;
    }

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var payload = serializer.Serialize(grainState.State).ToArray();
        var version = await ChangeAsync("WriteState", stateName, grainId, grainState.ETag, payload);
        grainState.ETag = version.ToString(CultureInfo.InvariantCulture);
        grainState.RecordExists = true;
    }

    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (grainState.ETag is null)
        {
            // Nothing was ever stored for this grain.
            grainState.State = Fresh<T>();
            grainState.RecordExists = false;
            return;
        }
        var version = await ChangeAsync("ClearState", stateName, grainId, grainState.ETag, payload: null);
        grainState.ETag = version.ToString(CultureInfo.InvariantCulture);
        grainState.State = Fresh<T>();
        grainState.RecordExists = false;
    }

    private T Fresh<T>() => activators.GetActivator<T>().Create();

    /// <summary>Inserts (no version read) or updates (the version read) the row; the new version, or a conflict.</summary>
    private async Task<int> ChangeAsync(string operation, string stateName, GrainId grainId, string? etag, byte[]? payload)
    {
        var row = RowKey.Of(stateName, grainId);
        int? expected = string.IsNullOrEmpty(etag) ? null : int.Parse(etag, CultureInfo.InvariantCulture);
        var affected = await commits.ExecuteAsync($"acd_grain_state/{stateName}/{row}", () =>
        {
            var command = new NpgsqlBatchCommand(expected is null
                ? """
                  INSERT INTO acd_grain_state (service_id, grain_type_hash, grain_type, grain_id_hash, grain_id_n0, grain_id_n1, grain_id_string, payload, version)
                  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1)
                  ON CONFLICT (service_id, grain_type_hash, grain_id_hash, grain_id_n0, grain_id_n1, grain_type, COALESCE(grain_id_string, '')) DO NOTHING
                  """
                : $"UPDATE acd_grain_state SET payload = $8, version = version + 1, modified_at = now() WHERE {Key} AND version = $9");
            row.AddTo(command.Parameters, serviceId);
            command.Parameters.Add(new NpgsqlParameter<byte[]?> { NpgsqlDbType = NpgsqlDbType.Bytea, TypedValue = payload });
            if (expected is { } version)
            {
                command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = version });
            }
            return command;
        });
        if (affected != 1)
        {
            throw new InconsistentStateException(
                $"Version conflict ({operation}): ServiceId={serviceId} ProviderName={name} GrainType={stateName} GrainId={grainId} ETag={etag}.",
                storedEtag: "unknown", currentEtag: etag ?? "none");
        }
        return (expected ?? 0) + 1;
    }

    /// <summary>
    /// A grain's key in the table's columns, as Orleans' ADO.NET provider lays it out: an integer key in n1, a Guid
    /// key's bytes in n0 and n1, a key extension or string key in <c>grain_id_string</c>; the id hash over the key's
    /// bytes in reverse order on little-endian machines.
    /// </summary>
    private sealed record RowKey(string Type, long N0, long N1, string? IdString, int IdHash, int TypeHash)
    {
        public static RowKey Of(string stateName, GrainId grainId)
        {
            long n0 = 0, n1 = 0;
            string? idString;
            byte[] hashBytes;
            if (grainId.TryGetGuidKey(out var guid, out var guidExtension))
            {
                var bytes = guid.ToByteArray();
                n0 = BitConverter.ToInt64(bytes, 0);
                n1 = BitConverter.ToInt64(bytes, 8);
                idString = guidExtension;
                hashBytes = WithExtension(bytes, idString);
            }
            else if (grainId.TryGetIntegerKey(out var integer, out var integerExtension))
            {
                n1 = integer;
                idString = integerExtension;
                hashBytes = WithExtension(BitConverter.GetBytes(integer), idString);
            }
            else
            {
                idString = grainId.Key.ToString();
                hashBytes = Encoding.UTF8.GetBytes(idString);
            }
            if (BitConverter.IsLittleEndian)
            {
                Array.Reverse(hashBytes);
            }
            return new RowKey(stateName, n0, n1, idString, Hasher.Hash(hashBytes), Hasher.Hash(Encoding.UTF8.GetBytes(stateName)));
        }

        private static byte[] WithExtension(byte[] key, string? extension) =>
            extension is null ? key : [.. key, .. Encoding.UTF8.GetBytes(extension)];

        public void AddTo(NpgsqlParameterCollection parameters, string serviceId)
        {
            parameters.Add(new NpgsqlParameter<string> { NpgsqlDbType = NpgsqlDbType.Varchar, TypedValue = serviceId });
            parameters.Add(new NpgsqlParameter<int> { TypedValue = TypeHash });
            parameters.Add(new NpgsqlParameter<string> { NpgsqlDbType = NpgsqlDbType.Varchar, TypedValue = Type });
            parameters.Add(new NpgsqlParameter<int> { TypedValue = IdHash });
            parameters.Add(new NpgsqlParameter<long> { TypedValue = N0 });
            parameters.Add(new NpgsqlParameter<long> { TypedValue = N1 });
            parameters.Add(new NpgsqlParameter<string?> { NpgsqlDbType = NpgsqlDbType.Varchar, TypedValue = IdString });
        }

        public override string ToString() => $"{N0}/{N1}/{IdString}";
    }
}
