using Acd.Grains.Abstractions;
using Orleans.Concurrency;

namespace Acd.Grains.Calls;

/// <summary>
/// Reads of a call interleave with its steps (<see cref="ICallGrain.GetAsync"/> is <c>[AlwaysInterleave]</c>, so a
/// supervisor's poll never waits behind a Twilio request). A step changes the call's memory first and then tells its
/// queue, agents and the event log, awaiting each; a read in between would show the call <c>queued</c> before its queue
/// lists it, or <c>completed</c> before its events are in the statistics. So while a step is under way a read is given
/// the call as it stood when the step began, or as it was last written and its events published: every read shows a
/// state whose consequences had all been carried out.
/// </summary>
public sealed partial class CallGrain : IIncomingGrainCallFilter
{
    private int _steps;

    private CallView? _beforeStep;

    public Task<CallView?> GetAsync() => Task.FromResult(_steps > 0 ? _beforeStep : S.Exists ? View() : null);

    /// <summary>Every call that may change the call is a step; reads pass straight through.</summary>
    public Task Invoke(IIncomingGrainCallContext context) =>
        context.InterfaceMethod?.IsDefined(typeof(ReadOnlyAttribute), inherit: false) == true ? context.Invoke() : StepAsync(context.Invoke);

    /// <summary>The call was written and its events published: reads during the rest of the step may show it.</summary>
    private void Settled()
    {
        if (_steps > 0)
        {
            _beforeStep = S.Exists ? View() : null;
        }
    }

    /// <summary>Runs one step of the call (a request, a report, a deadline), reads meanwhile seeing the call before it.</summary>
    private async Task StepAsync(Func<Task> step)
    {
        if (_steps++ == 0)
        {
            _beforeStep = S.Exists ? View() : null;
        }
        try
        {
            await step();
        }
        finally
        {
            if (--_steps == 0)
            {
                _beforeStep = null;
            }
        }
    }
}
