namespace Acd.Simulation;

/// <summary>Something the world does in one step.</summary>
public enum ActionKind
{
    // The network and the clock.
    Deliver,
    DeliverAll,
    Serve,
    ServeAll,
    Advance,
    AdvanceToDeadline,

    // Callers and agents on their phones.
    CallIn,
    CallerHangsUp,
    Answer,
    RingOut,
    AgentHangsUp,

    // Agents through the API.
    SetActivity,
    CompleteWrapUp,
    Reject,
    Accept,
    HangUp,
    Hold,
    Mute,
    TransferToQueue,
    TransferToAgent,
    TransferWarm,
    CompleteTransfer,
    CancelTransfer,
    DialOut,

    // Supervisors and admins.
    Supervise,
    CloseQueue,
    ReopenQueue,
    LimitQueue,
    DeleteQueue,
    RetargetQueue,
    EditWorkflow,

    // The cluster.
    Restart,
    Kill,

    // Ring groups: an agent at the prompt, two agents who pick up together.
    PressKey,
    AnswerTogether,

    // Callbacks: a waiting caller presses * for the menu; a web form asks for one (now or at a time); one is canceled.
    PressStar,
    MenuKey,
    RequestCallback,
    CancelCallback,

    // Voicemail: a caller at a <Record> speaks and presses # or hangs up, or says nothing.
    Speak,
}

/// <summary>
/// One step of the world, as numbers: which kind, and choices (which call, which agent, what outcome) that are read
/// against the state at that moment. A trace of these replays exactly, and a shorter trace is still a valid one, which is
/// what the shrinker relies on.
/// </summary>
public readonly record struct SimAction(ActionKind Kind, int A, int B, int C)
{
    public override string ToString() => $"{Kind} {A} {B} {C}";

    public static SimAction Parse(string line)
    {
        var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return new SimAction(Enum.Parse<ActionKind>(parts[0]), int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture),
            int.Parse(parts[2], System.Globalization.CultureInfo.InvariantCulture), int.Parse(parts[3], System.Globalization.CultureInfo.InvariantCulture));
    }
}

/// <summary>Draws a world's steps from a seed: mostly the network and the clock, then callers and agents, now and then admins and failures.</summary>
public static class SimActions
{
    private static readonly (ActionKind Kind, int Weight)[] Weights =
    [
        (ActionKind.Deliver, 140), (ActionKind.DeliverAll, 25), (ActionKind.Serve, 120), (ActionKind.ServeAll, 25),
        (ActionKind.Advance, 80), (ActionKind.AdvanceToDeadline, 25),
        (ActionKind.CallIn, 40), (ActionKind.CallerHangsUp, 12), (ActionKind.Answer, 50), (ActionKind.RingOut, 10), (ActionKind.AgentHangsUp, 12),
        (ActionKind.SetActivity, 20), (ActionKind.CompleteWrapUp, 10), (ActionKind.Reject, 6), (ActionKind.Accept, 3), (ActionKind.HangUp, 6),
        (ActionKind.Hold, 8), (ActionKind.Mute, 4), (ActionKind.TransferToQueue, 5), (ActionKind.TransferToAgent, 5), (ActionKind.TransferWarm, 5),
        (ActionKind.CompleteTransfer, 5), (ActionKind.CancelTransfer, 3), (ActionKind.DialOut, 6),
        (ActionKind.Supervise, 6), (ActionKind.CloseQueue, 3), (ActionKind.ReopenQueue, 4), (ActionKind.LimitQueue, 3), (ActionKind.DeleteQueue, 2),
        (ActionKind.RetargetQueue, 2), (ActionKind.EditWorkflow, 2),
        (ActionKind.Restart, 1), (ActionKind.Kill, 1),
        (ActionKind.PressKey, 15), (ActionKind.AnswerTogether, 8),
        (ActionKind.PressStar, 10), (ActionKind.MenuKey, 12), (ActionKind.RequestCallback, 5), (ActionKind.CancelCallback, 3),
        (ActionKind.Speak, 30),
    ];

    private static readonly int Total = Weights.Sum(w => w.Weight);

    public static List<SimAction> Generate(int seed, int steps, int silos)
    {
        var random = new Random(seed);
        var actions = new List<SimAction>(steps);
        while (actions.Count < steps)
        {
            var pick = random.Next(Total);
            var kind = Weights[0].Kind;
            foreach (var (k, weight) in Weights)
            {
                if (pick < weight)
                {
                    kind = k;
                    break;
                }
                pick -= weight;
            }
            if ((kind == ActionKind.Restart && silos != 1) || (kind == ActionKind.Kill && silos < 2))
            {
                continue;
            }
            actions.Add(new SimAction(kind, random.Next(1_000_000), random.Next(1_000_000), random.Next(1_000_000)));
        }
        return actions;
    }
}
