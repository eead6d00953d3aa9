using System.Security.Claims;

namespace Acd.Api.Security;

/// <summary>Who is asking, as the token says.</summary>
public static class AcdUser
{
    public static string? Id(this ClaimsPrincipal user) => user.FindFirst("sub")?.Value;

    public static bool IsAdmin(this ClaimsPrincipal user) => user.IsInRole(Roles.Admin);

    public static bool IsSupervisor(this ClaimsPrincipal user) => user.IsInRole(Roles.Supervisor) || user.IsInRole(Roles.Admin);

    /// <summary>An agent may act on themselves; supervisors and admins on anyone.</summary>
    public static bool MayActAs(this ClaimsPrincipal user, string agentId) => user.IsSupervisor() || user.Id() == agentId;

    public static IResult Forbidden(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden", detail: detail);
}
