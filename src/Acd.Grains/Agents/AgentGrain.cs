using Acd.Grains.Abstractions;
using Acd.Grains.Infrastructure;
using Acd.Grains.Workspace;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Acd.Grains.Agents;

/// <summary>
/// The agent's truth: activity, capacity, offers and calls. Every change is written, then pushed to the router
/// as a versioned snapshot before the turn ends, so the router's view is never older than the agent's last
/// completed turn (a push that fails is tried again shortly; the change itself stands). Non-reentrant:
/// <see cref="TryReserveAsync"/> is atomic.
/// <para>
/// The agent verifies the offers and calls it holds (when it activates, and those older than
/// <see cref="VerifyAge"/> every so often): a step that stopped halfway between a call and this agent never leaves the
/// agent busy for a call that does not name it.
/// </para>
/// </summary>
[ResetOnFailure]
public sealed class AgentGrain(
    [PersistentState("agent", "acd")] IPersistentState<AgentState> state,
    IGrainFactory grains,
    Events.IEventLog eventLog,
    TimeProvider time,
    IOptions<AcdOptions> options,
    ILogger<AgentGrain> logger) : Grain, IAgentGrain
{
    /// <summary>Holds older than this are verified with their calls; younger ones are still being set up.</summary>
    public static readonly TimeSpan VerifyAge = TimeSpan.FromSeconds(30);

    /// <summary>A router push that failed is tried again after this.</summary>
    private static readonly TimeSpan PushRetry = TimeSpan.FromSeconds(5);

    private DeadlineTimer? _wrapUpTimer;
    private DeadlineTimer? _verifyTimer;
    private DeadlineTimer? _pushTimer;
    private string? _wrapUpEndedFor;
    private DateTimeOffset _wrapUpEndedAt;
    private AgentRouting? _pushed;
    private bool _activityChanged;

    private AgentState S => state.State;

    private string Id => this.GetPrimaryKeyString();

    private DateTimeOffset Now => time.GetUtcNow();

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        ArmWrapUp();
        // Reloaded after a restart, a lost silo or a failed step: the calls this agent holds may have been lost with it
        // (their deadlines only run while they are active), or never have heard of the hold. Each is asked (and so
        // activated): a call that does not name this agent lets it go.
        foreach (var callId in Held())
        {
            var since = S.HeldSince.TryGetValue(callId, out var at) ? at : S.HeldSince[callId] = Now;
            grains.GetGrain<ICallGrain>(callId).VerifyAgentAsync(Id, since).Ignore();
        }
        ArmVerify();
        return Task.CompletedTask;
    }

    private List<string> Held() => S.Offers.Concat(S.Calls.Keys).Distinct(StringComparer.Ordinal).ToList();

    /// <summary>Nothing to do: being activated is the point (wrap-up re-armed, held calls woken).</summary>
    public Task WakeAsync() => Task.CompletedTask;

    public async Task<Outcome<AgentView>> ConfigureAsync(AgentDefinition definition, bool activityOnlyIfNew)
    {
        if (definition.Id != Id)
        {
            return Problem.Invalid("id", $"Must be '{Id}'");
        }
        if (AgentValidation.Check(definition) is { } problem)
        {
            return problem;
        }
        ActivityDefinition? requested = null;
        if (definition.Activity is { } name)
        {
            requested = await FindActivityAsync(name);
            if (requested is null)
            {
                return Problem.Invalid("activity", $"No activity '{name}'");
            }
        }

        var isNew = !S.Exists;
        S.FriendlyName = string.IsNullOrWhiteSpace(definition.FriendlyName) ? Id : definition.FriendlyName;
        S.AttributesJson = definition.AttributesJson;
        S.Capacity = definition.Capacity;
        if (isNew)
        {
            S.Exists = true;
            S.Activity = Activities.Offline;
            S.ActivitySince = Now;
            ChangeActivity(requested ?? Activities.BuiltIn[0]);
            await grains.AgentDirectory(Id).AddAsync(Id);
        }
        else if (requested is not null && !activityOnlyIfNew)
        {
            ChangeActivity(requested);
        }
        await SaveAsync();
        return View();
    }

    public Task<AgentView?> GetAsync() => Task.FromResult(S.Exists ? View() : null);

    public async Task<Outcome<AgentView>> SetActivityAsync(string activity)
    {
        if (!S.Exists)
        {
            return Problem.NotFound($"No agent '{Id}'");
        }
        var definition = await FindActivityAsync(activity);
        if (definition is null)
        {
            return Problem.Invalid("activity", $"No activity '{activity}'");
        }
        if (definition.Name == Activities.WrapUp && S.Activity != Activities.WrapUp)
        {
            return Problem.Conflict("WrapUp is entered by ending a call", "activity");
        }
        if (S.Activity != definition.Name)
        {
            ChangeActivity(definition);
            await SaveAsync();
        }
        return View();
    }

    public async Task<Outcome<bool>> DeleteAsync()
    {
        if (!S.Exists)
        {
            return Problem.NotFound($"No agent '{Id}'");
        }
        if (S.Offers.Count > 0 || S.Calls.Count > 0)
        {
            return Problem.Conflict($"Agent '{Id}' has calls: delete after they end");
        }
        await grains.Router().RemoveAgentAsync(Id);
        await grains.AgentDirectory(Id).RemoveAsync(Id);
        WrapUpTimer.Cancel();
        await state.ClearAsync(this);
        state.State = new AgentState();
        return true;
    }

    public async Task<Reservation> TryReserveAsync(string callId)
    {
        var contact = S.Exists ? Json.ReadString(S.AttributesJson, "contact_uri") : null;
        if (!S.Exists)
        {
            return new Reservation(false, null, null, "no such agent");
        }
        if (S.Offers.Contains(callId) || S.Calls.ContainsKey(callId))
        {
            return new Reservation(true, contact, S.FriendlyName, null);
        }
        if (!S.ActivityAvailable)
        {
            return new Reservation(false, null, null, $"activity is {S.Activity}");
        }
        if (S.Offers.Count + S.Calls.Count >= S.Capacity)
        {
            return new Reservation(false, null, null, "no free channel");
        }
        Hold(callId);
        await SaveAsync();
        return new Reservation(true, contact, S.FriendlyName, null);
    }

    private void Hold(string callId)
    {
        S.Offers.Add(callId);
        S.HeldSince[callId] = Now;
        ArmVerify();
    }

    private void Release(string callId)
    {
        S.Offers.Remove(callId);
        S.Calls.Remove(callId);
        S.HeldSince.Remove(callId);
    }

    public async Task<Reservation> TryReserveOutboundAsync(string callId)
    {
        if (!S.Exists)
        {
            return new Reservation(false, null, null, "no such agent");
        }
        if (S.Offers.Contains(callId) || S.Calls.ContainsKey(callId))
        {
            return new Reservation(true, Json.ReadString(S.AttributesJson, "contact_uri"), S.FriendlyName, null);
        }
        if (S.Offers.Count + S.Calls.Count >= S.Capacity)
        {
            return new Reservation(false, null, null, "no free channel");
        }
        Hold(callId);
        await SaveAsync();
        return new Reservation(true, Json.ReadString(S.AttributesJson, "contact_uri"), S.FriendlyName, null);
    }

    public async Task OfferEndedAsync(string callId, OfferEnd how)
    {
        if (!S.Offers.Contains(callId) || S.Calls.ContainsKey(callId))
        {
            return;
        }
        Release(callId);
        if (how == OfferEnd.Missed)
        {
            S.ConsecutiveMissedOffers++;
            var threshold = options.Value.MissedOffersBeforeBreak;
            if (threshold > 0 && S.ConsecutiveMissedOffers >= threshold && S.ActivityAvailable
                && await FindActivityAsync(options.Value.MissedOfferActivity) is { } away)
            {
                logger.LogInformation("Agent {AgentId} missed {Missed} offer(s) in a row: moved to {Activity}", Id, S.ConsecutiveMissedOffers, away.Name);
                ChangeActivity(away);
            }
        }
        await SaveAsync();
    }

    public async Task CallConnectedAsync(string callId)
    {
        if (S.Calls.ContainsKey(callId))
        {
            return;
        }
        S.Offers.Remove(callId);
        S.Calls[callId] = Now;
        S.HeldSince.TryAdd(callId, Now);
        ArmVerify();
        S.ConsecutiveMissedOffers = 0;
        await SaveAsync();
    }

    public async Task<bool> CallEndedAsync(string callId, int wrapUpSeconds)
    {
        if (!S.Calls.TryGetValue(callId, out var connectedAt))
        {
            if (S.Offers.Contains(callId))
            {
                Release(callId);
                await SaveAsync();
            }
            return S.WrapUpCallId == callId;
        }
        Release(callId);
        RollDay();
        S.CallsToday++;
        S.TalkSecondsToday += Math.Max(0, (Now - connectedAt).TotalSeconds);
        S.LastCallEndedAt = Now;
        if (wrapUpSeconds > 0 && S.ActivityAvailable)
        {
            ChangeActivity(new ActivityDefinition(Activities.WrapUp, false));
            S.WrapUpEndsAt = Now.AddSeconds(wrapUpSeconds);
            S.WrapUpCallId = callId;
            ArmWrapUp();
        }
        await SaveAsync();
        return S.WrapUpCallId == callId;
    }

    public async Task<Outcome<AgentView>> CompleteWrapUpAsync()
    {
        if (!S.Exists)
        {
            return Problem.NotFound($"No agent '{Id}'");
        }
        if (S.Activity != Activities.WrapUp)
        {
            return Problem.Conflict($"Agent '{Id}' is not in wrap-up (activity is {S.Activity})");
        }
        ChangeActivity(Activities.BuiltIn.First(a => a.Name == Activities.Available));
        await SaveAsync();
        return View();
    }

    public async Task ConfirmAsync(string callId, AgentStanding standing, DateTimeOffset heldSince)
    {
        if (!S.HeldSince.TryGetValue(callId, out var since) || since != heldSince)
        {
            return; // about an older hold: the call was offered to this agent again since
        }
        switch (standing)
        {
            case AgentStanding.None when S.Calls.ContainsKey(callId):
                logger.LogWarning("Agent {AgentId} held call {CallId}, which no longer names it: let go", Id, callId);
                await CallEndedAsync(callId, 0);
                break;
            case AgentStanding.None:
                logger.LogWarning("Agent {AgentId} held an offer of {CallId}, which no longer names it: let go", Id, callId);
                Release(callId);
                await SaveAsync();
                break;
            case AgentStanding.Connected when !S.Calls.ContainsKey(callId):
                await CallConnectedAsync(callId);
                break;
        }
    }

    public Task<AgentRouting?> GetRoutingAsync() => Task.FromResult(S.Exists ? Snapshot() : null);

    public async Task OnDeadlineAsync(DateTimeOffset due)
    {
        if (S.WrapUpEndsAt == due && S.Activity == Activities.WrapUp && Now >= due)
        {
            await CompleteWrapUpAsync();
        }
    }

    private void ChangeActivity(ActivityDefinition activity)
    {
        _activityChanged = S.Activity != activity.Name || _activityChanged;
        var wasAvailable = S.ActivityAvailable;
        S.Activity = activity.Name;
        S.ActivityAvailable = activity.Available;
        S.ActivitySince = Now;
        if (activity.Name != Activities.WrapUp)
        {
            // Leaving wrap-up, however it happens, completes the call it was for (told after saving).
            if (_wrapUpEndedFor is null && S.WrapUpCallId is not null)
            {
                _wrapUpEndedFor = S.WrapUpCallId;
                _wrapUpEndedAt = Now;
            }
            S.WrapUpEndsAt = null;
            S.WrapUpCallId = null;
            WrapUpTimer.Cancel();
        }
        if (activity.Available && !wasAvailable)
        {
            S.AvailableSince = Now;
            S.ConsecutiveMissedOffers = 0;
        }
        if (!activity.Available)
        {
            foreach (var offer in S.Offers)
            {
                // One-way: the call cancels the ringing leg and calls back OfferEndedAsync(Withdrawn).
                grains.GetGrain<ICallGrain>(offer).WithdrawOfferAsync(Id).Ignore();
            }
        }
    }

    private async Task<ActivityDefinition?> FindActivityAsync(string name) =>
        Activities.BuiltIn.FirstOrDefault(a => a.Name == name)
        ?? (await grains.Workspace().GetActivitiesAsync()).FirstOrDefault(a => a.Name == name);

    private async Task SaveAsync()
    {
        S.Version++;
        await state.PersistAsync(this);
        await PushAsync();
        if (_activityChanged)
        {
            _activityChanged = false;
            var update = new Events.Types.WorkerActivityUpdated(Id, S.FriendlyName, S.Activity, S.ActivityAvailable, S.ActivitySince, S.WrapUpEndsAt);
            var e = Events.Types.EventTypes.Create(Now, update, null, Id, null);
            await Events.EventPublisher.PublishAsync(grains, eventLog, logger, [new Events.Publication(e, update, [Id])]);
        }
        if (_wrapUpEndedFor is { } callId)
        {
            _wrapUpEndedFor = null;
            // One-way: a call may be waiting on this agent, so the agent never waits on a call.
            grains.GetGrain<ICallGrain>(callId).WrapUpEndedAsync(Id, _wrapUpEndedAt).Ignore();
        }
    }

    /// <summary>
    /// Tells the router the agent's latest snapshot. The change is already stored, so a push that fails (the router's
    /// node is being replaced) does not fail it: it is tried again shortly, and a router that reactivates rebuilds from
    /// every agent anyway.
    /// </summary>
    private async Task PushAsync()
    {
        var snapshot = Snapshot();
        if (RoutesTheSame(snapshot, _pushed))
        {
            return;
        }
        try
        {
            await grains.Router().UpsertAgentAsync(snapshot);
            _pushed = snapshot;
            PushTimer.Cancel();
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Agent {AgentId}: the router did not take the agent's change; trying again in {Seconds}s", Id, PushRetry.TotalSeconds);
            _pushed = null;
            PushTimer.Arm(Now + PushRetry, _ => PushAsync());
        }
    }

    /// <summary>Asks the calls held longer than <see cref="VerifyAge"/> whether they still name this agent.</summary>
    private Task VerifyAsync(DateTimeOffset due)
    {
        foreach (var callId in Held())
        {
            if (S.HeldSince.TryGetValue(callId, out var since) && since <= Now - VerifyAge)
            {
                grains.GetGrain<ICallGrain>(callId).VerifyAgentAsync(Id, since).Ignore();
            }
        }
        VerifyTimer.Cancel();
        ArmVerify();
        return Task.CompletedTask;
    }

    private void ArmVerify()
    {
        if (VerifyTimer.Due is null && (S.Offers.Count > 0 || S.Calls.Count > 0))
        {
            VerifyTimer.Arm(Now + VerifyAge, VerifyAsync);
        }
    }

    private DeadlineTimer VerifyTimer => _verifyTimer ??= new DeadlineTimer(this, time);

    private DeadlineTimer PushTimer => _pushTimer ??= new DeadlineTimer(this, time);

    private DeadlineTimer WrapUpTimer => _wrapUpTimer ??= new DeadlineTimer(this, time);

    private void ArmWrapUp() => WrapUpTimer.Arm(S.WrapUpEndsAt, OnDeadlineAsync);

    private void RollDay()
    {
        var today = LocalDay.Of(Now, options.Value);
        if (S.CountersDay != today)
        {
            S.CountersDay = today;
            S.CallsToday = 0;
            S.TalkSecondsToday = 0;
        }
    }

    private bool CountersAreToday => S.CountersDay == LocalDay.Of(Now, options.Value);

    private DateTimeOffset IdleSince =>
        S.LastCallEndedAt is { } ended && ended > S.AvailableSince ? ended : S.AvailableSince;

    /// <summary>Whether the router would do nothing new with <paramref name="next"/> (it differs only in its version).</summary>
    private static bool RoutesTheSame(AgentRouting next, AgentRouting? last) =>
        last is not null
        && next.AttributesJson == last.AttributesJson
        && next.Activity == last.Activity
        && next.Available == last.Available
        && next.Capacity == last.Capacity
        && next.IdleSince == last.IdleSince
        && next.CallsToday == last.CallsToday
        && next.TalkSecondsToday.Equals(last.TalkSecondsToday)
        && next.FriendlyName == last.FriendlyName
        && next.ActiveCalls.Order(StringComparer.Ordinal).SequenceEqual(last.ActiveCalls.Order(StringComparer.Ordinal));

    private AgentRouting Snapshot() => new(
        Id,
        S.FriendlyName,
        S.AttributesJson,
        S.Activity,
        S.ActivityAvailable,
        S.Capacity,
        [.. S.Offers, .. S.Calls.Keys],
        IdleSince,
        CountersAreToday ? S.CallsToday : 0,
        CountersAreToday ? S.TalkSecondsToday : 0,
        S.Version);

    private AgentView View() => new(
        Id,
        S.FriendlyName,
        S.AttributesJson,
        Json.ReadString(S.AttributesJson, "contact_uri"),
        S.Activity,
        S.ActivitySince,
        S.ActivityAvailable,
        S.Capacity,
        [.. S.Offers],
        [.. S.Calls.Keys],
        S.LastCallEndedAt,
        S.ConsecutiveMissedOffers,
        CountersAreToday ? S.CallsToday : 0,
        CountersAreToday ? S.TalkSecondsToday : 0,
        S.WrapUpEndsAt,
        S.WrapUpCallId);
}
