namespace Acd.Api.Twilio;

/// <summary>
/// Sends the SDK's requests to <c>Twilio:ApiBaseUrl</c> (a fake Twilio in tests), keeping path and query. The host
/// the SDK meant is kept in <c>X-Forwarded-Host</c>, so a test can assert which Twilio host Acd really targets.
/// </summary>
public sealed class ApiBaseUrlHandler(Uri baseUrl) : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.RequestUri is { } uri)
        {
            request.Headers.Remove("X-Forwarded-Host");
            request.Headers.TryAddWithoutValidation("X-Forwarded-Host", uri.Host);
            request.RequestUri = new UriBuilder(uri) { Scheme = baseUrl.Scheme, Host = baseUrl.Host, Port = baseUrl.Port }.Uri;
        }
        return base.SendAsync(request, cancellationToken);
    }
}
