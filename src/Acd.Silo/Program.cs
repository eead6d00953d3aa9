using Acd.Api;
using Acd.Api.Security;
using Acd.Api.WorkspaceFile;
using Acd.Silo;
using Serilog;

var builder = WebApplication.CreateBuilder(args);
if (args is ["token", ..])
{
    return TokenCommand.Run(args, builder.Configuration, builder.Environment, Console.Out, Console.Error);
}

try
{
    builder.AddAcdLogging();
    builder.AddAcdSilo();
    builder.AddAcdApi();

    var app = builder.Build();
    app.MapAcdApi();
    app.Run();
    return 0;
}
catch (Exception e) when (e is WorkspaceFileException or AcdStartupException)
{
    // Acd does not start half-configured: say what to fix, exit non-zero.
    Console.Error.WriteLine($"Acd did not start: {e.Message}");
    Log.Fatal("Acd did not start: {Reason}", e.Message);
    return 1;
}
finally
{
    Log.CloseAndFlush();
}

/// <summary>The program, visible to WebApplicationFactory in tests.</summary>
public partial class Program;
