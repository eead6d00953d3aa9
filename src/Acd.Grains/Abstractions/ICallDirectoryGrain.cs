using Orleans.Concurrency;

namespace Acd.Grains.Abstractions;

/// <summary>A line of the call list: enough for supervisors to see every live call at a glance.</summary>
[GenerateSerializer, Immutable, Alias("acd.CallSummary")]
public sealed record CallSummary(
    [property: Id(0)] string Id,
    [property: Id(1)] CallStatus Status,
    [property: Id(2)] DateTimeOffset StatusSince,
    [property: Id(3)] string? QueueId,
    [property: Id(4)] string? AgentId,
    [property: Id(5)] int Priority,
    [property: Id(6)] DateTimeOffset CreatedAt,
    [property: Id(7)] string? ConferenceSid,
    [property: Id(8)] long Version,
    [property: Id(9)] bool OnHold = false,
    [property: Id(10)] IReadOnlyList<string>? Monitors = null,
    [property: Id(11)] CallKind Kind = CallKind.Inbound);

/// <summary>
/// The list of calls (key <c>default</c>): every live call and the most recent finished ones. Fed one-way by
/// call grains on every change; a view for listing, not a source of truth (each call grain is).
/// </summary>
[Alias("acd.ICallDirectoryGrain")]
public interface ICallDirectoryGrain : IGrainWithStringKey
{
    [OneWay]
    Task UpdateAsync(CallSummary call);

    [ReadOnly]
    Task<IReadOnlyList<CallSummary>> ListAsync(CallStatus? status, bool activeOnly, int limit);
}
