using Acd.Grains.Abstractions;
using Acd.Grains.Calls.Lifecycle;
using Acd.Grains.Telephony;
using Microsoft.Extensions.Logging;

namespace Acd.Grains.Calls;

/// <summary>
/// Hanging up, until the network confirms it: a hang-up Acd decided on is remembered (<see cref="CallTeardown"/>), and if
/// the network has not confirmed it after a while, or the call is reloaded after a restart, it is sent again and the legs'
/// status is fetched. Calls not settled are kept in the <see cref="IUnsettledCallStore"/>, so a restart wakes each one.
/// </summary>
public sealed partial class CallGrain
{
    private bool _unlisted;

    /// <summary>Hangs up a leg Acd no longer wants, ringing or answered, and remembers to make sure it ended.</summary>
    private async Task HangUpLegAsync(Leg leg)
    {
        CallLegs.End(leg);
        S.Teardown.Asked(Now);
        await telephony.EndLegAsync(LegRef(leg));
    }

    /// <summary>Ends the conference for everyone in it (design rule 2), and remembers to make sure it ended.</summary>
    private async Task EndConferenceNowAsync()
    {
        ConferenceEnding();
        await telephony.EndConferenceAsync(Conference());
    }

    /// <summary>Notes that the conference is being ended, so the call makes sure it did (and asks again after a reload).</summary>
    private void ConferenceEnding()
    {
        S.Teardown.ConferenceEndAsked = true;
        S.Teardown.Asked(Now);
    }

    /// <summary>
    /// The call was loaded from storage (a restart, a lost silo, a failed step, or a long idle wait): what the network
    /// reported meanwhile may be lost, so the legs and the conference are looked up again, and a hang-up that may have been
    /// lost with the process is sent again. An offer whose deadline passed while Acd was down waits a moment for the
    /// network's answer: the agent may have answered.
    /// </summary>
    private async Task ReconcileAsync()
    {
        if (!S.Exists)
        {
            return;
        }
        if (S.Status == CallStatus.Connected)
        {
            R.TalkCheckAt ??= NextTalkCheck(); // not stored: the checks go on after a reload
        }
        var settled = S.Teardown.Settled(S.Legs);
        if (S.Status.IsFinal() && S.Teardown.Done(S.Legs))
        {
            await UnlistAsync();
            return;
        }
        var legs = S.Legs.All.Where(l => !l.Status.IsFinal() && (l.CallSid is not null || l.Role != LegRole.Caller)).ToList();
        var conferenceUnknown = S.Conference.Sid is null && S.Legs.Customer is { IsLive: true };
        if (legs.Count == 0 && !conferenceUnknown && settled)
        {
            return;
        }
        logger.LogInformation("Call {CallId} reloaded in {Status}: reconciling {Legs} legs with the network", Id, S.Status, legs.Count);
        foreach (var offer in S.Offers.Live.Where(o => o.Deadline < Now + ReconcileGrace))
        {
            offer.Deadline = Now + ReconcileGrace;
        }
        await SendHangUpsAgainAsync();
        await telephony.ReconcileAsync(new Reconciliation(Conference(), [.. legs.Select(LegRef)], S.Teardown.ConferenceEndAsked && !S.Teardown.ConferenceEnded));
        if (!settled)
        {
            S.Teardown.CheckAgain(Now);
        }
    }

    /// <summary>A hang-up is still unconfirmed when its check comes: sent again, and the legs' status fetched.</summary>
    private async Task CheckTeardownAsync()
    {
        var unconfirmed = CallTeardown.Unconfirmed(S.Legs).ToList();
        var conference = S.Teardown.ConferenceEndAsked && !S.Teardown.ConferenceEnded;
        if (unconfirmed.Count > 0 || conference)
        {
            logger.LogInformation("Call {CallId}: {Legs} legs and {Conference} not confirmed ended; asking again", Id, unconfirmed.Count, conference ? "the conference" : "no conference");
            await SendHangUpsAgainAsync();
            await telephony.ReconcileAsync(new Reconciliation(Conference(), [.. unconfirmed.Select(LegRef)], conference));
        }
        S.Teardown.Checked(Now, S.Teardown.Settled(S.Legs));
        await SaveAsync();
    }

    private async Task SendHangUpsAgainAsync()
    {
        foreach (var leg in CallTeardown.Unconfirmed(S.Legs))
        {
            await telephony.EndLegAsync(LegRef(leg));
        }
        if (S.Teardown.ConferenceEndAsked && !S.Teardown.ConferenceEnded)
        {
            await telephony.EndConferenceAsync(Conference());
        }
    }

    /// <summary>A call that has ended and settled leaves the store of unsettled calls (once per activation).</summary>
    private async Task UnlistAsync()
    {
        if (!_unlisted)
        {
            await unsettled.RemoveAsync(Id);
            _unlisted = true;
        }
    }
}
