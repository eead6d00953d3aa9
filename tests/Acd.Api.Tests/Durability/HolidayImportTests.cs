using System.Text;
using Acd.Api.Tests.Infrastructure;

namespace Acd.Api.Tests.Durability;

/// <summary>The Cabinet Office's list imported with <c>holidays import FILE</c>, as it is published (Shift_JIS), into PostgreSQL.</summary>
[Collection(PostgresCollection.Name)]
public sealed class HolidayImportTests
{
    [Fact]
    public async Task AnImportedListDecidesItsYearsForTheNodesThatStartAfterIt()
    {
        await using var db = await PostgresDatabase.CreateAsync();
        var environment = new Dictionary<string, string> { ["ConnectionStrings__Acd"] = db.ConnectionString };
        // Suppose the law moves スポーツの日 of 2027 to a new date and adds a day: the published list says so first.
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        var csv = Encoding.GetEncoding("shift_jis").GetBytes("国民の祝日・休日月日,国民の祝日・休日名称\r\n2027/1/1,元日\r\n2027/6/15,新しい祝日\r\n2027/10/18,スポーツの日\r\n");
        var file = Path.Combine(Path.GetTempPath(), $"syukujitsu-{Guid.NewGuid():N}.csv");
        await File.WriteAllBytesAsync(file, csv);
        try
        {
            var imported = await SiloProcess.RunCommandAsync(environment, "holidays", "import", file);
            Assert.True(imported.ExitCode == 0, imported.Errors);
            Assert.Contains("Imported 3 holidays for 2027–2027", imported.Output);

            var listed = await SiloProcess.RunCommandAsync(environment, "holidays", "list", "2027");
            Assert.Equal("2027: imported\n2027-01-01 Fri 元日\n2027-06-15 Tue 新しい祝日\n2027-10-18 Mon スポーツの日", listed.Output.ReplaceLineEndings("\n"));
            var computed = await SiloProcess.RunCommandAsync(environment, "holidays", "list", "2026");
            Assert.Contains("2026-09-22 Tue 国民の休日", computed.Output);

            await using var cluster = await AcdCluster.StartAsync(db.ConnectionString);
            var node = await cluster.StartNodeAsync();
            (await node.Http.PutJsonAsync("/api/schedules/tokyo", new { weekly = new[] { new { days = new[] { "Mon", "Tue", "Wed", "Thu", "Fri" }, open = "09:00", close = "18:00" } } })).AssertOk();
            var calendar = (await node.Http.GetJsonAsync("/api/schedules/tokyo/calendar?from=2027-06-14&to=2027-06-16")).AssertOk();
            Assert.Equal(["2027-06-15 holiday 新しい祝日"], calendar["closed"]!.AsArray().Select(d => $"{d!.Str("date")} {d!.Str("reason")} {d!.Str("name")}"));
            // 2027-10-11, the computed スポーツの日, is an ordinary Monday now.
            var october = (await node.Http.GetJsonAsync("/api/schedules/tokyo/calendar?from=2027-10-11&to=2027-10-11")).AssertOk();
            Assert.Empty(october["closed"]!.AsArray());
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task AFileThatIsNotTheListIsRefusedNamingTheLineAndNothingIsImported()
    {
        await using var db = await PostgresDatabase.CreateAsync();
        var environment = new Dictionary<string, string> { ["ConnectionStrings__Acd"] = db.ConnectionString };
        var file = Path.Combine(Path.GetTempPath(), $"syukujitsu-{Guid.NewGuid():N}.csv");
        await File.WriteAllTextAsync(file, "日付,名称\n2027/1/1,元日\nnot a date,x\n");
        try
        {
            var refused = await SiloProcess.RunCommandAsync(environment, "holidays", "import", file);
            Assert.Equal(1, refused.ExitCode);
            Assert.Contains("Line 3 is not 'yyyy/M/d,name'", refused.Errors);
            var listed = await SiloProcess.RunCommandAsync(environment, "holidays", "list", "2027");
            Assert.StartsWith("2027: computed by the law", listed.Output);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
