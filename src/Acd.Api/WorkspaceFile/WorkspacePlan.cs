using System.Text.Json;
using Acd.Api.Http;
using Acd.Grains.Abstractions;
using Acd.Grains.Agents;
using Acd.Grains.Queues;
using Acd.Grains.Routing.Workflows;
using Acd.Grains.Schedules;

namespace Acd.Api.WorkspaceFile;

/// <summary>
/// A workspace file read and checked as a whole before anything is applied, so Acd never starts half-configured.
/// </summary>
public sealed class WorkspacePlan
{
    private WorkspacePlan(List<ActivityDefinition> activities, List<QueueDefinition> queues, List<WorkflowDefinition> workflows, List<AgentDefinition> agents, List<ScheduleDefinition> schedules)
    {
        Schedules = schedules;
        Activities = activities;
        Queues = queues;
        Workflows = workflows;
        Agents = agents;
    }

    public IReadOnlyList<ActivityDefinition> Activities { get; }

    public IReadOnlyList<QueueDefinition> Queues { get; }

    public IReadOnlyList<WorkflowDefinition> Workflows { get; }

    public IReadOnlyList<AgentDefinition> Agents { get; }

    /// <summary>Schedules of open hours (applied before the workflows that read them).</summary>
    public IReadOnlyList<ScheduleDefinition> Schedules { get; }

    /// <summary>Parses and validates; <paramref name="existingQueues"/> may be referenced by workflows besides the file's own.</summary>
    public static WorkspacePlan Read(string path, string json, AcdOptions options, ISet<string> existingQueues, ISet<string> existingActivities)
    {
        WorkspaceFileModel model;
        try
        {
            model = JsonSerializer.Deserialize<WorkspaceFileModel>(json, AcdJson.Options)
                ?? throw new WorkspaceFileException($"Workspace file {path}: empty");
        }
        catch (JsonException e)
        {
            throw new WorkspaceFileException($"Workspace file {path}: {BadRequestHandler.FieldOf(e.Path)}: {e.Message.Split(" Path:")[0]}");
        }

        void Fail(string item, string field, string message) =>
            throw new WorkspaceFileException($"Workspace file {path}: {item}: {field}: {message}");

        var activities = new List<ActivityDefinition>();
        for (var i = 0; i < (model.Activities?.Count ?? 0); i++)
        {
            var a = model.Activities![i];
            if (string.IsNullOrWhiteSpace(a.FriendlyName))
            {
                Fail($"activities[{i}]", "friendly_name", "Required");
            }
            var builtIn = Grains.Abstractions.Activities.BuiltIn.FirstOrDefault(b => b.Name == a.FriendlyName);
            if (builtIn is not null && builtIn.Available != a.Available)
            {
                Fail($"activities[{i}] ({a.FriendlyName})", "available", $"'{a.FriendlyName}' is built in and is {(builtIn.Available ? "available" : "unavailable")}");
            }
            activities.Add(new ActivityDefinition(a.FriendlyName, a.Available));
        }

        var queues = new List<QueueDefinition>();
        for (var i = 0; i < (model.TaskQueues?.Count ?? 0); i++)
        {
            var q = model.TaskQueues![i];
            var item = $"task_queues[{i}]{(q.Id is null ? "" : $" ({q.Id})")}";
            if (string.IsNullOrWhiteSpace(q.Id))
            {
                Fail(item, "id", "Required");
            }
            if (queues.Any(x => x.Id == q.Id))
            {
                Fail(item, "id", $"'{q.Id}' appears twice");
            }
            var definition = q.ToDefinition(q.Id!);
            if (QueueValidation.Check(definition) is { } problem)
            {
                Fail(item, problem.Field ?? "", problem.Detail);
            }
            queues.Add(definition);
        }

        var workflows = new List<WorkflowDefinition>();
        for (var i = 0; i < (model.Workflows?.Count ?? 0); i++)
        {
            var w = model.Workflows![i];
            var item = $"workflows[{i}]{(w.Id is null ? "" : $" ({w.Id})")}";
            if (!Ids.IsValid(w.Id))
            {
                Fail(item, "id", Ids.Rule);
            }
            if (workflows.Any(x => x.Id == w.Id))
            {
                Fail(item, "id", $"'{w.Id}' appears twice");
            }
            var configuration = AcdJson.ObjectText(w.Configuration, "configuration", out var error);
            if (configuration is null)
            {
                Fail(item, "configuration", error ?? "Required: {\"task_routing\": {…}}");
            }
            WorkflowPlan plan = null!;
            try
            {
                plan = WorkflowPlan.Parse(configuration!);
            }
            catch (ConfigurationException e)
            {
                Fail(item, e.Field, e.Message);
            }
            foreach (var queue in plan.QueueIds)
            {
                if (queues.All(q => q.Id != queue) && !existingQueues.Contains(queue))
                {
                    Fail(item, "configuration", $"routes to queue '{queue}', which is not in the file");
                }
            }
            var timeout = w.TaskReservationTimeout ?? options.DefaultReservationTimeoutSeconds;
            if (timeout is < 1 or > 600)
            {
                Fail(item, "task_reservation_timeout", "Must be between 1 and 600 seconds");
            }
            workflows.Add(new WorkflowDefinition(w.Id!, string.IsNullOrWhiteSpace(w.FriendlyName) ? w.Id! : w.FriendlyName, timeout, configuration!));
        }

        var agents = new List<AgentDefinition>();
        for (var i = 0; i < (model.Workers?.Count ?? 0); i++)
        {
            var w = model.Workers![i];
            var item = $"workers[{i}]{(w.Id is null ? "" : $" ({w.Id})")}";
            if (!Ids.IsValid(w.Id))
            {
                Fail(item, "id", Ids.Rule);
            }
            if (agents.Any(x => x.Id == w.Id))
            {
                Fail(item, "id", $"'{w.Id}' appears twice");
            }
            var attributes = AcdJson.ObjectText(w.Attributes, "attributes", out var error, options.MaxAttributesBytes);
            if (error is not null)
            {
                Fail(item, "attributes", error);
            }
            if (w.Activity is { } activity
                && Grains.Abstractions.Activities.BuiltIn.All(b => b.Name != activity)
                && activities.All(a => a.Name != activity)
                && !existingActivities.Contains(activity))
            {
                Fail(item, "activity", $"No activity '{activity}'");
            }
            var definition = new AgentDefinition(w.Id!, w.FriendlyName ?? w.Id!, attributes ?? "{}", w.Capacity ?? 1, w.Activity);
            if (AgentValidation.Check(definition) is { } problem)
            {
                Fail(item, problem.Field ?? "", problem.Detail);
            }
            agents.Add(definition);
        }
        var schedules = new List<ScheduleDefinition>();
        for (var i = 0; i < (model.Schedules?.Count ?? 0); i++)
        {
            var entry = model.Schedules![i];
            var id = entry.ValueKind == JsonValueKind.Object && entry.TryGetProperty("id", out var idJson) && idJson.ValueKind == JsonValueKind.String ? idJson.GetString() : null;
            var item = $"schedules[{i}]{(id is null ? "" : $" ({id})")}";
            if (!Ids.IsValid(id))
            {
                Fail(item, "id", Ids.Rule);
            }
            if (schedules.Any(x => x.Id == id))
            {
                Fail(item, "id", $"'{id}' appears twice");
            }
            var parsed = ScheduleParser.Parse(id!, entry);
            if (!parsed.Ok)
            {
                Fail(item, parsed.Problem!.Field ?? "", parsed.Problem.Detail);
            }
            schedules.Add(parsed.Value!);
        }
        return new WorkspacePlan(activities, queues, workflows, agents, schedules);
    }
}
