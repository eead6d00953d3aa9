using System.Text.Json;
using Acd.Grains.Abstractions;

namespace Acd.Grains.Tests.Cluster;

/// <summary>Builds a small contact center of its own inside the shared cluster: every id is prefixed, every agent has the scenario's team.</summary>
public sealed class Scenario(ClusterFixture fixture)
{
    private static int _next;

    public string Team { get; } = $"t{Interlocked.Increment(ref _next)}";

    public IGrainFactory Grains => fixture.Grains;

    public string Id(string name) => $"{Team}-{name}";

    public async Task<QueueDefinition> QueueAsync(
        string name,
        string? targetWorkers = null,
        AgentSelection selection = AgentSelection.LongestIdle,
        string? orderBy = null,
        int maxLength = 0,
        int maxWaitSeconds = 0,
        int wrapUpSeconds = 0,
        bool closed = false)
    {
        var team = $"team == '{Team}'";
        var definition = new QueueDefinition(
            Id(name), name, targetWorkers is null ? team : $"{team} AND ({targetWorkers})", "FIFO", selection, orderBy,
            maxLength, maxWaitSeconds, wrapUpSeconds, closed, null, null);
        var outcome = await Grains.GetGrain<IQueueGrain>(definition.Id).ConfigureAsync(definition);
        Assert.True(outcome.Ok, outcome.Problem?.Detail);
        return definition;
    }

    /// <summary>A workflow sending every call to the given queues in turn (targets), with optional per-target JSON.</summary>
    public async Task<WorkflowDefinition> WorkflowAsync(string name, string taskRoutingJson, int reservationTimeout = 15)
    {
        var definition = new WorkflowDefinition(Id(name), name, reservationTimeout, $"{{\"task_routing\":{taskRoutingJson.Replace("{Q:", "{\"queue\":\"" + Team + "-", StringComparison.Ordinal)}}}");
        var outcome = await Grains.GetGrain<IWorkflowGrain>(definition.Id).ConfigureAsync(definition);
        Assert.True(outcome.Ok, outcome.Problem?.Field + ": " + outcome.Problem?.Detail);
        return definition;
    }

    public Task<WorkflowDefinition> SimpleWorkflowAsync(string name, string queue, int reservationTimeout = 15) =>
        WorkflowAsync(name, $"{{\"default_filter\":{{\"queue\":\"{Id(queue)}\"}}}}", reservationTimeout);

    public async Task<AgentView> AgentAsync(string name, object? attributes = null, string activity = Activities.Available, int capacity = 1)
    {
        var attrs = JsonSerializer.SerializeToNode(attributes ?? new { })!.AsObject();
        attrs["team"] = Team;
        attrs["contact_uri"] ??= $"client:{Id(name)}";
        var outcome = await Grains.GetGrain<IAgentGrain>(Id(name)).ConfigureAsync(
            new AgentDefinition(Id(name), name, attrs.ToJsonString(), capacity, activity), activityOnlyIfNew: false);
        Assert.True(outcome.Ok, outcome.Problem?.Field + ": " + outcome.Problem?.Detail);
        return outcome.Value!;
    }

    public async Task<CallView> CallAsync(string name, string workflow, object? attributes = null, int priority = 0)
    {
        var outcome = await Call(name).StartAsync(new CallStart(JsonSerializer.Serialize(attributes ?? new { }), Id(workflow), null, priority));
        Assert.True(outcome.Ok, outcome.Problem?.Detail);
        return outcome.Value!;
    }

    public ICallGrain Call(string name) => Grains.GetGrain<ICallGrain>(Id(name));

    public IAgentGrain Agent(string name) => Grains.GetGrain<IAgentGrain>(Id(name));

    public async Task<CallView> CallViewAsync(string name) => (await Call(name).GetAsync())!;

    public async Task<AgentView> AgentViewAsync(string name) => (await Agent(name).GetAsync())!;

    /// <summary>Polls until the condition holds, failing after the deadline: grain messages are asynchronous.</summary>
    public static async Task EventuallyAsync(Func<Task<bool>> condition, string because, int timeoutMs = 5000)
    {
        var deadline = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Timed out waiting until {because}");
            }
            await Task.Yield();
            await Task.Delay(5, TestContext.Current.CancellationToken);
        }
    }

    public async Task<CallView> CallEventuallyAsync(string name, CallStatus status, string? agent = null)
    {
        CallView view = null!;
        await EventuallyAsync(async () =>
        {
            view = await CallViewAsync(name);
            return view.Status == status && (agent is null || (view.OfferedAgentId ?? view.AgentId) == Id(agent));
        }, $"{name} is {status}{(agent is null ? "" : " with " + agent)}");
        return view;
    }
}
