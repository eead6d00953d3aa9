using Acd.Grains.Abstractions;
using Acd.Grains.Routing.Expressions;
using Acd.Grains.Routing.Matching;

namespace Acd.Grains.Queues;

/// <summary>Checks a queue definition; problems name the field as the HTTP API and workspace file spell it.</summary>
public static class QueueValidation
{
    public const int MaxWrapUpCodes = 50;

    public static Problem? Check(QueueDefinition d)
    {
        if (!Ids.IsValid(d.Id))
        {
            return Problem.Invalid("id", Ids.Rule);
        }
        if (d.FriendlyName.Length > 256)
        {
            return Problem.Invalid("friendly_name", "At most 256 characters");
        }
        if (RoutingExpression.Check(d.TargetWorkers, ExpressionScope.Worker) is { } e)
        {
            return Problem.Invalid("target_workers", e.Message);
        }
        if (d.TaskOrder is not ("FIFO" or "LIFO"))
        {
            return Problem.Invalid("task_order", "Must be FIFO or LIFO");
        }
        if (d.Selection == AgentSelection.OrderBy && string.IsNullOrWhiteSpace(d.OrderBy))
        {
            return Problem.Invalid("order_by", "Required when agent_selection is order_by");
        }
        if (!string.IsNullOrWhiteSpace(d.OrderBy))
        {
            try
            {
                OrderBySpec.Parse(d.OrderBy);
            }
            catch (ExpressionException ex)
            {
                return Problem.Invalid("order_by", ex.Message);
            }
        }
        if (d.MaxLength < 0)
        {
            return Problem.Invalid("max_length", "Must be 0 (no limit) or more");
        }
        if (d.MaxWaitSeconds < 0)
        {
            return Problem.Invalid("max_wait_seconds", "Must be 0 (no limit) or more");
        }
        if (d.MaxRing is < 1 or > QueueDefinition.MaxGroup)
        {
            return Problem.Invalid("max_ring", $"Must be between 1 and {QueueDefinition.MaxGroup}");
        }
        if (d.RingStepSeconds is < 1 or > 300)
        {
            return Problem.Invalid("ring_step_seconds", "Must be between 1 and 300");
        }
        if (d.MaxReservedWorkers is < 1 or > QueueDefinition.MaxGroup)
        {
            return Problem.Invalid("max_reserved_workers", $"Must be between 1 and {QueueDefinition.MaxGroup}");
        }
        if (d.MaxReservedWorkers > 1 && d.Selection is AgentSelection.RingAll or AgentSelection.RingProgressively)
        {
            return Problem.Invalid("max_reserved_workers", "A ring group's size is max_ring: leave max_reserved_workers at 1");
        }
        if (d.AnnounceEverySeconds != 0 && d.AnnounceEverySeconds is < 30 or > 3600)
        {
            return Problem.Invalid("announce_every_seconds", "0 (never) or between 30 and 3600");
        }
        if (d.CallbackAfterSeconds is < 0 or > 86_400)
        {
            return Problem.Invalid("callback_after_seconds", "Between 0 and 86400 (or absent: not offered after a time)");
        }
        if (d.CallbackWhenWaitExceedsSeconds is < 0 or > 86_400)
        {
            return Problem.Invalid("callback_when_wait_exceeds_seconds", "Between 0 and 86400 (or absent: not offered on the estimated wait)");
        }
        if (d.CallbackAttempts is < 1 or > 10)
        {
            return Problem.Invalid("callback_attempts", "Must be between 1 and 10");
        }
        if (d.CallbackRetrySeconds is < 30 or > 86_400)
        {
            return Problem.Invalid("callback_retry_seconds", "Must be between 30 and 86400");
        }
        if (d.VoicemailWhen?.FirstOrDefault(w => !QueueDefinition.VoicemailCases.Contains(w)) is { } unknownCase)
        {
            return Problem.Invalid("voicemail_when", $"'{unknownCase}' is not one of {string.Join(", ", QueueDefinition.VoicemailCases)}");
        }
        if (d.VoicemailMaxLength is < 5 or > 600)
        {
            return Problem.Invalid("voicemail_max_length", "Seconds between 5 and 600");
        }
        if (d.WrapUpSeconds is < 0 or > 3600)
        {
            return Problem.Invalid("wrap_up_seconds", "Must be between 0 and 3600");
        }
        if (d.WrapUpCodes is { } codes)
        {
            if (codes.Count > MaxWrapUpCodes)
            {
                return Problem.Invalid("wrap_up_codes", $"At most {MaxWrapUpCodes} codes");
            }
            for (var i = 0; i < codes.Count; i++)
            {
                if (string.IsNullOrWhiteSpace(codes[i]) || codes[i].Length > 64 || codes[i].Trim() != codes[i])
                {
                    return Problem.Invalid($"wrap_up_codes[{i}]", "A code of 1 to 64 characters, without spaces around it");
                }
                if (codes.Take(i).Contains(codes[i], StringComparer.Ordinal))
                {
                    return Problem.Invalid($"wrap_up_codes[{i}]", $"'{codes[i]}' is listed twice");
                }
            }
        }
        return null;
    }
}
