using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Acd.Api.Http;

/// <summary>
/// What the generated OpenAPI document does not know by itself: the bearer scheme and which operations need it, the
/// ProblemDetails every operation may answer with (400 naming the field, 401, 403, 404, 409, 413, 415, 503), and the
/// form fields of Twilio's webhooks.
/// </summary>
public sealed class OpenApiDescription : IOpenApiDocumentTransformer
{
    private const string Bearer = "Bearer";
    private const string Problem = "ProblemDetails";

    /// <summary>Open to anyone: Twilio (checked by signature instead), health, metrics, the document, the dashboard's files.</summary>
    private static readonly string[] Anonymous = ["/twilio/", "/health", "/metrics", "/openapi", "/dashboard", "/dev/token"];

    /// <summary>The form fields each webhook reads (Twilio sends more; they are kept as the call's attributes or ignored).</summary>
    private static readonly Dictionary<string, (string[] Fields, string[] Required)> Webhooks = new(StringComparer.Ordinal)
    {
        ["/twilio/voice/incoming"] = (["CallSid", "AccountSid", "From", "To", "CallStatus", "Direction", "ForwardedFrom", "CallerName", "Digits", "SpeechResult", "attributes"], ["CallSid"]),
        ["/twilio/voice/wait"] = (["CallSid", "AccountSid", "ConferenceSid", "FriendlyName", "QueueTime"], []),
        ["/twilio/voice/hold"] = (["CallSid", "AccountSid", "ConferenceSid"], []),
        ["/twilio/call/status"] = (["CallSid", "AccountSid", "CallStatus", "SequenceNumber", "Timestamp", "CallDuration", "SipResponseCode", "ErrorCode", "AnsweredBy"], ["CallSid", "CallStatus"]),
        ["/twilio/conference/status"] = (["ConferenceSid", "FriendlyName", "StatusCallbackEvent", "CallSid", "SequenceNumber", "Timestamp", "Hold", "Muted", "Coaching", "EndConferenceOnExit", "StartConferenceOnEnter", "ReasonConferenceEnded", "ParticipantLabel"], ["ConferenceSid", "StatusCallbackEvent"]),
    };

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[Bearer] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            BearerFormat = "JWT",
            Description = "HMAC-SHA256 JWT (Auth:SigningKey) with role agent, supervisor or admin; an agent's sub is their agent id",
        };
        document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
        document.Components.Schemas[Problem] = new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Description = "RFC 9457 problem details; field names the request field at fault (400), errors lists it with its messages",
            Properties = new Dictionary<string, IOpenApiSchema>
            {
                ["type"] = new OpenApiSchema { Type = JsonSchemaType.String },
                ["title"] = new OpenApiSchema { Type = JsonSchemaType.String },
                ["status"] = new OpenApiSchema { Type = JsonSchemaType.Integer },
                ["detail"] = new OpenApiSchema { Type = JsonSchemaType.String },
                ["field"] = new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Null },
                ["errors"] = new OpenApiSchema { Type = JsonSchemaType.Object, AdditionalProperties = new OpenApiSchema { Type = JsonSchemaType.Array, Items = new OpenApiSchema { Type = JsonSchemaType.String } } },
                ["trace_id"] = new OpenApiSchema { Type = JsonSchemaType.String },
            },
        };
        var bearer = new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(Bearer, document)] = [] };
        foreach (var (path, item) in document.Paths)
        {
            foreach (var (method, operation) in item.Operations ?? [])
            {
                Describe(document, path, method, operation, bearer);
            }
        }
        return Task.CompletedTask;
    }

    private static void Describe(OpenApiDocument document, string path, HttpMethod method, OpenApiOperation operation, OpenApiSecurityRequirement bearer)
    {
        var open = Anonymous.Any(p => path.StartsWith(p, StringComparison.Ordinal));
        var webhook = path.StartsWith("/twilio/", StringComparison.Ordinal);
        var changes = method != HttpMethod.Get;
        operation.Responses ??= new OpenApiResponses();
        if (!open)
        {
            operation.Security = [bearer];
            Add(document, operation, 401, "No token, or one that is not valid");
            Add(document, operation, 403, "The token's role (or agent) may not do this");
        }
        if (changes || operation.Parameters?.Count > 0)
        {
            Add(document, operation, 400, "A field is wrong or unknown: field names it");
        }
        if (path.Contains('{', StringComparison.Ordinal))
        {
            Add(document, operation, 404, "No such resource");
        }
        if (changes && !webhook)
        {
            Add(document, operation, 409, "The state does not allow it now, or the record was changed concurrently");
        }
        if (changes)
        {
            Add(document, operation, 413, "The body is too large");
        }
        if (path.StartsWith("/api/", StringComparison.Ordinal) || webhook)
        {
            Add(document, operation, 503, "Storage or a node is unavailable for a moment: retry (Retry-After)");
        }
        if (webhook)
        {
            operation.Security = [];
            Add(document, operation, 403, "X-Twilio-Signature is missing or does not match");
            if (method != HttpMethod.Post)
            {
                return;
            }
            Add(document, operation, 415, "Not a form post");
            if (Webhooks.TryGetValue(path, out var form))
            {
                operation.RequestBody = new OpenApiRequestBody
                {
                    Required = form.Required.Length > 0,
                    Description = "Twilio's form, signed in X-Twilio-Signature",
                    Content = new Dictionary<string, OpenApiMediaType>
                    {
                        ["application/x-www-form-urlencoded"] = new OpenApiMediaType
                        {
                            Schema = new OpenApiSchema
                            {
                                Type = JsonSchemaType.Object,
                                Properties = form.Fields.ToDictionary(f => f, _ => (IOpenApiSchema)new OpenApiSchema { Type = JsonSchemaType.String }),
                                Required = new HashSet<string>(form.Required),
                            },
                        },
                    },
                };
            }
        }
    }

    private static void Add(OpenApiDocument document, OpenApiOperation operation, int status, string description)
    {
        var key = status.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (operation.Responses!.ContainsKey(key))
        {
            return;
        }
        operation.Responses[key] = new OpenApiResponse
        {
            Description = description,
            Content = new Dictionary<string, OpenApiMediaType> { ["application/problem+json"] = new OpenApiMediaType { Schema = new OpenApiSchemaReference(Problem, document) } },
        };
    }
}
