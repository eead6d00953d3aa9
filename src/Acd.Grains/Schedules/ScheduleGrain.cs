using Acd.Grains.Abstractions;
using Acd.Grains.Infrastructure;
using Acd.Grains.Workspace;
using Orleans.Concurrency;

namespace Acd.Grains.Schedules;

/// <summary>A schedule of open hours (key: schedule id).</summary>
[Alias("acd.IScheduleGrain")]
public interface IScheduleGrain : IGrainWithStringKey
{
    /// <summary>Creates or replaces the schedule.</summary>
    Task<Outcome<ScheduleDefinition>> ConfigureAsync(ScheduleDefinition definition);

    [ReadOnly, AlwaysInterleave]
    Task<ScheduleDefinition?> GetAsync();

    Task<Outcome<bool>> DeleteAsync();

    /// <summary>The queue is told when the schedule closes (<see cref="IQueueGrain.ScheduleClosedAsync"/>).</summary>
    Task WatchAsync(string queueId);

    Task UnwatchAsync(string queueId);

    /// <summary>Open or closed now, why, and until when; null when there is no such schedule.</summary>
    [ReadOnly, AlwaysInterleave]
    Task<ScheduleStatus?> StatusAsync();
}

[GenerateSerializer, Alias("acd.ScheduleState")]
public sealed class ScheduleState
{
    [Id(0)] public ScheduleDefinition? Definition { get; set; }

    /// <summary>Open or closed as last announced (<c>schedule.opened</c>/<c>schedule.closed</c>), so a change is told once.</summary>
    [Id(1)] public bool? Announced { get; set; }

    /// <summary>Queues that name this schedule: told when it closes.</summary>
    [Id(2)] public List<string> Queues { get; set; } = [];
}

/// <summary>
/// A schedule: its definition, its state now (cached until it changes), and the announcement of each change
/// (<c>schedule.opened</c>, <c>schedule.closed</c>) when it comes, while the schedule is active (a timer keeps it so).
/// </summary>
public sealed class ScheduleGrain(
    [PersistentState("schedule", "acd")] IPersistentState<ScheduleState> state,
    IGrainFactory grains,
    HolidayCalendar holidays,
    TimeProvider time,
    Events.IEventLog eventLog,
    Microsoft.Extensions.Logging.ILogger<ScheduleGrain> logger) : Grain, IScheduleGrain
{
    private OpenHours? _hours;
    private ScheduleStatus? _status;
    private DateTimeOffset _statusUntil;
    private DeadlineTimer? _timer;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        await AnnounceAsync();
        await base.OnActivateAsync(cancellationToken);
    }

    /// <summary>Tells of a change since the last announcement, and waits for the next one.</summary>
    private async Task AnnounceAsync()
    {
        _timer ??= new DeadlineTimer(this, time);
        if (await StatusAsync() is not { } status || state.State.Definition is not { } definition)
        {
            _timer.Cancel();
            return;
        }
        if (state.State.Announced != status.Open)
        {
            Events.Types.EventDetails details = status.Open
                ? new Events.Types.ScheduleOpened(definition.Id, definition.FriendlyName, status.Until)
                : new Events.Types.ScheduleClosed(definition.Id, definition.FriendlyName, ReasonWord(status.Reason), status.Name, status.Until);
            // Written before it is told, so a change is announced once even if the node stops right after.
            state.State.Announced = status.Open;
            await state.PersistAsync(this);
            var e = Events.Types.EventTypes.Create(time.GetUtcNow(), details, null, null, null);
            await Events.EventPublisher.PublishAsync(grains, eventLog, logger, [new Events.Publication(e, details, [])]);
            if (!status.Open)
            {
                foreach (var queueId in state.State.Queues)
                {
                    grains.GetGrain<IQueueGrain>(queueId).ScheduleClosedAsync(status, definition.TimeZone).Ignore();
                }
            }
        }
        _timer.Arm(status.Until, _ => AnnounceAsync());
    }

    public static string ReasonWord(ClosedReason? reason) => reason switch
    {
        ClosedReason.Holiday => "holiday",
        ClosedReason.Closure => "closure",
        _ => "outside-hours",
    };

    private string Id => this.GetPrimaryKeyString();

    /// <summary>The state holds until its change; asked again before then, it is not worked out again.</summary>
    public Task<ScheduleStatus?> StatusAsync()
    {
        if (state.State.Definition is not { } definition)
        {
            return Task.FromResult<ScheduleStatus?>(null);
        }
        var now = time.GetUtcNow();
        if (_status is null || _statusUntil <= now)
        {
            _hours ??= new OpenHours(definition, holidays.On);
            _status = _hours.At(now);
            // A schedule that does not change within the look-ahead (open day and night) is worked out again a minute on.
            _statusUntil = _status.Until ?? now.AddMinutes(1);
        }
        return Task.FromResult<ScheduleStatus?>(_status);
    }

    public async Task<Outcome<ScheduleDefinition>> ConfigureAsync(ScheduleDefinition definition)
    {
        if (definition.Id != Id || !Ids.IsValid(definition.Id))
        {
            return Problem.Invalid("id", Ids.Rule);
        }
        if (!TimeZoneInfo.TryFindSystemTimeZoneById(definition.TimeZone, out _))
        {
            return Problem.Invalid("time_zone", $"Unknown time zone '{definition.TimeZone}'");
        }
        await grains.Workspace().RegisterScheduleAsync(Id);
        (_hours, _status) = (null, null);
        state.State.Definition = definition;
        await state.PersistAsync(this);
        await AnnounceAsync();
        return definition;
    }

    public Task<ScheduleDefinition?> GetAsync() => Task.FromResult(state.State.Definition);

    public async Task WatchAsync(string queueId)
    {
        if (!state.State.Queues.Contains(queueId))
        {
            state.State.Queues.Add(queueId);
            await state.PersistAsync(this);
        }
    }

    public async Task UnwatchAsync(string queueId)
    {
        if (state.State.Queues.Remove(queueId))
        {
            await state.PersistAsync(this);
        }
    }

    public async Task<Outcome<bool>> DeleteAsync()
    {
        if (state.State.Definition is null)
        {
            return Problem.NotFound($"No schedule '{Id}'");
        }
        await grains.Workspace().UnregisterScheduleAsync(Id);
        await state.ClearAsync(this);
        state.State = new ScheduleState();
        (_hours, _status) = (null, null);
        _timer?.Cancel();
        return true;
    }
}
