using Acd.Api;
using Acd.Api.WorkspaceFile;
using Acd.Silo;
using Serilog;

var builder = WebApplication.CreateBuilder(args);
builder.AddAcdLogging();
builder.AddAcdSilo();
builder.AddAcdApi();

var app = builder.Build();
app.MapAcdApi();

try
{
    app.Run();
    return 0;
}
catch (WorkspaceFileException e)
{
    Log.Fatal("Acd did not start: {Reason}", e.Message);
    return 1;
}
finally
{
    Log.CloseAndFlush();
}

/// <summary>The program, visible to WebApplicationFactory in tests.</summary>
public partial class Program;
