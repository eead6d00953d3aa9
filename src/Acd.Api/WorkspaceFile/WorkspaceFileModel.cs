using System.Text.Json;
using Acd.Api.Contracts;

namespace Acd.Api.WorkspaceFile;

/// <summary>A worker entry of the workspace file (TaskRouter's Worker, with a human-chosen id).</summary>
public sealed record WorkerEntry(string? Id, string? FriendlyName, string? Activity, JsonElement? Attributes, int? Capacity);

/// <summary>
/// The declarative workspace file: TaskRouter's resources in its snake_case shapes, with ids in place of SIDs.
/// </summary>
public sealed record WorkspaceFileModel(
    List<ActivityResource>? Activities,
    List<QueueResource>? TaskQueues,
    List<WorkflowResource>? Workflows,
    List<WorkerEntry>? Workers,
    List<JsonElement>? Schedules = null);

/// <summary>A workspace file that cannot be applied: the message names the file, the item and the field.</summary>
public sealed class WorkspaceFileException(string message) : Exception(message);
