using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;

namespace Acd.Api.Http;

/// <summary>
/// Malformed JSON bodies (a string where a number belongs, broken syntax) become a 400 ProblemDetails naming the
/// field from the JSON path, instead of the framework's bare 400.
/// </summary>
internal sealed class BadRequestHandler : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not BadHttpRequestException bad)
        {
            return false;
        }
        var field = "body";
        var detail = bad.Message;
        if (bad.InnerException is JsonException json)
        {
            field = FieldOf(json.Path);
            detail = json.Message.StartsWith("The JSON value could not be converted", StringComparison.Ordinal)
                ? "Wrong type of value for this field (a number, string, boolean, list or object is expected as documented)"
                : json.Message.Split(" Path:")[0];
        }
        var result = Problems.Invalid(field, detail);
        await result.ExecuteAsync(context);
        return true;
    }

    /// <summary><c>$.attributes.skills</c> → <c>attributes.skills</c>; an empty path is the body itself.</summary>
    internal static string FieldOf(string? path) =>
        string.IsNullOrEmpty(path) || path == "$" ? "body" : path.TrimStart('$', '.');
}
