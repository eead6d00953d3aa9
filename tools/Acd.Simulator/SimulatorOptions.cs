using System.CommandLine;

namespace Acd.Simulator;

/// <summary>What to simulate. Every option has a default, so <c>dotnet run --project tools/Acd.Simulator</c> alone works.</summary>
public sealed record SimulatorOptions
{
    /// <summary>A running Acd to drive; when absent the simulator starts one (in memory) wired to its fake Twilio.</summary>
    public Uri? Acd { get; init; }

    /// <summary>Admin token for <see cref="Acd"/> (a started Acd, or one in Development, mints its own).</summary>
    public string? Token { get; init; }

    /// <summary>Where the fake Twilio listens (point the running Acd's <c>Twilio:ApiBaseUrl</c> here); 0: any free port.</summary>
    public int TwilioPort { get; init; } = 5081;

    /// <summary>Where a started Acd listens.</summary>
    public int AcdPort { get; init; } = 5080;

    public double CallsPerMinute { get; init; } = 6;

    public int Agents { get; init; } = 10;

    /// <summary>How long callers keep arriving; 0: until Ctrl+C.</summary>
    public double Minutes { get; init; } = 5;

    /// <summary>Mean talk time (exponential).</summary>
    public double TalkSeconds { get; init; } = 60;

    /// <summary>Mean patience before a waiting caller hangs up (exponential); 0: nobody abandons.</summary>
    public double PatienceSeconds { get; init; } = 90;

    /// <summary>Mean time an agent takes to pick up (exponential, capped below the ring time).</summary>
    public double AnswerSeconds { get; init; } = 3;

    /// <summary>Share of offers an agent lets ring out.</summary>
    public double NoAnswer { get; init; } = 0.03;

    /// <summary>Wrap-up after each call.</summary>
    public int WrapUpSeconds { get; init; } = 10;

    /// <summary>Share of callers pressing 1 (sales) rather than 2 (support) in the IVR.</summary>
    public double Sales { get; init; } = 0.4;

    public int Seed { get; init; } = 1;

    /// <summary>How long the callers still on the line after arrivals stop may take to finish before they are hung up.</summary>
    public double DrainSeconds { get; init; } = 60;

    /// <summary>Orleans' silo port of a started Acd (it opens no gateway).</summary>
    public int SiloPort { get; init; } = 11111;

    /// <summary>The command line: every option above, <c>--help</c>, and a clear error (exit 1) for a bad value.</summary>
    public static RootCommand Command(Func<SimulatorOptions, CancellationToken, Task<int>> run)
    {
        var defaults = new SimulatorOptions();
        var acd = new Option<Uri?>("--acd") { Description = "Drive a running Acd at this URL (started with Twilio:ApiBaseUrl=http://127.0.0.1:<twilio-port>, Twilio:AccountSid=AC00000000000000000000000000000000, Twilio:AuthToken=fake-auth-token-0123456789abcdef, Twilio:PublicBaseUrl=<its own URL>); without it, Acd is started in memory" };
        var token = new Option<string?>("--token") { Description = "Admin token for --acd (default: minted by its Development /dev/token)" };
        var twilioPort = new Option<int?>("--twilio-port") { Description = "Where the fake Twilio listens (default: 5081 with --acd, any free port otherwise)" };
        var acdPort = new Option<int>("--acd-port") { Description = "Where a started Acd listens", DefaultValueFactory = _ => defaults.AcdPort };
        var siloPort = new Option<int>("--silo-port") { Description = "Orleans' silo port of a started Acd", DefaultValueFactory = _ => defaults.SiloPort };
        var rate = new Option<double>("--rate") { Description = "Calls per minute, Poisson", DefaultValueFactory = _ => defaults.CallsPerMinute };
        var agents = new Option<int>("--agents") { Description = "Agents", DefaultValueFactory = _ => defaults.Agents };
        var minutes = new Option<double>("--minutes") { Description = "How long calls arrive; 0: until Ctrl+C", DefaultValueFactory = _ => defaults.Minutes };
        var drain = new Option<double>("--drain") { Description = "Seconds the calls still on the line may take to finish after arrivals stop; then they are hung up", DefaultValueFactory = _ => defaults.DrainSeconds };
        var talk = new Option<double>("--talk") { Description = "Mean talk seconds, exponential", DefaultValueFactory = _ => defaults.TalkSeconds };
        var patience = new Option<double>("--patience") { Description = "Mean seconds a caller waits before hanging up; 0: never abandons", DefaultValueFactory = _ => defaults.PatienceSeconds };
        var answer = new Option<double>("--answer") { Description = "Mean seconds an agent takes to pick up", DefaultValueFactory = _ => defaults.AnswerSeconds };
        var noAnswer = new Option<double>("--no-answer") { Description = "Share of offers left to ring out (0 to 1)", DefaultValueFactory = _ => defaults.NoAnswer };
        var wrapUp = new Option<int>("--wrap-up") { Description = "Wrap-up seconds", DefaultValueFactory = _ => defaults.WrapUpSeconds };
        var sales = new Option<double>("--sales") { Description = "Share of callers pressing 1 for sales (0 to 1)", DefaultValueFactory = _ => defaults.Sales };
        var seed = new Option<int>("--seed") { Description = "Random seed", DefaultValueFactory = _ => defaults.Seed };
        Positive(rate, "calls per minute");
        Positive(agents, "agents");
        Positive(talk, "talk seconds");
        NotNegative(minutes);
        NotNegative(drain);
        NotNegative(patience);
        NotNegative(answer);
        NotNegative(wrapUp);
        Share(noAnswer);
        Share(sales);
        foreach (var port in new[] { acdPort, siloPort })
        {
            port.Validators.Add(r => { if (r.GetValue(port) is < 1 or > 65535) r.AddError($"{port.Name} must be a port (1-65535)"); });
        }
        twilioPort.Validators.Add(r => { if (r.GetValue(twilioPort) is < 1 or > 65535) r.AddError("--twilio-port must be a port (1-65535)"); });
        var root = new RootCommand("Acd.Simulator: plays Twilio, callers and agents against Acd through its real webhooks.")
        {
            acd, token, twilioPort, acdPort, siloPort, rate, agents, minutes, drain, talk, patience, answer, noAnswer, wrapUp, sales, seed,
        };
        root.SetAction((r, cancellation) => run(new SimulatorOptions
        {
            Acd = r.GetValue(acd),
            Token = r.GetValue(token),
            TwilioPort = r.GetValue(twilioPort) ?? (r.GetValue(acd) is null ? 0 : 5081),
            AcdPort = r.GetValue(acdPort),
            SiloPort = r.GetValue(siloPort),
            CallsPerMinute = r.GetValue(rate),
            Agents = r.GetValue(agents),
            Minutes = r.GetValue(minutes),
            DrainSeconds = r.GetValue(drain),
            TalkSeconds = r.GetValue(talk),
            PatienceSeconds = r.GetValue(patience),
            AnswerSeconds = r.GetValue(answer),
            NoAnswer = r.GetValue(noAnswer),
            WrapUpSeconds = r.GetValue(wrapUp),
            Sales = r.GetValue(sales),
            Seed = r.GetValue(seed),
        }, cancellation));
        return root;
    }

    private static void Positive<T>(Option<T> option, string what) where T : struct, IComparable<T> =>
        option.Validators.Add(r => { if (r.GetValue(option).CompareTo(default) <= 0) r.AddError($"{option.Name}: {what} must be above 0"); });

    private static void NotNegative<T>(Option<T> option) where T : struct, IComparable<T> =>
        option.Validators.Add(r => { if (r.GetValue(option).CompareTo(default) < 0) r.AddError($"{option.Name} must be 0 or more"); });

    private static void Share(Option<double> option) =>
        option.Validators.Add(r => { if (r.GetValue(option) is < 0 or > 1) r.AddError($"{option.Name} must be between 0 and 1"); });
}
