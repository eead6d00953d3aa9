using System.Diagnostics;

namespace Acd.Api;

/// <summary>
/// Acd's traces: a call from its webhook (ASP.NET Core's <c>Microsoft.AspNetCore</c>) through the grains (Orleans'
/// activity propagation) to the Twilio request it caused (<c>Acd</c>'s span around the paced request, and
/// <c>System.Net.Http</c>'s own). Exported over OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set.
/// </summary>
public static class AcdTracing
{
    public const string SourceName = "Acd";

    public static readonly ActivitySource Source = new(SourceName, "1.0");

    /// <summary>Every source a call's trace passes through.</summary>
    public static readonly string[] Sources = [SourceName, "Microsoft.AspNetCore", "System.Net.Http", "Microsoft.Orleans.Runtime", "Microsoft.Orleans.Application"];
}
