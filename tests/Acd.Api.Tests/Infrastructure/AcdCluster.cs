using System.Globalization;
using System.Net.Http.Headers;
using Acd.Twilio.Fake;

namespace Acd.Api.Tests.Infrastructure;

/// <summary>
/// Acd as real processes sharing one PostgreSQL database (storage, clustering, reminders), with a fake Twilio whose
/// signed callbacks go to <see cref="TwilioFixture.PublicBaseUrl"/> through a load balancer that forwards each to a
/// live node in turn, the way Acd is deployed.
/// </summary>
public sealed class AcdCluster : IAsyncDisposable
{
    private readonly List<AcdNode> _nodes = [];
    private readonly HttpClient _forward = new();
    private readonly string _clusterId = $"test-{Guid.NewGuid():N}"[..13];
    private int _turn;

    private AcdCluster(string? connectionString, FakeTwilio twilio)
    {
        ConnectionString = connectionString;
        Twilio = twilio;
        Twilio.Send = ForwardAsync;
    }

    /// <summary>PostgreSQL for storage and clustering; null: one in-memory node.</summary>
    public string? ConnectionString { get; }

    public FakeTwilio Twilio { get; }

    public IReadOnlyList<AcdNode> Nodes => _nodes;

    public static async Task<AcdCluster> StartAsync(string? connectionString) => new(connectionString, await FakeTwilio.StartAsync());

    /// <summary>Starts a node (again, after a kill, when given the ports it had) and waits until it answers.</summary>
    public async Task<AcdNode> StartNodeAsync(NodePorts? ports = null, IDictionary<string, string>? settings = null)
    {
        ports ??= new NodePorts(AcdAppFactory.FreePort(), AcdAppFactory.FreePort());
        var environment = new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["Storage__Provider"] = ConnectionString is null ? "Memory" : "Postgres",
            ["Storage__MigrateOnStart"] = "true",
            ["ConnectionStrings__Acd"] = ConnectionString ?? "",
            ["Orleans__ClusterId"] = _clusterId,
            ["Orleans__SiloPort"] = ports.Silo.ToString(CultureInfo.InvariantCulture),
            // Declare a killed node dead in seconds, not the production default of about a minute.
            ["Orleans__Membership__ProbeTimeout"] = "00:00:01",
            ["Orleans__Membership__NumMissedProbesLimit"] = "2",
            ["Orleans__Membership__NumVotesForDeathDeclaration"] = "1",
            ["Orleans__Membership__TableRefreshTimeout"] = "00:00:02",
            ["Twilio__AccountSid"] = Twilio.AccountSid,
            ["Twilio__AuthToken"] = Twilio.AuthToken,
            ["Twilio__ApiBaseUrl"] = Twilio.BaseUrl.ToString(),
            ["Twilio__PublicBaseUrl"] = TwilioFixture.PublicBaseUrl,
            ["Twilio__CallsPerSecond"] = "1000",
            ["Twilio__CallerId"] = TwilioFixture.Number,
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }
        var process = SiloProcess.Start(environment, ports.Http);
        var node = new AcdNode(process, ports);
        try
        {
            await process.WaitUntilHealthyAsync(TimeSpan.FromSeconds(90));
            await node.SignInAsync();
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
        lock (_nodes)
        {
            _nodes.Add(node);
        }
        return node;
    }

    /// <summary>Twilio calls Acd's public URL; the balancer sends each request to the next node that is up.</summary>
    private async Task<HttpResponseMessage> ForwardAsync(HttpRequestMessage request, CancellationToken cancellation)
    {
        AcdNode[] live;
        lock (_nodes)
        {
            live = [.. _nodes.Where(n => !n.Process.HasExited)];
        }
        if (live.Length == 0)
        {
            throw new HttpRequestException("No Acd node is up");
        }
        var node = live[Interlocked.Increment(ref _turn) % live.Length];
        var target = new UriBuilder(request.RequestUri!) { Scheme = "http", Host = "127.0.0.1", Port = node.Ports.Http }.Uri;
        using var forwarded = new HttpRequestMessage(request.Method, target) { Content = request.Content };
        foreach (var header in request.Headers)
        {
            forwarded.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }
        forwarded.Headers.TryAddWithoutValidation("X-Forwarded-Host", request.RequestUri!.Host);
        return await _forward.SendAsync(forwarded, cancellation);
    }

    public async ValueTask DisposeAsync()
    {
        await Twilio.DisposeAsync();
        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
        }
        _forward.Dispose();
    }
}

public sealed record NodePorts(int Http, int Silo);

/// <summary>One Acd process of an <see cref="AcdCluster"/>, with an admin client.</summary>
public sealed class AcdNode(SiloProcess process, NodePorts ports) : IAsyncDisposable
{
    public SiloProcess Process { get; } = process;

    public NodePorts Ports { get; } = ports;

    public HttpClient Http { get; } = new() { BaseAddress = process.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };

    internal async Task SignInAsync()
    {
        Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await TokenAsync("admin", "admin"));
    }

    /// <summary>A token minted by the node's development endpoint.</summary>
    public async Task<string> TokenAsync(string role, string sub)
    {
        using var anonymous = new HttpClient { BaseAddress = Http.BaseAddress };
        return (await anonymous.PostJsonAsync("/dev/token", new { role, sub })).AssertOk().Str("token");
    }

    /// <summary>A client acting as <paramref name="sub"/> in <paramref name="role"/> (an agent's softphone, a supervisor).</summary>
    public async Task<HttpClient> ClientAsAsync(string role, string sub)
    {
        var token = (await Http.PostJsonAsync("/dev/token", new { role, sub })).AssertOk().Str("token");
        var client = new HttpClient { BaseAddress = Http.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>SIGKILL: the process dies mid-whatever, as in a crash.</summary>
    public void Kill() => Process.Kill();

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Process.DisposeAsync();
    }
}
