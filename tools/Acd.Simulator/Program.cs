using System.Text.Json.Nodes;
using Acd.Simulator;
using Acd.Twilio.Fake;

return await SimulatorOptions.Command(RunAsync).Parse(args).InvokeAsync();

static async Task<int> RunAsync(SimulatorOptions options, CancellationToken cancellation)
{
    // Ctrl+C stops arrivals and drains (System.CommandLine hands it over as the cancellation).
    var stop = cancellation;

    // The fake Twilio: Acd's REST requests come here; the callers' webhooks and the signed callbacks go from here to Acd.
    await using var twilio = await FakeTwilio.StartAsync(url: $"http://127.0.0.1:{options.TwilioPort}");
    AcdProcess? started = null;
    try
    {
        Uri acd;
        if (options.Acd is { } given)
        {
            acd = given;
        }
        else
        {
            Console.WriteLine($"Starting Acd on http://localhost:{options.AcdPort} (in memory), its Twilio at {twilio.BaseUrl} …");
            started = await AcdProcess.StartAsync(options, twilio.BaseUrl, twilio.AccountSid, twilio.AuthToken);
            acd = started.Url;
        }
        var token = options.Token ?? await AcdProcess.DevTokenAsync(acd);
        using var api = Simulation.Api(acd, token);
        using var simulation = new Simulation(options, twilio, acd, api);
        twilio.Send = simulation.Timed(twilio.Send);
        await simulation.ConfigureAsync();

        var supervisorToken = await DevTokenOrNullAsync(acd);
        Console.WriteLine($"Dashboard: {acd}dashboard/{(supervisorToken is null ? "" : "#token=" + supervisorToken)}");
        Console.WriteLine($"Simulating {options.CallsPerMinute:0.#} calls/min for {(options.Minutes > 0 ? $"{options.Minutes:0.#} min" : "ever (Ctrl+C stops)")}, {options.Agents} agents, talk {options.TalkSeconds:0} s, patience {options.PatienceSeconds:0} s, seed {options.Seed}");
        var view = new LiveView();
        JsonObject? latest = null;
        var reading = false;
        await simulation.RunAsync(s =>
        {
            view.Draw(s, latest);
            if (!reading)
            {
                reading = true;
                _ = Task.Run(async () =>
                {
                    latest = await s.StatisticsAsync() ?? latest;
                    reading = false;
                });
            }
        }, stop);

        var statistics = await simulation.StatisticsAsync();
        Report.Print(Console.Out, options, simulation, statistics);
        return 0;
    }
    finally
    {
        if (started is not null)
        {
            await started.DisposeAsync();
        }
    }
}

static async Task<string?> DevTokenOrNullAsync(Uri acd)
{
    try
    {
        using var http = new HttpClient { BaseAddress = acd };
        using var response = await http.PostAsync(new Uri("/dev/token", UriKind.Relative), new StringContent("""{"role":"supervisor","sub":"simulator"}""", System.Text.Encoding.UTF8, "application/json"));
        return response.IsSuccessStatusCode ? JsonNode.Parse(await response.Content.ReadAsStringAsync())!["token"]!.GetValue<string>() : null;
    }
    catch (HttpRequestException)
    {
        return null;
    }
}
