using Acd.Api;
using Acd.Api.Security;
using Acd.Api.WorkspaceFile;
using Acd.Silo;
using Acd.Silo.Database;
using Serilog;

var builder = WebApplication.CreateBuilder(args);
switch (args)
{
    case ["token", ..]:
        return TokenCommand.Run(args, builder.Configuration, builder.Environment, Console.Out, Console.Error);
    case ["db", ..]:
        return await DatabaseCommand.RunAsync(args, builder.Configuration);
    case ["holidays", ..]:
        return await HolidaysCommand.RunAsync(args, builder.Configuration);
}

try
{
    Acd.Api.Http.StartupChecks.Run(builder.Configuration);
    WorkspaceFileLoader.Locate(builder.Configuration, builder.Environment.ContentRootPath);
    await builder.MigrateIfAskedAsync();
    builder.AddAcdLogging();
    builder.AddAcdSilo();
    builder.AddAcdApi();

    var app = builder.Build();
    app.MapAcdApi();
    await app.RunAsync();
    return 0;
}
catch (Exception e) when (e is WorkspaceFileException or AcdStartupException or Npgsql.NpgsqlException or Microsoft.Extensions.Options.OptionsValidationException)
{
    // Acd does not start half-configured: say what to fix, exit non-zero.
    Console.Error.WriteLine($"Acd did not start: {e.Message}");
    Log.Fatal("Acd did not start: {Reason}", e.Message);
    return 1;
}
finally
{
    await Log.CloseAndFlushAsync();
}

/// <summary>The program, visible to WebApplicationFactory in tests.</summary>
public partial class Program;
