using Acd.Api.Tests.Infrastructure;

namespace Acd.Api.Tests.Twilio;

/// <summary>An IE1 account: REST goes to the configured region and edge; conferences are still mixed in Japan.</summary>
public sealed class IrelandAccountFixture : TwilioFixture
{
    protected override void Configure(AcdAppFactory app) => app.With("Twilio:Region", "ie1").With("Twilio:Edge", "dublin");
}

public sealed class RegionTests(IrelandAccountFixture fixture) : IClassFixture<IrelandAccountFixture>
{
    [Fact]
    public async Task RestGoesToTheConfiguredRegionAndEdgeWhileMediaStaysInJapan()
    {
        await fixture.CenterAsync("region-ie1", agents: "region-agent");
        var caller = await fixture.CallInAsync("region-ie1");
        await fixture.RungAsync("client:region-agent");

        var participants = fixture.Twilio.Requests.Single(r => r.Path.EndsWith("/Participants.json", StringComparison.Ordinal));
        Assert.Equal("api.dublin.ie1.twilio.com", participants.TargetHost);
        Assert.Equal("jp1", participants["Region"]);
        Assert.Equal("jp1", (string?)caller.Twiml.Descendants("Conference").Single().Attribute("region"));
    }
}

/// <summary>An account at 2 calls per second.</summary>
public sealed class SlowAccountFixture : TwilioFixture
{
    protected override void Configure(AcdAppFactory app) => app.With("Twilio:CallsPerSecond", "2");
}

public sealed class PacingTests(SlowAccountFixture fixture) : IClassFixture<SlowAccountFixture>
{
    [Fact]
    public async Task ABurstOfCallersIsPacedToTheAccountsCallsPerSecondAndTheBacklogShows()
    {
        var agents = Enumerable.Range(0, 6).Select(i => $"pace-agent-{i}").ToArray();
        await fixture.CenterAsync("pace", agents: agents);

        var callers = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => fixture.CallInAsync("pace")));

        // Right after the burst some agent legs are still waiting their turn, and queue statistics say so.
        var stats = (await fixture.Http.GetJsonAsync("/api/queues/pace/stats")).AssertOk();
        var backlog = stats["telephony_backlog"]!;
        Assert.Equal(2, backlog["calls_per_second"]!.GetValue<double>());
        Assert.True(backlog["waiting"]!.GetValue<int>() >= 2, stats.ToJsonString());

        await Eventually.HoldsAsync(() => Task.FromResult(agents.All(a => fixture.Twilio.LegTo($"client:{a}") is not null)), "every agent is rung", timeoutMs: 15000);
        var times = fixture.Twilio.Requests.Where(r => r.Path.EndsWith("/Participants.json", StringComparison.Ordinal)).Select(r => r.At).Order().ToList();
        Assert.Equal(6, times.Count);
        // Six creations at 2 per second are spread over five half-second steps (the first step may be shorter, as
        // the pace's clock does not start with the burst): never a burst at Twilio.
        Assert.True(times[^1] - times[0] >= TimeSpan.FromSeconds(1.95), $"spread over {(times[^1] - times[0]).TotalSeconds:F2}s");
        for (var i = 3; i < times.Count; i++)
        {
            // Two steps are a second; the fake sees arrivals, with some scheduling jitter on a loaded machine.
            Assert.True(times[i] - times[i - 2] >= TimeSpan.FromSeconds(0.75), $"requests {i - 2} and {i} were {(times[i] - times[i - 2]).TotalSeconds:F2}s apart");
        }
        Assert.Equal(6, callers.Length);
        await Eventually.HoldsAsync(async () => (await fixture.Http.GetJsonAsync("/api/queues/pace/stats")).AssertOk()["telephony_backlog"]!["waiting"]!.GetValue<int>() == 0, "the backlog drains");
    }
}
