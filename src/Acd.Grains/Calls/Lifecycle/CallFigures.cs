namespace Acd.Grains.Calls.Lifecycle;

/// <summary>The last agent's part of a call: their talk and hold, from when they took it.</summary>
public readonly record struct AgentPart(double TalkSeconds, double HoldSeconds);

/// <summary>
/// The moments and durations statistics are made of: the caller's wait, the customer's talk from the first answer across
/// transfers, hold, and each agent's own part. Kept as the call goes, read when it ends.
/// </summary>
[GenerateSerializer, Alias("acd.CallFigures")]
public sealed class CallFigures
{
    [Id(0)] public DateTimeOffset CreatedAt { get; set; }

    /// <summary>When the call entered its current queue.</summary>
    [Id(1)] public DateTimeOffset? QueuedAt { get; set; }

    /// <summary>When an agent first answered: the customer's conversation runs from here, across transfers.</summary>
    [Id(2)] public DateTimeOffset? FirstConnectedAt { get; set; }

    /// <summary>When the current agent answered.</summary>
    [Id(3)] public DateTimeOffset? ConnectedAt { get; set; }

    /// <summary>When the current agent's part began, and the call's hold seconds at that moment.</summary>
    [Id(4)] public DateTimeOffset? AgentSince { get; set; }

    [Id(5)] public double HoldAtAgentSince { get; set; }

    /// <summary>Since when the customer is on hold (null: not on hold), and the hold seconds of closed holds.</summary>
    [Id(6)] public DateTimeOffset? HoldStartedAt { get; set; }

    [Id(7)] public double HoldSeconds { get; set; }

    /// <summary>When the consulted agent of a warm transfer answered, and the call's hold seconds then.</summary>
    [Id(8)] public DateTimeOffset? ConsultAnsweredAt { get; set; }

    [Id(9)] public double HoldAtConsultAnswered { get; set; }

    [Id(10)] public DateTimeOffset? TalkEndedAt { get; set; }

    /// <summary>The caller's wait until answered (or until they gave up), seconds.</summary>
    [Id(11)] public double? WaitSeconds { get; set; }

    [Id(12)] public DateTimeOffset? EndedAt { get; set; }

    /// <summary>When the call went into wrap-up.</summary>
    [Id(13)] public DateTimeOffset? WrapUpSince { get; set; }

    public bool OnHold => HoldStartedAt is not null;

    /// <summary>
    /// An agent answered. Returns the caller's wait: from calling in for the first answer; from entering a queue again
    /// after a cold transfer to it; none for a transfer straight to an agent (the same answered call going on).
    /// </summary>
    public double? Answered(DateTimeOffset now)
    {
        double? wait = ConnectedAt is null ? (now - CreatedAt).TotalSeconds : QueuedAt is { } queued ? (now - queued).TotalSeconds : null;
        WaitSeconds ??= wait;
        ConnectedAt = now;
        FirstConnectedAt ??= now;
        AgentSince = now;
        HoldAtAgentSince = HoldSoFar(now);
        return wait;
    }

    /// <summary>A callback's attempt that did not reach the customer: as if no agent had answered (the next attempt's is the wait).</summary>
    public void AttemptUndone()
    {
        ConnectedAt = null;
        FirstConnectedAt = null;
        AgentSince = null;
        WaitSeconds = null;
        HoldAtAgentSince = 0;
    }

    /// <summary>The caller left before anyone answered (or before the agent they were transferred to did).</summary>
    public void Abandoned(DateTimeOffset now) =>
        WaitSeconds = ConnectedAt is null ? (now - CreatedAt).TotalSeconds : (now - (QueuedAt ?? now)).TotalSeconds;

    /// <summary>Gave up on the caller (no route, overflow): they waited until now.</summary>
    public void GaveUp(DateTimeOffset now) => WaitSeconds ??= (now - CreatedAt).TotalSeconds;

    public void Hold(bool hold, DateTimeOffset now)
    {
        if (hold)
        {
            HoldStartedAt ??= now;
        }
        else if (HoldStartedAt is { } since)
        {
            HoldSeconds += (now - since).TotalSeconds;
            HoldStartedAt = null;
        }
    }

    /// <summary>The customer's hold seconds so far, the running hold included.</summary>
    public double HoldSoFar(DateTimeOffset now) => HoldSeconds + (HoldStartedAt is { } since ? (now - since).TotalSeconds : 0);

    /// <summary>The current agent hands the call on: their part so far.</summary>
    public AgentPart AgentPartUntil(DateTimeOffset now) =>
        new((now - (AgentSince ?? ConnectedAt ?? now)).TotalSeconds, HoldSoFar(now) - HoldAtAgentSince);

    public void ConsultAnswered(DateTimeOffset now)
    {
        ConsultAnsweredAt = now;
        HoldAtConsultAnswered = HoldSoFar(now);
    }

    /// <summary>A warm transfer completes: the consulted agent's part began when they answered.</summary>
    public void ConsultTakesOver(DateTimeOffset now)
    {
        AgentSince = ConsultAnsweredAt ?? now;
        HoldAtAgentSince = ConsultAnsweredAt is null ? HoldSoFar(now) : HoldAtConsultAnswered;
        ConsultAnsweredAt = null;
    }

    public void TalkEnds(DateTimeOffset now)
    {
        Hold(false, now);
        TalkEndedAt ??= now;
    }

    /// <summary>The customer's talk (hold included) and the last agent's part, when the call ends now.</summary>
    public (double? Talk, double? AgentTalk, double? AgentHold, double WrapUp) Final(DateTimeOffset now)
    {
        var talkEnded = TalkEndedAt ?? now;
        double? talk = (FirstConnectedAt ?? ConnectedAt) is { } connected ? (talkEnded - connected).TotalSeconds : null;
        double? agentTalk = (AgentSince ?? ConnectedAt) is { } since ? (talkEnded - since).TotalSeconds : null;
        double? agentHold = agentTalk is null ? null : HoldSeconds - HoldAtAgentSince;
        var wrapUp = WrapUpSince is { } wrap ? (now - wrap).TotalSeconds : 0;
        return (talk, agentTalk, agentHold, wrapUp);
    }
}
