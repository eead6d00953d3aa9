using Acd.Grains.Infrastructure;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using Orleans.Storage;

namespace Acd.Api.Http;

/// <summary>
/// Failures of the parts under Acd, as ProblemDetails a client can act on instead of a bare 500:
/// storage down or a silo lost mid-request → 503 with <c>Retry-After</c> (nothing was changed; Twilio moves to the
/// number's fallback URL); another writer changed the record (Orleans' ETag check) → 409, reload and retry.
/// </summary>
internal sealed class UnavailableHandler(ILogger<UnavailableHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        var (status, title, detail) = Classify(exception);
        if (status == 0)
        {
            return false;
        }
        logger.LogWarning("{Method} {Path}: {Status} {Title}: {Detail}", context.Request.Method, context.Request.Path, status, title, detail);
        if (status == StatusCodes.Status503ServiceUnavailable)
        {
            context.Response.Headers.RetryAfter = "5";
        }
        await TypedResults.Problem(detail: detail, statusCode: status, title: title).ExecuteAsync(context);
        return true;
    }

    private static (int Status, string Title, string Detail) Classify(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case InconsistentStateException:
                    return (StatusCodes.Status409Conflict, "Changed concurrently",
                        "The record was changed by someone else while this request ran; nothing was changed by it. Reload and try again.");
                case StorageUnavailableException:
                    return (StatusCodes.Status503ServiceUnavailable, "Storage unavailable", $"{e.Message}. Nothing was changed; try again shortly.");
                case OrleansException when e.Message.StartsWith("Error from storage provider", StringComparison.Ordinal):
                case System.Data.Common.DbException:
                    // Loading a grain's stored state failed (Orleans wraps the provider's error).
                    return (StatusCodes.Status503ServiceUnavailable, "Storage unavailable", "Storage could not be read. Nothing was changed; try again shortly.");
                case SiloUnavailableException or OrleansMessageRejectionException:
                    return (StatusCodes.Status503ServiceUnavailable, "Cluster node unavailable",
                        "A node of the Acd cluster was lost during this request; its work is moving to the others. Try again shortly.");
                case TimeoutException:
                    return (StatusCodes.Status503ServiceUnavailable, "Timed out", "Acd did not answer in time. Try again shortly.");
            }
        }
        return (0, "", "");
    }
}
