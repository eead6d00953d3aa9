using System.Collections.Concurrent;
using System.Diagnostics;
using Acd.Api.Tests.Infrastructure;

namespace Acd.Api.Tests.Twilio;

/// <summary>One call, one trace: from Twilio's webhook through the grains to the REST request that rings the agent.</summary>
public sealed class TracingTests(TwilioFixture fixture) : IClassFixture<TwilioFixture>
{
    [Fact]
    public async Task TheRequestThatRingsTheAgentIsInTheTraceOfTheWebhookThatBroughtTheCall()
    {
        var stopped = new ConcurrentBag<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => AcdTracing.Sources.Contains(source.Name),
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = stopped.Add,
        };
        ActivitySource.AddActivityListener(listener);
        await fixture.CenterAsync("traced", agents: "traced-agent");

        var caller = await fixture.CallInAsync("traced");
        await fixture.RungAsync("client:traced-agent");

        // Acd's span around the paced request that makes the agent's leg (keyed by the leg, which names the call).
        Activity? Ring() => stopped.FirstOrDefault(a => a.Source.Name == AcdTracing.SourceName && a.DisplayName.Contains(caller.CallSid, StringComparison.Ordinal));
        await Eventually.HoldsAsync(() => Task.FromResult(Ring() is not null), "the ring request is traced");
        var ring = Ring()!;
        await Eventually.HoldsAsync(() => Task.FromResult(stopped.Any(a => a.Source.Name == "System.Net.Http" && a.ParentSpanId == ring.SpanId)), "the REST request is the span's child");

        var trace = stopped.Where(a => a.TraceId == ring.TraceId).ToList();
        Assert.Contains(trace, a => a.Source.Name == "Microsoft.AspNetCore" && a.GetTagItem("url.path") as string == "/twilio/voice/incoming");
        Assert.Contains(trace, a => a.Source.Name == "Microsoft.Orleans.Application" && a.DisplayName == "ICallGrain/StartAsync");
        Assert.Contains(trace, a => a.Source.Name == "System.Net.Http" && a.GetTagItem("url.full") is string url && url.EndsWith("/Participants.json", StringComparison.Ordinal));
    }
}

/// <summary>Traces leave the process over OTLP when, and only when, the standard variable names a collector.</summary>
public sealed class OtlpExportTests
{
    [Fact]
    public async Task WithAnOtlpEndpointTracesArePostedToTheCollector()
    {
        var port = AcdAppFactory.FreePort();
        using var collector = new System.Net.HttpListener();
        collector.Prefixes.Add($"http://127.0.0.1:{port}/");
        collector.Start();
        await using var node = SiloProcess.Start(new Dictionary<string, string>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = $"http://127.0.0.1:{port}",
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
        });
        await node.WaitUntilHealthyAsync(TimeSpan.FromSeconds(60));
        using var http = new HttpClient { BaseAddress = node.BaseAddress };
        await http.GetAsync(new Uri("/health", UriKind.Relative), TestContext.Current.CancellationToken);

        var context = await collector.GetContextAsync().WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        using var body = new MemoryStream();
        await context.Request.InputStream.CopyToAsync(body, TestContext.Current.CancellationToken);
        context.Response.StatusCode = 200;
        context.Response.Close();

        Assert.Equal(("POST", "/v1/traces"), (context.Request.HttpMethod, context.Request.Url!.AbsolutePath));
        Assert.Equal("application/x-protobuf", context.Request.ContentType);
        // The resource names the service: the protobuf carries its strings as they are.
        var sent = body.ToArray();
        Assert.True(sent.AsSpan().IndexOf("service.name"u8) >= 0 && sent.AsSpan().IndexOf("orleans.silo"u8) >= 0, "the resource names the service and the silo");
    }
}
