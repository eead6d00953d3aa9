using Acd.Grains.Abstractions;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Acd.Api.Http;

/// <summary>Turns a domain <see cref="Problem"/> into ProblemDetails: 400 names the field in <c>errors</c>, 404/409 in <c>field</c>.</summary>
public static class Problems
{
    public static ProblemHttpResult ToResult(this Problem problem)
    {
        var status = problem.Kind switch
        {
            ProblemKind.NotFound => StatusCodes.Status404NotFound,
            ProblemKind.Conflict => StatusCodes.Status409Conflict,
            _ => StatusCodes.Status400BadRequest,
        };
        var extensions = new Dictionary<string, object?>();
        if (problem.Field is { } field)
        {
            extensions["field"] = field;
            if (status == StatusCodes.Status400BadRequest)
            {
                extensions["errors"] = new Dictionary<string, string[]> { [field] = [problem.Detail] };
            }
        }
        return TypedResults.Problem(
            detail: problem.Field is null ? problem.Detail : $"{problem.Field}: {problem.Detail}",
            statusCode: status,
            title: status switch
            {
                StatusCodes.Status404NotFound => "Not found",
                StatusCodes.Status409Conflict => "Conflict",
                _ => "Invalid request",
            },
            extensions: extensions);
    }

    public static ProblemHttpResult Invalid(string field, string detail) => Problem.Invalid(field, detail).ToResult();

    public static ProblemHttpResult NotFound(string detail) => Problem.NotFound(detail).ToResult();

    /// <summary>Route ids follow the same rule as configured ids.</summary>
    public static ProblemHttpResult? CheckId(string id, string field = "id") =>
        Ids.IsValid(id) ? null : Invalid(field, Ids.Rule);
}
