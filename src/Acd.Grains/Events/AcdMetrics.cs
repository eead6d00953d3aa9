using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Acd.Grains.Abstractions;

using Acd.Grains.Events.Types;

namespace Acd.Grains.Events;

/// <summary>
/// Acd's OpenTelemetry meter (<c>Acd</c>), recorded from the same events the log keeps, so metrics and statistics
/// cannot disagree about what happened: calls entered, offers by outcome, abandons, wait and handle time histograms,
/// and the number of calls waiting per queue (reported by the node that hosts the router).
/// </summary>
public static class AcdMetrics
{
    public const string MeterName = "Acd";

    private static readonly Meter Meter = new(MeterName, "1.0");
    // Keyed by the reporting router: one per cluster, but a process may host several clusters (tests) or, for a moment
    // during a handoff, two activations; one router's report must not erase another's queues.
    private static readonly ConcurrentDictionary<object, IReadOnlyDictionary<string, int>> Waiting = new(ReferenceEqualityComparer.Instance);

    private static readonly Counter<long> Entered = Meter.CreateCounter<long>("acd.calls.entered", "{call}", "Calls that entered a queue");
    private static readonly Counter<long> Offers = Meter.CreateCounter<long>("acd.offers", "{offer}", "Offers (reservations) by outcome: created, accepted, rejected, timeout, canceled");
    private static readonly Counter<long> Abandoned = Meter.CreateCounter<long>("acd.calls.abandoned", "{call}", "Callers who hung up before being answered");
    private static readonly Histogram<double> Wait = Meter.CreateHistogram<double>("acd.call.wait", "s", "Wait until answered or abandoned");
    private static readonly Histogram<double> Handle = Meter.CreateHistogram<double>("acd.call.handle", "s", "Handle time (talk, hold included, plus wrap-up) of completed calls");

    static AcdMetrics()
    {
        Meter.CreateObservableGauge("acd.queue.waiting",
            () => Waiting.Values.SelectMany(byQueue => byQueue)
                .GroupBy(q => q.Key, StringComparer.Ordinal)
                .Select(q => new Measurement<int>(q.Sum(c => c.Value), new KeyValuePair<string, object?>("queue", q.Key))),
            "{call}", "Calls waiting in each queue");
    }

    /// <summary>A router's latest count of waiting calls per queue (replaces what that router reported before).</summary>
    public static void ReportWaiting(object router, IReadOnlyDictionary<string, int> byQueue) => Waiting[router] = byQueue;

    /// <summary>The router left this node: another reports now.</summary>
    public static void StopReportingWaiting(object router) => Waiting.TryRemove(router, out _);

    /// <summary>
    /// A configured queue's counters at zero, so its series exist from the start (a dashboard or an alert on
    /// <c>rate(acd_calls_abandoned_total[5m])</c> sees 0, not "no data", before the first call). Adding 0 changes no count.
    /// </summary>
    public static void Known(string queueId)
    {
        var queue = new KeyValuePair<string, object?>("queue", queueId);
        Entered.Add(0, queue);
        Abandoned.Add(0, queue);
        foreach (var outcome in OfferOutcomes)
        {
            Offers.Add(0, queue, new KeyValuePair<string, object?>("outcome", outcome));
        }
    }

    private static readonly string[] OfferOutcomes = ["created", "accepted", "rejected", "timeout", "canceled"];

    /// <summary>Counts what an event says (its typed details, so nothing is parsed on the way).</summary>
    public static void Record(EventDetails details, string? queueId)
    {
        var queue = new KeyValuePair<string, object?>("queue", queueId ?? "");
        switch (details)
        {
            case QueueEntered:
                Entered.Add(1, queue);
                break;
            case ReservationCreated or ReservationRejected or ReservationTimedOut or ReservationCanceled:
                var name = EventTypes.NameOf(details);
                Offers.Add(1, queue, new KeyValuePair<string, object?>("outcome", name["reservation.".Length..]));
                break;
            case ReservationAccepted accepted:
                Offers.Add(1, queue, new KeyValuePair<string, object?>("outcome", "accepted"));
                if (accepted.WaitSeconds is { } waited)
                {
                    Wait.Record(waited, queue, new KeyValuePair<string, object?>("outcome", "answered"));
                }
                break;
            case TaskCanceled { Abandoned: true } gone:
                Abandoned.Add(1, queue);
                Wait.Record(gone.WaitSeconds ?? 0, queue, new KeyValuePair<string, object?>("outcome", "abandoned"));
                break;
            case TaskCompleted { TalkSeconds: { } talk } done:
                Handle.Record(talk + (done.WrapUpSeconds ?? 0), queue);
                break;
        }
    }
}
