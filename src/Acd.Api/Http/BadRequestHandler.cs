using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;

namespace Acd.Api.Http;

/// <summary>
/// Malformed JSON bodies (a string where a number belongs, broken syntax, a field Acd does not know) become a 400
/// ProblemDetails naming the field from the JSON path, instead of the framework's bare 400.
/// </summary>
internal sealed partial class BadRequestHandler : IExceptionHandler
{
    [System.Text.RegularExpressions.GeneratedRegex("^The JSON property '([^']*)' could not be mapped", System.Text.RegularExpressions.RegexOptions.CultureInvariant)]
    private static partial System.Text.RegularExpressions.Regex UnknownField();

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
            if (UnknownField().Match(json.Message) is { Success: true } unknown)
            {
                var name = unknown.Groups[1].Value;
                field = field == "body" ? name : field.EndsWith(name, StringComparison.Ordinal) ? field : $"{field}.{name}";
                var snake = System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(name);
                detail = snake != name ? $"Unknown field '{name}'; Acd's fields are snake_case: '{snake}'?" : $"Unknown field '{name}'";
            }
            else
            {
                detail = json.Message.StartsWith("The JSON value could not be converted", StringComparison.Ordinal)
                    ? "Wrong type of value for this field (a number, string, boolean, list or object is expected as documented)"
                    : json.Message.Split(" Path:")[0];
            }
        }
        var result = Problems.Invalid(field, detail);
        await result.ExecuteAsync(context);
        return true;
    }

    /// <summary><c>$.attributes.skills</c> → <c>attributes.skills</c>; an empty path is the body itself.</summary>
    internal static string FieldOf(string? path) =>
        string.IsNullOrEmpty(path) || path == "$" ? "body" : path.TrimStart('$', '.');
}
