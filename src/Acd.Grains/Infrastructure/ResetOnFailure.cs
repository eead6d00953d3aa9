using Microsoft.Extensions.Logging;
using Orleans.Concurrency;

namespace Acd.Grains.Infrastructure;

/// <summary>
/// A grain whose state-changing methods must leave no half-made change behind: when one throws, the activation is dropped
/// and the next request reloads what was stored (<see cref="ResetOnFailureFilter"/>). Such a grain writes its own truth
/// before telling others, and its stored deadlines bring it back to a step that failed.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class ResetOnFailureAttribute : Attribute;

/// <summary>
/// Drops the activation of a <see cref="ResetOnFailureAttribute"/> grain when one of its methods (not a
/// <see cref="ReadOnlyAttribute"/> one) throws: its memory may hold a change that storage does not, or a change made
/// halfway through a step that spans grains.
/// </summary>
public sealed class ResetOnFailureFilter(ILogger<ResetOnFailureFilter> logger) : IIncomingGrainCallFilter
{
    public async Task Invoke(IIncomingGrainCallContext context)
    {
        try
        {
            await context.Invoke();
        }
        catch (Exception e) when (Applies(context))
        {
            logger.LogWarning(e, "{Grain}.{Method} failed: the activation is reloaded from storage", context.TargetId, context.ImplementationMethod?.Name);
            context.TargetContext.Deactivate(new DeactivationReason(DeactivationReasonCode.ApplicationError, e, "A state-changing call failed; reloading from storage"));
            throw;
        }
    }

    private static bool Applies(IIncomingGrainCallContext context) =>
        context.TargetContext.GrainInstance?.GetType().IsDefined(typeof(ResetOnFailureAttribute), inherit: false) == true
        && context.InterfaceMethod?.IsDefined(typeof(ReadOnlyAttribute), inherit: false) != true;
}
