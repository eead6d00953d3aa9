namespace Acd.Grains.Statistics;

/// <summary>A statistics window, half-open: events at <see cref="From"/> count, events at <see cref="To"/> do not.</summary>
public sealed record StatisticsWindow(DateTimeOffset From, DateTimeOffset To)
{
    /// <summary>Since midnight today in the contact center's time zone, until now.</summary>
    public static StatisticsWindow Today(DateTimeOffset now, TimeZoneInfo zone)
    {
        var local = TimeZoneInfo.ConvertTime(now, zone);
        var midnight = new DateTimeOffset(local.Date, zone.GetUtcOffset(local.Date));
        return new StatisticsWindow(midnight, now);
    }
}

/// <summary>What counts as answered in time, and which abandons are too short to count against the queue.</summary>
public sealed record StatisticsThresholds(double ServiceLevelSeconds = 20, double ShortAbandonSeconds = 5);

/// <summary>
/// A queue's figures over a window. Calls count in the window where their outcome happened (answered, abandoned,
/// completed); a call's wait is from when it called in to when it was answered or hung up (its original age).
/// </summary>
public sealed record QueueCumulative(
    string QueueId,
    DateTimeOffset From,
    DateTimeOffset To,
    int TasksEntered,
    int TasksAnswered,
    int TasksAbandoned,
    int TasksAbandonedShort,
    int TasksCanceled,
    int TasksCompleted,
    int AnsweredWithinServiceLevel,
    double ServiceLevelThreshold,
    double ShortAbandonThreshold,
    double? ServiceLevel,
    double? AverageSpeedOfAnswer,
    double? AverageWait,
    double? MaxWait,
    double? AverageHandleTime,
    double? AverageTalkTime,
    double? AverageHoldTime,
    double? AverageWrapUpTime,
    int ReservationsCreated,
    int ReservationsAccepted,
    int ReservationsRejected,
    int ReservationsTimedOut,
    IReadOnlyDictionary<string, int>? WrapUpCodes = null,
    int ReservationsCanceled = 0,
    int CallbacksRequested = 0,
    int CallbacksAttempted = 0,
    int CallbacksConnected = 0,
    int CallbacksFailed = 0,
    double? AverageCallbackConnectSeconds = null,
    int VoicemailsLeft = 0,
    int VoicemailsHandled = 0);

/// <summary>An agent's figures over a window.</summary>
public sealed record AgentCumulative(
    string AgentId,
    DateTimeOffset From,
    DateTimeOffset To,
    int CallsHandled,
    double TalkSeconds,
    double HoldSeconds,
    double WrapUpSeconds,
    double StaffedSeconds,
    double? Occupancy,
    int MissedOffers,
    int RejectedOffers,
    IReadOnlyDictionary<string, double> SecondsByActivity,
    IReadOnlyDictionary<string, int>? WrapUpCodes = null);
