using Acd.Grains.Abstractions;
using Acd.Grains.Events.Types;

namespace Acd.Grains.Statistics;

/// <summary>
/// Exact figures from the event log: nothing sampled, nothing estimated. Definitions (the usual contact-center ones):
/// <list type="bullet">
/// <item>service level = answered within the threshold ÷ (answered + abandoned − abandoned within the short-abandon
/// threshold), as a percentage; none when nothing was answered or abandoned;</item>
/// <item>average speed of answer = mean wait of answered calls; average and max wait over answered and abandoned;</item>
/// <item>handle time = talk (hold included) + wrap-up, over calls completed in the window;</item>
/// <item>occupancy = (talk + wrap-up) ÷ staffed time, staffed being time in an available activity or in wrap-up;</item>
/// <item>a queue's talk is the customer's conversation from the first answer, across transfers; an agent's talk, hold
/// and wrap-up are their own part of each call, so an agent who transferred a call has it counted as handled.</item>
/// </list>
/// </summary>
public static class StatisticsCalculator
{
    /// <summary>The event types the figures are made of (what to fetch from the log).</summary>
    public static readonly string[] QueueEventTypes =
    [
        EventTypes.NameOf<QueueEntered>(), EventTypes.NameOf<ReservationCreated>(), EventTypes.NameOf<ReservationAccepted>(), EventTypes.NameOf<ReservationRejected>(),
        EventTypes.NameOf<ReservationTimedOut>(), EventTypes.NameOf<ReservationCanceled>(), EventTypes.NameOf<TaskCanceled>(), EventTypes.NameOf<TaskCompleted>(),
        EventTypes.NameOf<CallbackRequested>(), EventTypes.NameOf<CallbackAttempted>(), EventTypes.NameOf<CallbackConnected>(), EventTypes.NameOf<CallbackFailed>(),
        EventTypes.NameOf<VoicemailLeft>(), EventTypes.NameOf<VoicemailHandled>(),
    ];

    public static readonly string[] AgentEventTypes =
    [
        EventTypes.NameOf<WorkerActivityUpdated>(), EventTypes.NameOf<ReservationAccepted>(), EventTypes.NameOf<ReservationRejected>(), EventTypes.NameOf<ReservationTimedOut>(),
        EventTypes.NameOf<ReservationWrapUp>(), EventTypes.NameOf<ReservationCompleted>(), EventTypes.NameOf<TaskCompleted>(),
    ];

    public static QueueCumulative Queue(string queueId, StatisticsWindow window, StatisticsThresholds thresholds, IEnumerable<AcdEvent> events)
    {
        var tally = new QueueTally();
        foreach (var e in events)
        {
            if (e.QueueId == queueId && e.Time >= window.From && e.Time < window.To)
            {
                tally.Add(EventTypes.Read(e), thresholds);
            }
        }
        return tally.Figures(queueId, window, thresholds);
    }

    /// <summary>
    /// An agent's figures. <paramref name="atStart"/> is the agent's last activity event before the window (where they
    /// stood when it opened); <paramref name="events"/> the agent's events in the window.
    /// </summary>
    public static AgentCumulative Agent(string agentId, StatisticsWindow window, AcdEvent? atStart, IEnumerable<AcdEvent> events)
    {
        var tally = new AgentTally(atStart);
        foreach (var e in events.Where(e => e.Time >= window.From && e.Time < window.To))
        {
            var details = EventTypes.Read(e);
            if ((e.AgentId ?? AgentOf(details)) == agentId)
            {
                tally.Add(e, details);
            }
        }
        return tally.Figures(agentId, window);
    }

    /// <summary>The agent an event's details name, for events logged without one.</summary>
    public static string? AgentOf(EventDetails? details) => details switch
    {
        ReservationCreated r => r.AgentId,
        ReservationAccepted r => r.AgentId,
        ReservationRejected r => r.AgentId,
        ReservationTimedOut r => r.AgentId,
        ReservationCanceled r => r.AgentId,
        ReservationWrapUp r => r.AgentId,
        ReservationCompleted r => r.AgentId,
        TaskEnded t => t.AgentId,
        _ => null,
    };

    internal static double Round(double x) => Math.Round(x, 3);

    /// <summary>Counts a call completed with a wrap-up code, by code.</summary>
    internal static void Count(Dictionary<string, int> codes, string? code)
    {
        if (code is not null)
        {
            codes[code] = codes.GetValueOrDefault(code) + 1;
        }
    }

    internal static double? Round(double? x) => x is { } v ? Math.Round(v, 3) : null;
}

/// <summary>
/// A queue's running sums: events are added as they happen, in any order, and the figures read at any time. What
/// <see cref="StatisticsCalculator.Queue"/> computes from a window's events, and what the statistics ledger keeps for
/// today so a dashboard's read does not go through the day's events.
/// </summary>
public sealed class QueueTally
{
    private int _entered, _answered, _abandoned, _abandonedShort, _canceled, _completed, _inTime;
    private int _created, _accepted, _rejected, _timedOut, _reservationsCanceled, _waits;
    private int _callbacksRequested, _callbacksAttempted, _callbacksConnected, _callbacksFailed, _voicemailsLeft, _voicemailsHandled;
    private double _callbackConnect;
    private double _answeredWait, _allWait, _handle, _talk, _hold, _wrapUp;
    private double? _maxWait;
    private readonly Dictionary<string, int> _codes = new(StringComparer.Ordinal);

    public void Add(EventDetails? details, StatisticsThresholds thresholds)
    {
        switch (details)
        {
            case QueueEntered:
                _entered++;
                break;
            case ReservationCreated:
                _created++;
                break;
            case ReservationRejected:
                _rejected++;
                break;
            case ReservationTimedOut:
                _timedOut++;
                break;
            case ReservationCanceled:
                // A ring group's losers, an offer taken back (the caller left, the agent went away).
                _reservationsCanceled++;
                break;
            case ReservationAccepted a:
                _accepted++;
                if (a.WaitSeconds is { } wait)
                {
                    _answered++;
                    _answeredWait += wait;
                    if (wait <= thresholds.ServiceLevelSeconds)
                    {
                        _inTime++;
                    }
                    Wait(wait);
                }
                break;
            case TaskCanceled { Abandoned: true } gone:
                _abandoned++;
                var abandonWait = gone.WaitSeconds ?? 0;
                if (abandonWait <= thresholds.ShortAbandonSeconds)
                {
                    _abandonedShort++;
                }
                Wait(abandonWait);
                break;
            case TaskCanceled:
                _canceled++;
                break;
            case CallbackRequested:
                _callbacksRequested++;
                break;
            case CallbackAttempted:
                _callbacksAttempted++;
                break;
            case CallbackConnected connected:
                _callbacksConnected++;
                _callbackConnect += connected.SecondsToConnect;
                break;
            case CallbackFailed:
                _callbacksFailed++;
                break;
            case VoicemailLeft:
                _voicemailsLeft++;
                break;
            case VoicemailHandled:
                _voicemailsHandled++;
                break;
            case TaskCompleted { TalkSeconds: { } talked } done:
                _completed++;
                var wrapped = done.WrapUpSeconds ?? 0;
                _talk += talked;
                _hold += done.HoldSeconds ?? 0;
                _wrapUp += wrapped;
                _handle += talked + wrapped;
                StatisticsCalculator.Count(_codes, done.WrapUpCode);
                break;
        }
    }

    private void Wait(double seconds)
    {
        _waits++;
        _allWait += seconds;
        _maxWait = _maxWait is { } max ? Math.Max(max, seconds) : seconds;
    }

    public QueueCumulative Figures(string queueId, StatisticsWindow window, StatisticsThresholds thresholds)
    {
        var offered = _answered + _abandoned - _abandonedShort;
        return new QueueCumulative(
            queueId, window.From, window.To, _entered, _answered, _abandoned, _abandonedShort, _canceled, _completed, _inTime,
            thresholds.ServiceLevelSeconds, thresholds.ShortAbandonSeconds,
            offered > 0 ? StatisticsCalculator.Round(100.0 * _inTime / offered) : null,
            _answered > 0 ? StatisticsCalculator.Round(_answeredWait / _answered) : null,
            _waits > 0 ? StatisticsCalculator.Round(_allWait / _waits) : null,
            StatisticsCalculator.Round(_maxWait),
            _completed > 0 ? StatisticsCalculator.Round(_handle / _completed) : null,
            _completed > 0 ? StatisticsCalculator.Round(_talk / _completed) : null,
            _completed > 0 ? StatisticsCalculator.Round(_hold / _completed) : null,
            _completed > 0 ? StatisticsCalculator.Round(_wrapUp / _completed) : null,
            _created, _accepted, _rejected, _timedOut, new SortedDictionary<string, int>(_codes, StringComparer.Ordinal), _reservationsCanceled,
            _callbacksRequested, _callbacksAttempted, _callbacksConnected, _callbacksFailed,
            _callbacksConnected > 0 ? StatisticsCalculator.Round(_callbackConnect / _callbacksConnected) : null,
            _voicemailsLeft, _voicemailsHandled);
    }
}

/// <summary>
/// An agent's running sums, and the activity changes (a few a day) that time in each activity is read from. Events are
/// added in any order; the figures of a window are read at any time.
/// </summary>
public sealed class AgentTally(AcdEvent? atStart)
{
    private readonly List<(DateTimeOffset Time, long Sequence, string Activity, bool Available)> _changes = [];
    private int _handled, _missed, _rejected;
    private double _talk, _hold, _wrapUp;
    private readonly Dictionary<string, int> _codes = new(StringComparer.Ordinal);

    public void Add(AcdEvent e, EventDetails? details)
    {
        switch (details)
        {
            case WorkerActivityUpdated update:
                _changes.Add((e.Time, e.Sequence, update.Activity, update.Available));
                break;
            case ReservationTimedOut:
                _missed++;
                break;
            case ReservationRejected:
                _rejected++;
                break;
            case TaskCompleted done when (done.AgentTalkSeconds ?? done.TalkSeconds) is { } talked:
                _handled++;
                _talk += talked;
                _hold += done.AgentHoldSeconds ?? done.HoldSeconds ?? 0;
                _wrapUp += done.WrapUpSeconds ?? 0;
                StatisticsCalculator.Count(_codes, done.WrapUpCode);
                break;
            case ReservationWrapUp { TalkSeconds: { } talked } part:
                // The agent's part of a call they transferred; its wrap-up comes with reservation.completed.
                _handled++;
                _talk += talked;
                _hold += part.HoldSeconds ?? 0;
                break;
            case ReservationCompleted done:
                _wrapUp += done.WrapUpSeconds ?? 0;
                break;
        }
    }

    public AgentCumulative Figures(string agentId, StatisticsWindow window)
    {
        var byActivity = new Dictionary<string, double>(StringComparer.Ordinal);
        double staffed = 0;
        var (activity, available) = EventTypes.Read(atStart ?? Empty) is WorkerActivityUpdated first ? (first.Activity, first.Available) : (Activities.Offline, false);
        var since = window.From;
        foreach (var change in _changes.Where(c => c.Time >= window.From && c.Time < window.To).OrderBy(c => c.Time).ThenBy(c => c.Sequence))
        {
            Close(change.Time);
            (activity, available) = (change.Activity, change.Available);
        }
        Close(window.To);
        return new AgentCumulative(
            agentId, window.From, window.To, _handled, StatisticsCalculator.Round(_talk), StatisticsCalculator.Round(_hold), StatisticsCalculator.Round(_wrapUp), StatisticsCalculator.Round(staffed),
            staffed > 0 ? StatisticsCalculator.Round((_talk + _wrapUp) / staffed) : null,
            _missed, _rejected,
            byActivity.ToDictionary(a => a.Key, a => StatisticsCalculator.Round(a.Value), StringComparer.Ordinal),
            new SortedDictionary<string, int>(_codes, StringComparer.Ordinal));

        void Close(DateTimeOffset until)
        {
            var seconds = (until - since).TotalSeconds;
            if (seconds > 0)
            {
                byActivity[activity] = byActivity.GetValueOrDefault(activity) + seconds;
                if (available || activity == Activities.WrapUp)
                {
                    staffed += seconds;
                }
            }
            since = until;
        }
    }

    private static readonly AcdEvent Empty = new(0, "", default, null, null, null, "{}");
}
