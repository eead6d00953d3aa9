using System.Net.Http.Json;
using System.Net;
using System.Net.Http.Headers;
using Acd.Api.Security;
using Acd.Api.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Acd.Api.Tests;

/// <summary>Who may do what: every endpoint has its rule, and every rule is tried with the wrong caller.</summary>
public sealed class AuthorizationTests : IClassFixture<AcdAppFactory>
{
    private readonly AcdAppFactory _app;
    private readonly HttpClient _admin;

    public AuthorizationTests(AcdAppFactory app)
    {
        _app = app;
        _admin = app.CreateClient();
    }

    private async Task<string> SetUpCallAsync(string name)
    {
        (await _admin.PutJsonAsync($"/api/queues/{name}", new { target_workers = $"team == '{name}'" })).AssertOk();
        (await _admin.PutJsonAsync($"/api/workflows/{name}", new { configuration = new { task_routing = new { default_filter = new { queue = name } } } })).AssertOk();
        (await _admin.PutJsonAsync($"/api/agents/{name}-mine", new { activity = "Available", attributes = new { team = name } })).AssertOk();
        (await _admin.PutJsonAsync($"/api/agents/{name}-other", new { activity = "Offline", attributes = new { team = name } })).AssertOk();
        var call = (await _admin.PostJsonAsync("/api/calls", new { id = $"{name}-call", workflow = name })).AssertOk(HttpStatusCode.Created);
        Assert.Equal($"{name}-mine", call.Str("offered_to"));
        return call.Str("id");
    }

    [Fact]
    public async Task WithoutATokenOnlyTheOpenEndpointsAnswer()
    {
        var anonymous = _app.Anonymous();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetJsonAsync("/api/queues")).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PutJsonAsync("/api/queues/x", new { })).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetJsonAsync("/api/calls")).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetJsonAsync("/api/agents/x")).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetJsonAsync("/api/supervisor/events")).Status);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync(new Uri("/health", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetJsonAsync("/openapi/v1.json")).Status);
    }

    [Fact]
    public async Task AnExpiredOrForeignTokenIsRefused()
    {
        var options = _app.Services.GetRequiredService<IOptions<AuthOptions>>();
        var past = new FakeTimeProvider(DateTimeOffset.UtcNow.AddHours(-3));
        var expired = new TokenIssuer(options) { Clock = past }.Issue("admin", [Roles.Admin], TimeSpan.FromHours(1));
        var client = _app.Anonymous();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", expired);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetJsonAsync("/api/queues")).Status);

        var foreign = new TokenIssuer(Options.Create(new AuthOptions { SigningKey = "someone-elses-key-0123456789-0123456789" })).Issue("admin", [Roles.Admin], TimeSpan.FromHours(1));
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", foreign);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetJsonAsync("/api/queues")).Status);
    }

    [Fact]
    public async Task ConfigurationNeedsAnAdmin()
    {
        var supervisor = _app.ClientAs(Roles.Supervisor, "boss");
        var agent = _app.ClientAs(Roles.Agent, "auth-agent");
        foreach (var client in new[] { supervisor, agent })
        {
            Assert.Equal(HttpStatusCode.Forbidden, (await client.PutJsonAsync("/api/queues/auth-q", new { })).Status);
            Assert.Equal(HttpStatusCode.Forbidden, (await client.PutJsonAsync("/api/workflows/auth-w", new { configuration = new { } })).Status);
            Assert.Equal(HttpStatusCode.Forbidden, (await client.PutJsonAsync("/api/agents/auth-a", new { })).Status);
            Assert.Equal(HttpStatusCode.Forbidden, (await client.PutJsonAsync("/api/activities/Lunch", new { available = false })).Status);
            Assert.Equal(HttpStatusCode.Forbidden, (await client.DeleteJsonAsync("/api/queues/auth-q")).Status);
            Assert.Equal(HttpStatusCode.Forbidden, (await client.PostJsonAsync("/api/calls", new { })).Status);
        }
        (await _admin.GetJsonAsync("/api/queues/auth-q")).AssertProblem(HttpStatusCode.NotFound, null!);
    }

    [Fact]
    public async Task ListsAndStatisticsNeedASupervisor()
    {
        var agent = _app.ClientAs(Roles.Agent, "auth-lists");
        Assert.Equal(HttpStatusCode.Forbidden, (await agent.GetJsonAsync("/api/calls?active=true")).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await agent.GetJsonAsync("/api/queues")).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await agent.GetJsonAsync("/api/agents")).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await agent.GetJsonAsync("/api/supervisor/events")).Status);
        var supervisor = _app.ClientAs(Roles.Supervisor, "boss");
        (await supervisor.GetJsonAsync("/api/calls?active=true")).AssertOk();
        (await supervisor.GetJsonAsync("/api/queues")).AssertOk();
        (await agent.GetJsonAsync("/api/activities")).AssertOk();
    }

    [Fact]
    public async Task AnAgentActsOnlyOnThemselvesAndTheirOwnCalls()
    {
        var callId = await SetUpCallAsync("auth-own");
        var mine = _app.ClientAs(Roles.Agent, "auth-own-mine");
        var other = _app.ClientAs(Roles.Agent, "auth-own-other");

        (await mine.GetJsonAsync("/api/agents/auth-own-mine")).AssertOk();
        (await other.GetJsonAsync("/api/agents/auth-own-mine")).AssertProblem(HttpStatusCode.Forbidden, null!);
        (await other.PutJsonAsync("/api/agents/auth-own-mine/activity", new { activity = "Break" })).AssertProblem(HttpStatusCode.Forbidden, null!);
        Assert.Equal(HttpStatusCode.Forbidden, (await other.GetJsonAsync("/api/agents/auth-own-mine/events")).Status);

        (await other.GetJsonAsync($"/api/calls/{callId}")).AssertProblem(HttpStatusCode.Forbidden, null!);
        (await other.PostJsonAsync($"/api/calls/{callId}/accept")).AssertProblem(HttpStatusCode.Forbidden, null!);
        (await other.PostJsonAsync($"/api/calls/{callId}/accept", new { agent_id = "auth-own-mine" })).AssertProblem(HttpStatusCode.Forbidden, null!);
        (await other.PostJsonAsync($"/api/calls/{callId}/hangup")).AssertProblem(HttpStatusCode.Forbidden, null!);
        Assert.Equal("offered", (await _admin.GetJsonAsync($"/api/calls/{callId}")).AssertOk().Str("status"));

        (await mine.GetJsonAsync($"/api/calls/{callId}")).AssertOk();
        Assert.Equal("connected", (await mine.PostJsonAsync($"/api/calls/{callId}/accept")).AssertOk().Str("status"));
        Assert.Equal("Break", (await mine.PutJsonAsync("/api/agents/auth-own-mine/activity", new { activity = "Break" })).AssertOk().Str("activity"));
    }

    [Fact]
    public async Task AnAgentOnlyOfferedACallCannotHangUpTheCustomerAndTheConnectedOneCan()
    {
        var callId = await SetUpCallAsync("auth-hang");
        var offered = _app.ClientAs(Roles.Agent, "auth-hang-mine");

        (await offered.PostJsonAsync($"/api/calls/{callId}/hangup")).AssertProblem(HttpStatusCode.Forbidden, null!);
        Assert.Equal("offered", (await _admin.GetJsonAsync($"/api/calls/{callId}")).AssertOk().Str("status"));

        (await offered.PostJsonAsync($"/api/calls/{callId}/accept")).AssertOk();
        Assert.NotEqual("connected", (await offered.PostJsonAsync($"/api/calls/{callId}/hangup")).AssertOk().Str("status"));
    }

    [Fact]
    public async Task AnAgentTokenWithoutASubIsRefused()
    {
        var callId = await SetUpCallAsync("auth-nosub");
        var nobody = _app.CreateDefaultClient();
        nobody.DefaultRequestHeaders.Authorization = new("Bearer", _app.Token(Roles.Agent, ""));

        Assert.Equal(HttpStatusCode.Unauthorized, (await nobody.GetJsonAsync($"/api/calls/{callId}")).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await nobody.PostJsonAsync($"/api/calls/{callId}/hangup")).Status);
        Assert.Equal("offered", (await _admin.GetJsonAsync($"/api/calls/{callId}")).AssertOk().Str("status"));
    }

    [Fact]
    public async Task SupervisionIsForSupervisors()
    {
        var callId = await SetUpCallAsync("auth-sup");
        var agent = _app.ClientAs(Roles.Agent, "auth-sup-mine");
        (await agent.PostJsonAsync($"/api/calls/{callId}/accept")).AssertOk();
        Assert.Equal(HttpStatusCode.Forbidden, (await agent.PostJsonAsync($"/api/calls/{callId}/monitor")).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await agent.PostJsonAsync($"/api/calls/{callId}/coach")).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await agent.PostJsonAsync($"/api/calls/{callId}/barge")).Status);

        // A supervisor may act on any call, e.g. put it on hold for its agent.
        var supervisor = _app.ClientAs(Roles.Supervisor, "boss");
        (await supervisor.GetJsonAsync($"/api/calls/{callId}")).AssertOk();
    }

    [Fact]
    public async Task DevelopmentHandsOutTokensForTheWalkthrough()
    {
        var anonymous = _app.Anonymous();
        var minted = (await anonymous.PostJsonAsync("/dev/token", new { role = "supervisor", sub = "boss" })).AssertOk();
        var client = _app.Anonymous();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", minted.Str("token"));
        (await client.GetJsonAsync("/api/calls?active=true")).AssertOk();
        (await anonymous.PostJsonAsync("/dev/token", new { role = "root" })).AssertProblem(HttpStatusCode.BadRequest, "role");
    }
}

public sealed class StartupTests
{
    [Fact]
    public async Task OutsideDevelopmentAcdRefusesToStartWithoutARealSigningKey()
    {
        await using var silo = SiloProcess.Start(new Dictionary<string, string> { ["ASPNETCORE_ENVIRONMENT"] = "Production" });
        Assert.Equal(1, await silo.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("Auth:SigningKey is not set", silo.Output);

        await using var devKey = SiloProcess.Start(new Dictionary<string, string> { ["ASPNETCORE_ENVIRONMENT"] = "Production", ["Auth__SigningKey"] = AuthOptions.DevelopmentKey });
        Assert.Equal(1, await devKey.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("development key", devKey.Output);
    }

    [Fact]
    public async Task DevTokensExistOnlyWithTheBuiltInKeyAndSayWhenTheyDo()
    {
        var development = new Dictionary<string, string> { ["ASPNETCORE_ENVIRONMENT"] = "Development" };
        await using (var open = SiloProcess.Start(development))
        {
            await open.WaitUntilHealthyAsync(TimeSpan.FromSeconds(60));
            using var http = new HttpClient { BaseAddress = open.BaseAddress };
            Assert.Equal(HttpStatusCode.OK, (await http.PostAsJsonAsync("/dev/token", new { role = "agent", sub = "ann" })).StatusCode);
            Assert.Contains("POST /dev/token hands out tokens to anyone", open.Output);
        }

        await using var keyed = SiloProcess.Start(new Dictionary<string, string>(development) { ["Auth__SigningKey"] = "a-real-key-even-in-development-0123456789" });
        await keyed.WaitUntilHealthyAsync(TimeSpan.FromSeconds(60));
        using var client = new HttpClient { BaseAddress = keyed.BaseAddress };
        // No such endpoint: an anonymous request gets no further than the authentication every route needs.
        var refused = await client.PostAsJsonAsync("/dev/token", new { role = "admin", sub = "anyone" });
        Assert.Contains(refused.StatusCode, new[] { HttpStatusCode.Unauthorized, HttpStatusCode.NotFound });
        Assert.DoesNotContain("token", await refused.Content.ReadAsStringAsync());
        Assert.DoesNotContain("/dev/token", keyed.Output);
    }

    [Theory]
    [InlineData("Acd__DefaultWrapUpSeconds", "soon", "Acd:DefaultWrapUpSeconds")]
    [InlineData("Twilio__CallsPerSecond", "0", "Twilio:CallsPerSecond must be above 0")]
    [InlineData("Twilio__PublicBaseUrl", "acd.example.com", "Twilio:PublicBaseUrl must be an absolute http(s) URL")]
    [InlineData("Acd__TimeZone", "Mars/Olympus", "Acd:TimeZone 'Mars/Olympus'")]
    [InlineData("Acd__WorkspaceFile", "no-such-workspace.json", "no-such-workspace.json: not found")]
    public async Task AConfigurationErrorStopsTheStartWithOneLineNamingIt(string key, string value, string named)
    {
        await using var silo = SiloProcess.Start(new Dictionary<string, string> { [key] = value });

        Assert.Equal(1, await silo.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        var said = silo.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var line = Assert.Single(said, l => l.StartsWith("Acd did not start: ", StringComparison.Ordinal));
        Assert.Contains(named, line);
        Assert.DoesNotContain(said, l => l.StartsWith("at ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task WithoutAPublicBaseUrlCallbacksNameTheAddressAcdListensOn()
    {
        // They fell back to http://localhost:5080 whatever --urls said.
        var workspace = Path.Combine(Path.GetTempPath(), $"acd-urls-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(workspace, """
            {"task_queues":[{"id":"urls-q"}],"workflows":[{"id":"urls","configuration":{"task_routing":{"default_filter":{"queue":"urls-q"}}}}]}
            """, TestContext.Current.CancellationToken);
        try
        {
            await using var silo = SiloProcess.Start(new Dictionary<string, string> { ["Acd__WorkspaceFile"] = workspace, ["Twilio__ValidateSignatures"] = "false" });
            await silo.WaitUntilHealthyAsync(TimeSpan.FromSeconds(60));
            using var http = new HttpClient { BaseAddress = silo.BaseAddress };
            using var form = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["CallSid"] = "CA0123456789abcdef0123456789abcdef", ["AccountSid"] = "AC0123456789abcdef0123456789abcdef",
                ["From"] = "+819012345678", ["To"] = "+81501234567", ["CallStatus"] = "ringing", ["Direction"] = "inbound",
            });

            var response = await http.PostAsync(new Uri("/twilio/voice/incoming?workflow=urls", UriKind.Relative), form, TestContext.Current.CancellationToken);

            var twiml = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Contains($"http://127.0.0.1:{silo.HttpPort}/twilio/", twiml);
            Assert.DoesNotContain("localhost:5080", twiml);
        }
        finally
        {
            File.Delete(workspace);
        }
    }

    [Fact]
    public void ARelativeWorkspaceFileIsFoundFromTheCurrentDirectoryOrTheContentRoot()
    {
        var root = Directory.CreateTempSubdirectory("acd-root-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(root, "workspace.json"), "{}");
            var configuration = new ConfigurationBuilder()
                .AddInMemoryCollection(new Dictionary<string, string?> { ["Acd:WorkspaceFile"] = "workspace.json" }).Build();

            Assert.Equal(Path.Combine(root, "workspace.json"), Acd.Api.WorkspaceFile.WorkspaceFileLoader.Locate(configuration, root));

            var missing = Assert.Throws<Acd.Api.WorkspaceFile.WorkspaceFileException>(() => { Acd.Api.WorkspaceFile.WorkspaceFileLoader.Locate(configuration, Path.GetTempPath()); });
            Assert.Contains("workspace.json: not found (looked for ", missing.Message);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task LogsAreOneJsonObjectPerLineWhenAskedFor()
    {
        await using var silo = SiloProcess.Start(new Dictionary<string, string> { ["Acd__LogFormat"] = "json" });
        await silo.WaitUntilHealthyAsync(TimeSpan.FromSeconds(60));

        var lines = silo.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.NotEmpty(lines);
        foreach (var line in lines)
        {
            var entry = System.Text.Json.Nodes.JsonNode.Parse(line)!;
            Assert.NotNull(entry["@t"]);
            Assert.NotNull(entry["@m"]);
        }
    }

    [Fact]
    public async Task AProductionNodeBehindAProxyTakesTwiliosSignatureForItsPublicAddress()
    {
        // As examples/deploy runs it: Production, a real key, no PublicBaseUrl, the proxy's headers trusted.
        const string AuthToken = "a-twilio-auth-token-for-this-test-0123";
        var workspace = Path.Combine(Path.GetTempPath(), $"acd-proxy-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(workspace, """
            {"task_queues":[{"id":"proxy-q"}],"workflows":[{"id":"proxy","configuration":{"task_routing":{"default_filter":{"queue":"proxy-q"}}}}]}
            """, TestContext.Current.CancellationToken);
        try
        {
            await using var node = SiloProcess.Start(new Dictionary<string, string>
            {
                ["ASPNETCORE_ENVIRONMENT"] = "Production",
                ["ASPNETCORE_FORWARDEDHEADERS_ENABLED"] = "true",
                ["Auth__SigningKey"] = "a-production-key-for-the-proxy-test-0123456789",
                ["Twilio__AccountSid"] = "AC0123456789abcdef0123456789abcdef",
                ["Twilio__AuthToken"] = AuthToken,
                ["Twilio__ApiBaseUrl"] = "http://127.0.0.1:9",
                ["Acd__WorkspaceFile"] = workspace,
            });
            await node.WaitUntilHealthyAsync(TimeSpan.FromSeconds(60));
            using var http = new HttpClient { BaseAddress = node.BaseAddress };
            var publicUrl = "https://acd.example.jp/twilio/voice/incoming?workflow=proxy";
            var form = new List<KeyValuePair<string, string>> { new("CallSid", "CAproxy0000000000000000000000001"), new("From", "+819000000001"), new("To", "+81501234567") };

            // What nginx forwards: the public Host, and the scheme Twilio used in X-Forwarded-Proto.
            using var request = new HttpRequestMessage(HttpMethod.Post, "/twilio/voice/incoming?workflow=proxy") { Content = new FormUrlEncodedContent(form) };
            request.Headers.Host = "acd.example.jp";
            request.Headers.Add("X-Forwarded-Proto", "https");
            request.Headers.Add("X-Twilio-Signature", Acd.Twilio.Fake.Signatures.Sign(AuthToken, publicUrl, form));
            using var response = await http.SendAsync(request, TestContext.Current.CancellationToken);

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Contains("<Conference", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
            Assert.Equal(HttpStatusCode.Unauthorized, (await http.PostAsJsonAsync("/dev/token", new { role = "admin" }, TestContext.Current.CancellationToken)).StatusCode);
        }
        finally
        {
            File.Delete(workspace);
        }
    }

    [Fact]
    public async Task TheTokenCommandMintsATokenTheServerAccepts()
    {
        var key = "a-production-key-for-this-test-0123456789";
        await using var silo = SiloProcess.Start(new Dictionary<string, string> { ["ASPNETCORE_ENVIRONMENT"] = "Production", ["Auth__SigningKey"] = key });
        await silo.WaitUntilHealthyAsync(TimeSpan.FromSeconds(60));
        var token = await SiloProcess.RunTokenCommandAsync(new Dictionary<string, string> { ["ASPNETCORE_ENVIRONMENT"] = "Production", ["Auth__SigningKey"] = key }, "--role", "supervisor", "--sub", "boss");
        using var http = new HttpClient { BaseAddress = silo.BaseAddress };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri("/api/calls", UriKind.Relative))).StatusCode);
        http.DefaultRequestHeaders.Authorization = null;
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync(new Uri("/api/calls", UriKind.Relative))).StatusCode);
    }
}
