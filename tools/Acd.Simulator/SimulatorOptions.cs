using System.Globalization;

namespace Acd.Simulator;

/// <summary>What to simulate. Every option has a default, so <c>dotnet run --project tools/Acd.Simulator</c> alone works.</summary>
public sealed record SimulatorOptions
{
    /// <summary>A running Acd to drive; when absent the simulator starts one (in memory) wired to its fake Twilio.</summary>
    public Uri? Acd { get; init; }

    /// <summary>Admin token for <see cref="Acd"/> (a started Acd, or one in Development, mints its own).</summary>
    public string? Token { get; init; }

    /// <summary>Where the fake Twilio listens (point the running Acd's <c>Twilio:ApiBaseUrl</c> here).</summary>
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

    public static SimulatorOptions Parse(string[] args)
    {
        var options = new SimulatorOptions();
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{name} needs a value");
            double Number() => double.Parse(Value(), CultureInfo.InvariantCulture);
            options = name switch
            {
                "--acd" => options with { Acd = new Uri(Value()) },
                "--token" => options with { Token = Value() },
                "--twilio-port" => options with { TwilioPort = (int)Number() },
                "--acd-port" => options with { AcdPort = (int)Number() },
                "--rate" => options with { CallsPerMinute = Number() },
                "--agents" => options with { Agents = (int)Number() },
                "--minutes" => options with { Minutes = Number() },
                "--talk" => options with { TalkSeconds = Number() },
                "--patience" => options with { PatienceSeconds = Number() },
                "--answer" => options with { AnswerSeconds = Number() },
                "--no-answer" => options with { NoAnswer = Number() },
                "--wrap-up" => options with { WrapUpSeconds = (int)Number() },
                "--sales" => options with { Sales = Number() },
                "--seed" => options with { Seed = (int)Number() },
                _ => throw new ArgumentException($"Unknown option {name}"),
            };
        }
        if (options.CallsPerMinute <= 0 || options.Agents <= 0 || options.TalkSeconds <= 0 || options.Minutes < 0 || options.NoAnswer is < 0 or > 1 || options.Sales is < 0 or > 1)
        {
            throw new ArgumentException("--rate, --agents and --talk must be positive; --no-answer and --sales between 0 and 1");
        }
        return options;
    }

    public const string Usage = """
        Acd.Simulator: plays Twilio, callers and agents against Acd through its real webhooks.

          dotnet run --project tools/Acd.Simulator [options]

          --rate N         calls per minute, Poisson (6)            --agents N      agents (10)
          --minutes N      how long calls arrive; 0 = until Ctrl+C (5)
          --talk S         mean talk seconds, exponential (60)      --patience S    mean patience; 0 = never abandon (90)
          --answer S       mean seconds to pick up (3)              --no-answer P   share of offers left to ring out (0.03)
          --wrap-up S      wrap-up seconds (10)                     --sales P       share pressing 1 for sales (0.4)
          --seed N         random seed (1)
          --acd URL        drive a running Acd (started with Twilio:ApiBaseUrl=http://127.0.0.1:<twilio-port>,
                           Twilio:AccountSid=AC00000000000000000000000000000000, Twilio:AuthToken=fake-auth-token-0123456789abcdef,
                           Twilio:PublicBaseUrl=<its own URL>); without it, Acd is started in memory on --acd-port (5080)
          --token T        admin token for --acd (default: minted by its Development /dev/token)
          --twilio-port N  where the fake Twilio listens (5081)
        """;
}
