using Acd.Grains.Abstractions;
using Acd.Grains.Calls.Lifecycle;
using Acd.Grains.Events.Types;
using Acd.Grains.Telephony;
using Microsoft.Extensions.Logging;

namespace Acd.Grains.Calls;

/// <summary>Supervisors on a call (design rule 6), and conference operations that wait for the ConferenceSid (rule 3).</summary>
public sealed partial class CallGrain
{
    /// <summary>How long an operation waits for the ConferenceSid before it is given up (design rule 3).</summary>
    private static readonly TimeSpan ConferenceWait = TimeSpan.FromSeconds(10);

    public async Task<Outcome<CallView>> SuperviseAsync(string supervisorId, SupervisorAction action)
    {
        if (!S.Exists)
        {
            return Problem.NotFound($"No call '{Id}'");
        }
        if (S.Status != CallStatus.Connected)
        {
            return Problem.Conflict($"Call '{Id}' is {S.Status}: only a connected call can be supervised");
        }
        var leg = S.Legs.Supervisors.LastOrDefault(l => l.AgentId == supervisorId);
        if (action == SupervisorAction.Leave)
        {
            if (leg is null)
            {
                return Problem.Conflict($"'{supervisorId}' is not on call '{Id}'");
            }
            Emit(new SupervisorLeaves(supervisorId), supervisorId);
            await HangUpLegAsync(leg);
            await SaveAsync();
            return View();
        }
        var agentSid = AgentLegSid();
        if (action == SupervisorAction.Coach && agentSid is null)
        {
            return Problem.Conflict($"The agent's leg of '{Id}' is not known yet: coaching needs it");
        }
        var muted = action == SupervisorAction.Monitor;
        var coaching = action == SupervisorAction.Coach;
        EventDetails said = action switch
        {
            SupervisorAction.Monitor => new SupervisorMonitors(supervisorId),
            SupervisorAction.Coach => new SupervisorCoaches(supervisorId),
            _ => new SupervisorBarges(supervisorId),
        };
        if (leg is null)
        {
            var profile = await grains.GetGrain<IAgentGrain>(supervisorId).GetAsync();
            if (profile?.ContactUri is not { } contact)
            {
                return Problem.Invalid("supervisor_id", $"'{supervisorId}' needs an agent profile with attributes.contact_uri to be called");
            }
            leg = S.Legs.Add(Id, LegRole.Supervisor, supervisorId, contact, Now);
            leg.Muted = muted;
            leg.Coaching = coaching;
            Emit(said, supervisorId);
            await ConferenceOperationAsync($"{CallViews.Word(action)} by {supervisorId}", add: new AddParticipant(
                LegRef(leg), contact, leg.Label!, muted, coaching, coaching ? agentSid : null,
                StartConferenceOnEnter: false, EndConferenceOnExit: false, TimeoutSeconds: 30, Urgency.Normal, null));
            return View();
        }
        leg.Muted = muted;
        leg.Coaching = coaching;
        Emit(said, supervisorId);
        if (leg.CallSid is { } sid && leg.Status == LegStatus.InProgress)
        {
            // Sent even when the flags already match: they mirror Twilio's callbacks, which can trail the last
            // request, and Twilio takes the same update twice without harm.
            await ConferenceOperationAsync($"{CallViews.Word(action)} by {supervisorId}", update: SupervisorMode(sid, leg));
        }
        else
        {
            leg.FlagsToApply = true; // still ringing: sent when the supervisor joins
            await SaveAsync();
        }
        return View();
    }

    /// <summary>Twilio's update that puts a supervisor's leg in the mode its flags say: listening, coaching or speaking.</summary>
    private ParticipantUpdate SupervisorMode(string callSid, Leg leg) =>
        new(Conference(), callSid, null, leg.Muted, leg.Coaching, leg.Coaching ? AgentLegSid() : null);

    /// <summary>The CallSid of the connected agent's leg, the one a coaching supervisor whispers to.</summary>
    private string? AgentLegSid() => S.AgentId is { } agent ? S.Legs.LiveOf(agent)?.CallSid : null;

    /// <summary>
    /// Runs a conference operation now if the ConferenceSid is known; otherwise keeps it, bounded by
    /// <see cref="ConferenceWait"/>, and runs it as soon as the first conference callback brings the SID.
    /// The call is saved first either way, so what was asked for is not lost.
    /// </summary>
    private async Task ConferenceOperationAsync(string description, ParticipantUpdate? update = null, AddParticipant? add = null, bool endConference = false)
    {
        var now = NowOrKept(new PendingOperation { Description = description, Update = update, Add = add, EndConference = endConference });
        await SaveAsync();
        if (now is not null)
        {
            await RunOperationAsync(now);
        }
    }

    /// <summary>
    /// The operation, to run once the call is saved, when the ConferenceSid is known; otherwise null, the operation kept
    /// (bounded by <see cref="ConferenceWait"/>) for the first conference callback to bring the SID.
    /// </summary>
    private PendingOperation? NowOrKept(PendingOperation operation)
    {
        if (S.Conference.Sid is not null)
        {
            return operation;
        }
        S.Conference.Wait(operation, Now, ConferenceWait);
        logger.LogInformation("Call {CallId}: {Operation} waits for the ConferenceSid", Id, operation.Description);
        return null;
    }

    private async Task RunOperationAsync(PendingOperation operation)
    {
        var conference = Conference();
        if (operation.Update is { } update)
        {
            await telephony.UpdateParticipantAsync(update with { Conference = conference });
        }
        if (operation.Add is { } add && S.Legs.Find(add.Leg.LegId) is { IsLive: true })
        {
            await telephony.AddParticipantAsync(add with { Leg = add.Leg with { Conference = conference } });
        }
        if (operation.EndConference)
        {
            await EndConferenceNowAsync();
        }
    }

    /// <summary>The ConferenceSid has come: what waited for it happens now, in the order it was asked for.</summary>
    private async Task RunPendingAsync()
    {
        foreach (var operation in S.Conference.TakePending())
        {
            logger.LogInformation("Call {CallId}: {Operation} runs now that the conference is known", Id, operation.Description);
            await RunOperationAsync(operation);
        }
    }

    private async Task GiveUpWaitingForConferenceAsync()
    {
        foreach (var operation in S.Conference.TakePending())
        {
            if (operation.EndConference)
            {
                // Ending does not need the SID: the live conference is found by its name.
                await EndConferenceNowAsync();
                continue;
            }
            logger.LogWarning("Call {CallId}: {Operation} given up: the ConferenceSid did not come within {Seconds}s", Id, operation.Description, ConferenceWait.TotalSeconds);
            Emit(new OperationFailed(operation.Description, "conference-unknown"));
            if (operation.Add is { } add && S.Legs.Find(add.Leg.LegId) is { IsLive: true } leg)
            {
                CallLegs.Report(leg, LegStatus.Failed, null);
                CallLegs.End(leg);
                if (leg.Role == LegRole.Customer && !S.Status.IsFinal())
                {
                    // The outbound customer was never dialled: the agent is not left alone in the conference.
                    await OutboundFailedAsync("conference-unknown");
                }
            }
        }
        await SaveAsync();
    }
}
