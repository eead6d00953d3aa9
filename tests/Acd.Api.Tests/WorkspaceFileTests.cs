using System.Net;
using Acd.Api.Tests.Infrastructure;
using Acd.Api.WorkspaceFile;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Acd.Api.Tests;

public sealed class WorkspaceFileTests
{
    private static string Example => Path.Combine(AppContext.BaseDirectory, "examples", "workspace.json");

    [Fact]
    public async Task TheExampleFileConfiguresTheWorkspaceAtStart()
    {
        await using var app = new AcdAppFactory().With("Acd:WorkspaceFile", Example);
        var http = app.CreateClient();

        var queues = (await http.GetJsonAsync("/api/queues")).AssertOk().AsArray().Select(q => q!.Str("id")).ToList();
        Assert.Equal(["support-ja", "support-en", "billing", "vip"], queues);
        var workflow = (await http.GetJsonAsync("/api/workflows/inbound")).AssertOk();
        Assert.Equal(20, workflow["task_reservation_timeout"]!.GetValue<int>());
        var alice = (await http.GetJsonAsync("/api/agents/alice")).AssertOk();
        Assert.Equal(("Available", "client:alice"), (alice.Str("activity"), alice.Str("contact_uri")));
        var activities = (await http.GetJsonAsync("/api/activities")).AssertOk().AsArray().Select(a => a!.Str("friendly_name")).ToList();
        Assert.Contains("Lunch", activities);
        var tokyo = (await http.GetJsonAsync("/api/schedules/tokyo/calendar?from=2026-08-12&to=2026-08-16")).AssertOk();
        Assert.Equal(["2026-08-13 closure 夏季休業", "2026-08-14 closure 夏季休業", "2026-08-15 closure 夏季休業", "2026-08-16 outside-hours "],
            tokyo["closed"]!.AsArray().Select(d => $"{d!.Str("date")} {d!.Str("reason")} {d!.Str("name")}"));

        // A billing call (Digits=1) goes to the best biller who is available: alice (4), not bob (2, below the queue's 3).
        var call = (await http.PostJsonAsync("/api/calls", new { id = "ex1", attributes = new Dictionary<string, string> { ["Digits"] = "1" } })).AssertOk(HttpStatusCode.Created);
        Assert.Equal(("billing", "alice"), (call.Str("queue_id"), call.Str("offered_to")));
    }

    [Fact]
    public async Task ReapplyingTheFileKeepsWhatAgentsSet()
    {
        await using var app = new AcdAppFactory().With("Acd:WorkspaceFile", Example);
        var http = app.CreateClient();
        (await http.PutJsonAsync("/api/agents/bob/activity", new { activity = "Lunch" })).AssertOk();
        (await http.PutJsonAsync("/api/queues/vip", new { target_workers = "1==1" })).AssertOk();

        var loader = app.Services.GetServices<IHostedService>().OfType<WorkspaceFileLoader>().Single();
        await loader.StartAsync(CancellationToken.None);

        Assert.Equal("Lunch", (await http.GetJsonAsync("/api/agents/bob")).AssertOk().Str("activity"));
        Assert.Equal("vip == true", (await http.GetJsonAsync("/api/queues/vip")).AssertOk().Str("target_workers"));
    }

    [Theory]
    [InlineData("""{"task_queues":[{"id":"q","target_workers":"skills HAS"}]}""", "task_queues[0] (q): target_workers: Unexpected end of expression at position 10")]
    [InlineData("""{"task_queues":[{"id":"q"},{"id":"q"}]}""", "task_queues[1] (q): id: 'q' appears twice")]
    [InlineData("""{"task_queues":[{"id":"q"}],"workflows":[{"id":"w","configuration":{"task_routing":{"default_filter":{"queue":"nope"}}}}]}""", "workflows[0] (w): configuration: routes to queue 'nope'")]
    [InlineData("""{"task_queues":[{"id":"q"}],"workflows":[{"id":"w","configuration":{"task_routing":{"filters":[{"expression":"a ==","targets":[{"queue":"q"}]}]}}}]}""", "workflows[0] (w): configuration.task_routing.filters[0].expression:")]
    [InlineData("""{"workers":[{"id":"a","activity":"Dancing"}]}""", "workers[0] (a): activity: No activity 'Dancing'")]
    [InlineData("""{"task_queues":[{"id":"q","target_workers":"DEEP"}]}""", "task_queues[0] (q): target_workers: Nested more than 64 levels deep at position 64")]
    [InlineData("""{"workers":[{"id":"a","attributes":{"contact_uri":"call me"}}]}""", "workers[0] (a): attributes.contact_uri:")]
    [InlineData("""{"activities":[{"friendly_name":"Available","available":false}]}""", "activities[0] (Available): available:")]
    [InlineData("""{"task_queues":[{"id":"q","max_length":"ten"}]}""", "task_queues[0].max_length:")]
    [InlineData("""{"schedules":[{"id":"s","weekly":[{"days":["Someday"],"open":"09:00","close":"18:00"}]}]}""", "schedules[0] (s): weekly[0].days[0]: Must be one of Mon")]
    [InlineData("""{"schedules":[{"id":"s","time_zone":"Mars/Olympus"}]}""", "schedules[0] (s): time_zone: Unknown time zone 'Mars/Olympus'")]
    [InlineData("""{"schedules":[{"weekly":[]}]}""", "schedules[0]: id:")]
    public void AFileWithAnErrorIsRejectedNamingTheFileItemAndField(string json, string expected)
    {
        // DEEP: an expression nested 5,000 levels (it once overflowed the stack and killed the process).
        json = json.Replace("DEEP", string.Concat(Enumerable.Repeat("(", 5000)) + "1==1" + string.Concat(Enumerable.Repeat(")", 5000)), StringComparison.Ordinal);
        var error = Assert.Throws<WorkspaceFileException>(() =>
            WorkspacePlan.Read("/etc/acd/workspace.json", json, new Acd.Grains.Abstractions.AcdOptions(), new HashSet<string>(), new HashSet<string>()));
        Assert.StartsWith("Workspace file /etc/acd/workspace.json: ", error.Message);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public async Task AcdRefusesToStartHalfConfigured()
    {
        var path = Path.Combine(Path.GetTempPath(), $"acd-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(path, """{"task_queues":[{"id":"good"},{"id":"bad","target_workers":"languages HAS"}]}""");
        try
        {
            await using var silo = SiloProcess.Start(new Dictionary<string, string> { ["Acd__WorkspaceFile"] = path });
            var exitCode = await silo.WaitForExitAsync(TimeSpan.FromSeconds(60));
            Assert.Equal(1, exitCode);
            Assert.Contains($"Workspace file {path}: task_queues[1] (bad): target_workers: Unexpected end of expression at position 13", silo.Output);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
