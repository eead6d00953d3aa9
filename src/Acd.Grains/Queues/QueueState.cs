using Acd.Grains.Abstractions;

namespace Acd.Grains.Queues;

[GenerateSerializer, Alias("acd.QueueState")]
public sealed record QueueState
{
    [Id(0)] public QueueDefinition? Definition { get; set; }

    // Id(1) held the waiting calls until they moved to IWaitingCallStore, one record per call.
}
