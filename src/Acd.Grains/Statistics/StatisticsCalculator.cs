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
        EventTypes.NameOf<ReservationTimedOut>(), EventTypes.NameOf<TaskCanceled>(), EventTypes.NameOf<TaskCompleted>(),
    ];

    public static readonly string[] AgentEventTypes =
    [
        EventTypes.NameOf<WorkerActivityUpdated>(), EventTypes.NameOf<ReservationAccepted>(), EventTypes.NameOf<ReservationRejected>(), EventTypes.NameOf<ReservationTimedOut>(),
        EventTypes.NameOf<ReservationWrapUp>(), EventTypes.NameOf<ReservationCompleted>(), EventTypes.NameOf<TaskCompleted>(),
    ];

    public static QueueCumulative Queue(string queueId, StatisticsWindow window, StatisticsThresholds thresholds, IEnumerable<AcdEvent> events)
    {
        int entered = 0, answered = 0, abandoned = 0, abandonedShort = 0, canceled = 0, completed = 0, inTime = 0;
        int created = 0, accepted = 0, rejected = 0, timedOut = 0;
        double answeredWait = 0, allWait = 0, handle = 0, talk = 0, hold = 0, wrapUp = 0;
        double? maxWait = null;
        var waits = 0;
        foreach (var e in events)
        {
            if (e.QueueId != queueId || e.Time < window.From || e.Time >= window.To)
            {
                continue;
            }
            switch (EventTypes.Read(e))
            {
                case QueueEntered:
                    entered++;
                    break;
                case ReservationCreated:
                    created++;
                    break;
                case ReservationRejected:
                    rejected++;
                    break;
                case ReservationTimedOut:
                    timedOut++;
                    break;
                case ReservationAccepted a:
                    accepted++;
                    if (a.WaitSeconds is { } wait)
                    {
                        answered++;
                        answeredWait += wait;
                        if (wait <= thresholds.ServiceLevelSeconds)
                        {
                            inTime++;
                        }
                        Wait(wait);
                    }
                    break;
                case TaskCanceled { Abandoned: true } gone:
                    abandoned++;
                    var abandonWait = gone.WaitSeconds ?? 0;
                    if (abandonWait <= thresholds.ShortAbandonSeconds)
                    {
                        abandonedShort++;
                    }
                    Wait(abandonWait);
                    break;
                case TaskCanceled:
                    canceled++;
                    break;
                case TaskCompleted { TalkSeconds: { } talked } done:
                    completed++;
                    var wrapped = done.WrapUpSeconds ?? 0;
                    talk += talked;
                    hold += done.HoldSeconds ?? 0;
                    wrapUp += wrapped;
                    handle += talked + wrapped;
                    break;
            }
        }
        var offered = answered + abandoned - abandonedShort;
        return new QueueCumulative(
            queueId, window.From, window.To, entered, answered, abandoned, abandonedShort, canceled, completed, inTime,
            thresholds.ServiceLevelSeconds, thresholds.ShortAbandonSeconds,
            offered > 0 ? Round(100.0 * inTime / offered) : null,
            answered > 0 ? Round(answeredWait / answered) : null,
            waits > 0 ? Round(allWait / waits) : null,
            maxWait is { } m ? Round(m) : null,
            completed > 0 ? Round(handle / completed) : null,
            completed > 0 ? Round(talk / completed) : null,
            completed > 0 ? Round(hold / completed) : null,
            completed > 0 ? Round(wrapUp / completed) : null,
            created, accepted, rejected, timedOut);

        void Wait(double seconds)
        {
            waits++;
            allWait += seconds;
            maxWait = maxWait is { } max ? Math.Max(max, seconds) : seconds;
        }
    }

    /// <summary>
    /// An agent's figures. <paramref name="atStart"/> is the agent's last activity event before the window (where they
    /// stood when it opened); <paramref name="events"/> the agent's events in the window.
    /// </summary>
    public static AgentCumulative Agent(string agentId, StatisticsWindow window, AcdEvent? atStart, IEnumerable<AcdEvent> events)
    {
        int handled = 0, missed = 0, rejectedOffers = 0;
        double talk = 0, hold = 0, wrapUp = 0;
        var byActivity = new Dictionary<string, double>(StringComparer.Ordinal);
        double staffed = 0;
        var (activity, available) = EventTypes.Read(atStart ?? Empty) is WorkerActivityUpdated first ? (first.Activity, first.Available) : (Activities.Offline, false);
        var since = window.From;

        foreach (var e in events.Where(e => e.Time >= window.From && e.Time < window.To).OrderBy(e => e.Time).ThenBy(e => e.Sequence))
        {
            var details = EventTypes.Read(e);
            if ((e.AgentId ?? AgentOf(details)) != agentId)
            {
                continue;
            }
            switch (details)
            {
                case WorkerActivityUpdated update:
                    Close(e.Time);
                    (activity, available) = (update.Activity, update.Available);
                    break;
                case ReservationTimedOut:
                    missed++;
                    break;
                case ReservationRejected:
                    rejectedOffers++;
                    break;
                case TaskCompleted done when (done.AgentTalkSeconds ?? done.TalkSeconds) is { } talked:
                    handled++;
                    talk += talked;
                    hold += done.AgentHoldSeconds ?? done.HoldSeconds ?? 0;
                    wrapUp += done.WrapUpSeconds ?? 0;
                    break;
                case ReservationWrapUp { TalkSeconds: { } talked } part:
                    // The agent's part of a call they transferred; its wrap-up comes with reservation.completed.
                    handled++;
                    talk += talked;
                    hold += part.HoldSeconds ?? 0;
                    break;
                case ReservationCompleted done:
                    wrapUp += done.WrapUpSeconds ?? 0;
                    break;
            }
        }
        Close(window.To);
        return new AgentCumulative(
            agentId, window.From, window.To, handled, Round(talk), Round(hold), Round(wrapUp), Round(staffed),
            staffed > 0 ? Round((talk + wrapUp) / staffed) : null,
            missed, rejectedOffers,
            byActivity.ToDictionary(a => a.Key, a => Round(a.Value), StringComparer.Ordinal));

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

    /// <summary>The agent an event's details name, for events logged without one.</summary>
    private static string? AgentOf(EventDetails? details) => details switch
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

    private static double Round(double x) => Math.Round(x, 3);

    private static double? Round(double? x) => x is { } v ? Math.Round(v, 3) : null;
}
