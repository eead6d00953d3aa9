using Acd.Grains.Abstractions;

namespace Acd.Grains.Calls.Lifecycle;

/// <summary>
/// What Acd has asked the network to end (legs, the conference) and has not yet heard ended. A hang-up can be lost (a
/// request that failed for good, a process that died before sending it, a callback that never came): until the network
/// confirms, the call checks again with a growing pause, sends the hang-up again (Twilio takes it twice without harm) and
/// fetches the legs' status.
/// </summary>
[GenerateSerializer, Alias("acd.CallTeardown")]
public sealed class CallTeardown
{
    /// <summary>The first check comes this long after a hang-up is asked for; each later one twice as long after.</summary>
    public static readonly TimeSpan FirstCheck = TimeSpan.FromSeconds(15);

    public const int MaxChecks = 6;

    [Id(0)] public bool ConferenceEndAsked { get; set; }

    [Id(1)] public bool ConferenceEnded { get; set; }

    [Id(2)] public DateTimeOffset? CheckAt { get; set; }

    [Id(3)] public int Checks { get; set; }

    /// <summary>
    /// A hang-up was asked for: a check is due within the first pause, and the pauses start again from it (the checks
    /// of earlier hang-ups, a late answer's, say, must not leave the call's own end to wait minutes if its request fails).
    /// </summary>
    public void Asked(DateTimeOffset now)
    {
        var first = now + FirstCheck;
        CheckAt = CheckAt is { } due && due < first ? due : first;
        Checks = 0;
    }

    /// <summary>Reloaded unsettled: a check is due unless one is already, counting on from the checks made before.</summary>
    public void CheckAgain(DateTimeOffset now) => CheckAt ??= now + FirstCheck;

    /// <summary>Legs Acd ended that the network has not reported ended.</summary>
    public static IEnumerable<Leg> Unconfirmed(CallLegs legs) => legs.All.Where(l => l.Ended && !l.Status.IsFinal() && l.CallSid is not null);

    public bool Settled(CallLegs legs) => (!ConferenceEndAsked || ConferenceEnded) && !Unconfirmed(legs).Any();

    /// <summary>Nothing more to do: confirmed, or checked as often as it will be (the network says nothing more).</summary>
    public bool Done(CallLegs legs) => Settled(legs) || Checks >= MaxChecks;

    /// <summary>A check was made: the next one, twice as far, or none once settled or tried often enough.</summary>
    public void Checked(DateTimeOffset now, bool settled)
    {
        Checks++;
        CheckAt = settled || Checks >= MaxChecks ? null : now + FirstCheck * Math.Pow(2, Checks);
    }
}
