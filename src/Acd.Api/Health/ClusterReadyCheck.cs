using Acd.Grains.Workspace;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Acd.Api.Health;

/// <summary>Ready when the Orleans cluster answers: the router grain (which every route goes through) responds in time.</summary>
internal sealed class ClusterReadyCheck(IGrainFactory grains) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await grains.Router().PingAsync().WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);
            return HealthCheckResult.Healthy("The router answers");
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy($"The router does not answer: {e.Message}");
        }
    }
}
