using Acd.Grains.Abstractions;
using Acd.Grains.Workspace;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Acd.Api.WorkspaceFile;

/// <summary>
/// Applies <c>Acd:WorkspaceFile</c> at start, after the silo and before the web server: every item in the file
/// replaces its configuration; an agent's activity is applied only to a new agent, so a restart does not undo
/// what agents set. Items created through the API and absent from the file are left alone.
/// </summary>
public sealed class WorkspaceFileLoader(
    IConfiguration configuration,
    IHostEnvironment environment,
    IGrainFactory grains,
    IOptions<AcdOptions> options,
    ILogger<WorkspaceFileLoader> logger) : IHostedService
{
    /// <summary>
    /// The workspace file named by <c>Acd:WorkspaceFile</c> (null: none): a relative path is read from the current
    /// directory, else from the content root. Checked before the silo starts, so a wrong path is one line, not a
    /// cluster's shutdown.
    /// </summary>
    public static string? Locate(IConfiguration configuration, string contentRoot)
    {
        var path = configuration["Acd:WorkspaceFile"];
        if (string.IsNullOrWhiteSpace(path))
        {
            return null;
        }
        var candidates = Path.IsPathRooted(path)
            ? [path]
            : new[] { Path.GetFullPath(path), Path.GetFullPath(Path.Combine(contentRoot, path)) }.Distinct(StringComparer.Ordinal).ToArray();
        return candidates.FirstOrDefault(File.Exists)
            ?? throw new WorkspaceFileException($"Workspace file {path}: not found (looked for {string.Join(" and ", candidates)})");
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (Locate(configuration, environment.ContentRootPath) is not { } path)
        {
            return;
        }
        var json = await File.ReadAllTextAsync(path, cancellationToken);
        var existingQueues = (await grains.Workspace().GetQueueIdsAsync()).ToHashSet(StringComparer.Ordinal);
        var existingActivities = (await grains.Workspace().GetActivitiesAsync()).Select(a => a.Name).ToHashSet(StringComparer.Ordinal);
        var plan = WorkspacePlan.Read(path, json, options.Value, existingQueues, existingActivities);
        await ApplyAsync(path, plan);
        logger.LogInformation(
            "Workspace file {WorkspaceFile} applied: {Activities} activities, {Queues} queues, {Schedules} schedules, {Workflows} workflows, {Agents} agents",
            path, plan.Activities.Count, plan.Queues.Count, plan.Schedules.Count, plan.Workflows.Count, plan.Agents.Count);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task ApplyAsync(string path, WorkspacePlan plan)
    {
        static void Check<T>(Outcome<T> outcome, string path, string item)
        {
            if (!outcome.Ok)
            {
                throw new WorkspaceFileException($"Workspace file {path}: {item}: {outcome.Problem!.Field}: {outcome.Problem.Detail}");
            }
        }
        foreach (var activity in plan.Activities)
        {
            Check(await grains.Workspace().SetActivityAsync(activity), path, $"activity {activity.Name}");
        }
        foreach (var schedule in plan.Schedules)
        {
            Check(await grains.GetGrain<Acd.Grains.Schedules.IScheduleGrain>(schedule.Id).ConfigureAsync(schedule), path, $"schedule {schedule.Id}");
        }
        foreach (var queue in plan.Queues)
        {
            Check(await grains.GetGrain<IQueueGrain>(queue.Id).ConfigureAsync(queue), path, $"task_queue {queue.Id}");
        }
        foreach (var workflow in plan.Workflows)
        {
            Check(await grains.GetGrain<IWorkflowGrain>(workflow.Id).ConfigureAsync(workflow), path, $"workflow {workflow.Id}");
        }
        foreach (var agent in plan.Agents)
        {
            Check(await grains.GetGrain<IAgentGrain>(agent.Id).ConfigureAsync(agent, activityOnlyIfNew: true), path, $"worker {agent.Id}");
        }
    }
}
