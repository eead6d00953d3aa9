using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Acd.Twilio.Fake;

/// <summary>Serves HTTP requests from the fake without a socket: the request is handed to its handler as an HttpContext.</summary>
internal sealed class InMemoryHandler(FakeTwilio fake) : HttpMessageHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var context = new DefaultHttpContext();
        var uri = request.RequestUri!;
        context.Request.Method = request.Method.Method;
        context.Request.Scheme = uri.Scheme;
        context.Request.Host = new HostString(uri.Host);
        context.Request.Path = uri.AbsolutePath;
        context.Request.QueryString = new QueryString(uri.Query);
        foreach (var (name, values) in request.Headers)
        {
            context.Request.Headers[name] = new StringValues([.. values]);
        }
        if (request.Content is { } content)
        {
            foreach (var (name, values) in content.Headers)
            {
                context.Request.Headers[name] = new StringValues([.. values]);
            }
            context.Request.Body = new MemoryStream(await content.ReadAsByteArrayAsync(cancellationToken));
        }
        var body = new MemoryStream();
        context.Response.Body = body;
        await fake.HandleAsync(context);
        var response = new HttpResponseMessage((System.Net.HttpStatusCode)context.Response.StatusCode)
        {
            RequestMessage = request,
            Content = new ByteArrayContent(body.ToArray()),
        };
        foreach (var (name, values) in context.Response.Headers)
        {
            if (!response.Headers.TryAddWithoutValidation(name, [.. values]))
            {
                response.Content.Headers.TryAddWithoutValidation(name, [.. values]);
            }
        }
        return response;
    }
}
