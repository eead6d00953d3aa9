using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Acd.Api.Tests.Infrastructure;

/// <summary>Small helpers so tests read as requests and what came back.</summary>
public static class Http
{
    public static async Task<(HttpStatusCode Status, JsonNode? Body)> SendAsync(this HttpClient client, HttpMethod method, string url, object? body = null)
    {
        using var request = new HttpRequestMessage(method, url);
        if (body is string raw)
        {
            request.Content = new StringContent(raw, Encoding.UTF8, "application/json");
        }
        else if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }
        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, string.IsNullOrWhiteSpace(text) ? null : JsonNode.Parse(text));
    }

    public static Task<(HttpStatusCode Status, JsonNode? Body)> PutJsonAsync(this HttpClient client, string url, object body) => client.SendAsync(HttpMethod.Put, url, body);

    public static Task<(HttpStatusCode Status, JsonNode? Body)> PostJsonAsync(this HttpClient client, string url, object? body = null) => client.SendAsync(HttpMethod.Post, url, body ?? new { });

    public static Task<(HttpStatusCode Status, JsonNode? Body)> GetJsonAsync(this HttpClient client, string url) => client.SendAsync(HttpMethod.Get, url);

    public static Task<(HttpStatusCode Status, JsonNode? Body)> DeleteJsonAsync(this HttpClient client, string url) => client.SendAsync(HttpMethod.Delete, url);

    /// <summary>Asserts a ProblemDetails with the status and the field it names.</summary>
    public static JsonNode AssertProblem(this (HttpStatusCode Status, JsonNode? Body) response, HttpStatusCode status, string field)
    {
        Assert.True(response.Status == status, $"expected {status}, got {response.Status}: {response.Body?.ToJsonString()}");
        var body = response.Body!;
        Assert.Equal((int)status, body["status"]!.GetValue<int>());
        Assert.Equal(field, body["field"]?.GetValue<string>());
        if (status == HttpStatusCode.BadRequest)
        {
            Assert.NotNull(body["errors"]![field]);
        }
        return body;
    }

    public static JsonNode AssertOk(this (HttpStatusCode Status, JsonNode? Body) response, HttpStatusCode status = HttpStatusCode.OK)
    {
        Assert.True(response.Status == status, $"expected {status}, got {response.Status}: {response.Body?.ToJsonString()}");
        return response.Body!;
    }

    public static string Str(this JsonNode node, string property) => node[property]?.GetValue<string>()!;

    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web);
}
