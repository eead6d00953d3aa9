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

    /// <summary>Open or closed now, why, and until when; null when there is no such schedule.</summary>
    [ReadOnly, AlwaysInterleave]
    Task<ScheduleStatus?> StatusAsync();
}

[GenerateSerializer, Alias("acd.ScheduleState")]
public sealed class ScheduleState
{
    [Id(0)] public ScheduleDefinition? Definition { get; set; }
}

public sealed class ScheduleGrain(
    [PersistentState("schedule", "acd")] IPersistentState<ScheduleState> state,
    IGrainFactory grains,
    HolidayCalendar holidays,
    TimeProvider time) : Grain, IScheduleGrain
{
    private OpenHours? _hours;
    private ScheduleStatus? _status;

    private string Id => this.GetPrimaryKeyString();

    /// <summary>The state holds until its change; asked again before then, it is not worked out again.</summary>
    public Task<ScheduleStatus?> StatusAsync()
    {
        if (state.State.Definition is not { } definition)
        {
            return Task.FromResult<ScheduleStatus?>(null);
        }
        var now = time.GetUtcNow();
        if (_status is not { Until: { } until } || until <= now)
        {
            _hours ??= new OpenHours(definition, holidays.On);
            _status = _hours.At(now);
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
        return definition;
    }

    public Task<ScheduleDefinition?> GetAsync() => Task.FromResult(state.State.Definition);

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
        return true;
    }
}
