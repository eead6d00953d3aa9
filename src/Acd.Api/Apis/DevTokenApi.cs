using Acd.Api.Http;
using Acd.Api.Security;
using Microsoft.AspNetCore.Routing;

namespace Acd.Api.Apis;

/// <summary>Development only: mints a token so the two-command start and the curl walkthrough work with no setup.</summary>
public static class DevTokenApi
{
    public static IEndpointRouteBuilder MapDevTokenApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/dev/token", IResult (DevTokenRequest body, TokenIssuer issuer) =>
        {
            var role = body.Role ?? Roles.Admin;
            if (role is not (Roles.Agent or Roles.Supervisor or Roles.Admin))
            {
                return Problems.Invalid("role", "agent, supervisor or admin");
            }
            var subject = body.Sub ?? role;
            if (Problems.CheckId(subject, "sub") is { } bad)
            {
                return bad;
            }
            var token = issuer.Issue(subject, [role], TimeSpan.FromHours(Math.Clamp(body.Hours ?? 12, 1, 24)));
            return TypedResults.Ok(new { token, sub = subject, role });
        }).AllowAnonymous().WithTags("Development").WithSummary("Development only: a token for a role (agent, supervisor, admin) and a subject (the agent's id).");
        return app;
    }
}

/// <summary>What token to mint.</summary>
/// <param name="Role">agent, supervisor or admin (default admin).</param>
/// <param name="Sub">The subject: an agent's or supervisor's id (default: the role's name).</param>
/// <param name="Hours">Lifetime, 1–24 hours (default 12).</param>
public sealed record DevTokenRequest(string? Role, string? Sub, int? Hours);
