using Acd.Grains.Abstractions;

namespace Acd.Grains.Queues;

[GenerateSerializer, Alias("acd.QueueState")]
public sealed record QueueState
{
    [Id(0)] public QueueDefinition? Definition { get; set; }

    /// <summary>Calls waiting here, durable, so the router's index can be rebuilt after a restart.</summary>
    [Id(1)] public Dictionary<string, WaitingCall> Waiting { get; set; } = new(StringComparer.Ordinal);
}
