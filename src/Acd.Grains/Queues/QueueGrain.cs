using Acd.Grains.Infrastructure;
using Acd.Grains.Abstractions;
using Acd.Grains.Workspace;

namespace Acd.Grains.Queues;

[ResetOnFailure]
public sealed class QueueGrain(
    [PersistentState("queue", "acd")] IPersistentState<QueueState> state,
    IWaitingCallStore store,
    IGrainFactory grains,
    TimeProvider time) : Grain, IQueueGrain
{
    private Dictionary<string, WaitingCall> _waiting = new(StringComparer.Ordinal);

    private string Id => this.GetPrimaryKeyString();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _waiting = (await store.LoadAsync(Id)).ToDictionary(c => c.CallId, StringComparer.Ordinal);
    }

    public async Task<Outcome<QueueDefinition>> ConfigureAsync(QueueDefinition definition)
    {
        if (definition.Id != Id)
        {
            return Problem.Invalid("id", $"Must be '{Id}'");
        }
        if (QueueValidation.Check(definition) is { } problem)
        {
            return problem;
        }
        if (definition.ScheduleId is { } scheduleId && (!Ids.IsValid(scheduleId) || await grains.GetGrain<Schedules.IScheduleGrain>(scheduleId).GetAsync() is null))
        {
            return Problem.Invalid("schedule", $"No schedule '{scheduleId}'");
        }
        if (state.State.Definition == definition)
        {
            return definition;
        }
        await grains.Workspace().RegisterQueueAsync(Id);
        if (state.State.Definition?.ScheduleId is { } previous && previous != definition.ScheduleId)
        {
            await grains.GetGrain<Schedules.IScheduleGrain>(previous).UnwatchAsync(Id);
        }
        if (definition.ScheduleId is { } watched)
        {
            await grains.GetGrain<Schedules.IScheduleGrain>(watched).WatchAsync(Id);
        }
        state.State.Definition = definition;
        await state.PersistAsync(this);
        await grains.Router().UpsertQueueAsync(definition);
        return definition;
    }

    public Task<QueueDefinition?> GetAsync() => Task.FromResult(state.State.Definition);

    public async Task<Outcome<bool>> DeleteAsync()
    {
        if (state.State.Definition is null)
        {
            return Problem.NotFound($"No queue '{Id}'");
        }
        if (_waiting.Count > 0)
        {
            return Problem.Conflict($"{_waiting.Count} call(s) are waiting in queue '{Id}'");
        }
        var unregistered = await grains.Workspace().UnregisterQueueAsync(Id);
        if (!unregistered.Ok)
        {
            return unregistered.Problem!;
        }
        if (!await grains.Router().RemoveQueueAsync(Id))
        {
            // A call arrived between the check and the removal: keep the queue.
            await grains.Workspace().RegisterQueueAsync(Id);
            return Problem.Conflict($"Calls are waiting in queue '{Id}'");
        }
        await state.ClearAsync(this);
        state.State = new QueueState();
        return true;
    }

    public async Task<EnqueueResult> EnqueueAsync(WaitingCall call, string? skipIf, bool readmit = false)
    {
        if (state.State.Definition is not { } definition)
        {
            return new EnqueueResult(EnqueueOutcome.UnknownQueue, null, call.Sequence);
        }
        if (!readmit && definition.ScheduleId is { } scheduleId
            && await grains.GetGrain<Schedules.IScheduleGrain>(scheduleId).StatusAsync() is { Open: false } closed)
        {
            // Outside the queue's open hours a new caller is told why (and when it opens): the workflow may send them
            // to another target first. A call already admitted keeps its place through closing time.
            var schedule = await grains.GetGrain<Schedules.IScheduleGrain>(scheduleId).GetAsync();
            return new EnqueueResult(EnqueueOutcome.Closed, null, call.Sequence, Callback: definition.Callback,
                Message: Schedules.ClosedMessages.For(closed, schedule?.TimeZone ?? Schedules.ScheduleDefinition.DefaultTimeZone, time.GetUtcNow(), definition.ClosedMessage));
        }
        var result = await grains.Router().EnqueueAsync(call, skipIf, readmit);
        await RecordAsync(call, result);
        return result;
    }

    public async Task<bool> WithdrawAsync(string callId)
    {
        var withdrawn = await grains.Router().WithdrawAsync(callId);
        await RemoveAsync(callId);
        return withdrawn;
    }

    public Task ScheduleClosedAsync(Schedules.ScheduleStatus status, string timeZone)
    {
        if (state.State.Definition is { AtClosing: AtClosing.PlayMessage } definition)
        {
            var message = Schedules.ClosedMessages.For(status, timeZone, time.GetUtcNow(), definition.ClosedMessage);
            foreach (var callId in _waiting.Keys.ToList())
            {
                grains.GetGrain<ICallGrain>(callId).QueueClosedAsync(Id, message).Ignore();
            }
        }
        return Task.CompletedTask;
    }

    public async Task RemoveAsync(string callId)
    {
        if (_waiting.Remove(callId))
        {
            await this.WriteAsync(() => store.RemoveAsync(Id, callId));
        }
    }

    public async Task<EnqueueResult> ReturnAsync(WaitingCall call, string agentId)
    {
        var result = await grains.Router().ReleaseMatchAsync(call.CallId, agentId, call)
            ?? new EnqueueResult(EnqueueOutcome.UnknownQueue, null, call.Sequence);
        await RecordAsync(call, result);
        return result;
    }

    public Task<(QueueDefinition? Definition, IReadOnlyList<WaitingCall> Waiting)> GetRoutingAsync() =>
        Task.FromResult<(QueueDefinition?, IReadOnlyList<WaitingCall>)>((state.State.Definition, [.. _waiting.Values]));

    private async Task RecordAsync(WaitingCall call, EnqueueResult result)
    {
        // Only waiting calls are kept here. A call matched at once is not written down: it becomes an offer in the
        // same turn of its call grain, which writes its own state.
        var member = result.Outcome == EnqueueOutcome.Waiting;
        var changed = member
            ? _waiting.TryGetValue(call.CallId, out var known) is false || known.Sequence != result.Sequence
            : _waiting.ContainsKey(call.CallId);
        if (!changed)
        {
            return;
        }
        if (!member)
        {
            await RemoveAsync(call.CallId);
            return;
        }
        var waiting = call with { Sequence = result.Sequence };
        _waiting[call.CallId] = waiting;
        try
        {
            await this.WriteAsync(() => store.PutAsync(Id, waiting));
        }
        catch
        {
            // Not stored, so not waiting: the router must not keep offering a call the queue will not remember.
            await grains.Router().WithdrawAsync(call.CallId);
            throw;
        }
    }
}
