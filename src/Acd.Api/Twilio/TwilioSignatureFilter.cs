using System.Collections.Specialized;
using Microsoft.Extensions.Options;
using global::Twilio.Security;

namespace Acd.Api.Twilio;

/// <summary>
/// Checks <c>X-Twilio-Signature</c> (design rule 9) with Twilio's own validator: HMAC-SHA1 over the public URL
/// (<c>Twilio:PublicBaseUrl</c> + path + query) and the sorted form parameters, accepting the URL with and
/// without an explicit port as the validator does. A missing or bad signature is a 403 and nothing happens.
/// </summary>
public sealed class TwilioSignatureFilter(IOptions<TwilioOptions> options, RejectedWebhooks rejected) : IEndpointFilter
{
    /// <summary>
    /// The largest webhook body taken: Twilio's forms are a few KB (an IVR's attributes included); anything near this is
    /// not Twilio, and is refused before it is read, signature or not.
    /// </summary>
    public const long MaxBodyBytes = 256 * 1024;

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var settings = options.Value;
        var request = context.HttpContext.Request;
        if (!request.HasFormContentType && (request.ContentLength is > 0 || request.Headers.TransferEncoding.Count > 0))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported Media Type",
                detail: $"Twilio's webhooks are form posts (application/x-www-form-urlencoded), not '{request.ContentType}'");
        }
        if (request.ContentLength > MaxBodyBytes)
        {
            return TooLarge();
        }
        if (context.HttpContext.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = MaxBodyBytes;
        }
        IFormCollection? read = null;
        if (request.HasFormContentType)
        {
            try
            {
                // Read here, for the endpoint too (ASP.NET keeps it): a form over the limits is a 413, never a 500.
                read = await request.ReadFormAsync(new Microsoft.AspNetCore.Http.Features.FormOptions { ValueLengthLimit = (int)MaxBodyBytes, KeyLengthLimit = 2048 }, context.HttpContext.RequestAborted);
            }
            catch (Exception e) when (e is InvalidDataException or BadHttpRequestException)
            {
                return TooLarge();
            }
        }
        if (!settings.ValidateSignatures)
        {
            return await next(context);
        }
        var signature = request.Headers["X-Twilio-Signature"].ToString();
        var url = PublicUrl(request, settings);
        var form = new NameValueCollection();
        foreach (var (key, values) in read ?? FormCollection.Empty)
        {
            foreach (var value in values)
            {
                form.Add(key, value);
            }
        }
        if (string.IsNullOrEmpty(signature) || string.IsNullOrEmpty(settings.AuthToken)
            || !new[] { settings.AuthToken, settings.PreviousAuthToken }.OfType<string>().Where(t => t.Length > 0)
                .Any(token => new RequestValidator(token).Validate(url, form, signature) || RepeatedParametersMatch(token, url, form, signature)))
        {
            rejected.Add(url, string.IsNullOrEmpty(signature) ? "no X-Twilio-Signature" : "bad X-Twilio-Signature");
            return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden", detail: "X-Twilio-Signature is missing or does not match");
        }
        return await next(context);
    }

    private static Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult TooLarge() =>
        TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Payload Too Large",
            detail: $"A webhook is at most {MaxBodyBytes / 1024} KB; Twilio's are a few KB");

    /// <summary>
    /// A repeated parameter (<c>a=1&amp;a=2</c>): the SDK's validator joins its values with commas, while Twilio's
    /// other libraries append the name and each value, values sorted. Both are Twilio's; the second is checked here,
    /// with and without the URL's explicit port, as the validator does for the first.
    /// </summary>
    private static bool RepeatedParametersMatch(string authToken, string url, NameValueCollection form, string signature)
    {
        if (form.AllKeys.All(k => (form.GetValues(k)?.Length ?? 0) <= 1))
        {
            return false;
        }
        var data = new System.Text.StringBuilder();
        foreach (var key in form.AllKeys.OfType<string>().Order(StringComparer.Ordinal))
        {
            foreach (var value in form.GetValues(key)!.Order(StringComparer.Ordinal))
            {
                data.Append(key).Append(value);
            }
        }
        var uri = new Uri(url);
        var other = uri.IsDefaultPort && !url.Contains($":{uri.Port}/", StringComparison.Ordinal)
            ? new UriBuilder(uri) { Port = uri.Port }.Uri.GetComponents(UriComponents.AbsoluteUri, UriFormat.UriEscaped).Replace($"{uri.Host}/", $"{uri.Host}:{uri.Port}/", StringComparison.Ordinal)
            : new UriBuilder(uri) { Port = -1 }.Uri.ToString();
        var expected = System.Text.Encoding.UTF8.GetBytes(signature);
        foreach (var candidate in new[] { url, other })
        {
#pragma warning disable CA5350 // Twilio's signature is HMAC-SHA1 by definition.
            var computed = Convert.ToBase64String(System.Security.Cryptography.HMACSHA1.HashData(System.Text.Encoding.UTF8.GetBytes(authToken), System.Text.Encoding.UTF8.GetBytes(candidate + data)));
#pragma warning restore CA5350
            if (System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(System.Text.Encoding.UTF8.GetBytes(computed), expected))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>The URL Twilio requested, as Twilio saw it: behind a proxy that is PublicBaseUrl, not the local address.</summary>
    public static string PublicUrl(HttpRequest request, TwilioOptions settings)
    {
        var baseUrl = string.IsNullOrWhiteSpace(settings.PublicBaseUrl)
            ? $"{request.Scheme}://{request.Host}{request.PathBase}"
            : settings.PublicBaseUrl.TrimEnd('/');
        return baseUrl + request.Path + request.QueryString;
    }
}
