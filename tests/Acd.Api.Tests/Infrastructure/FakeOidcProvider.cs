using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Acd.Api.Tests.Infrastructure;

/// <summary>
/// An OpenID Connect provider on the loopback, speaking the protocol's wire format as Entra ID or Keycloak do:
/// discovery, JWKS (RS256), the authorization endpoint (the user is already signed in there and consents), and the token
/// endpoint (the client's secret, the one-time code, the redirect_uri and the PKCE verifier are all checked).
/// </summary>
public sealed class FakeOidcProvider : IAsyncDisposable
{
    public const string ClientId = "acd-test-client";
    public const string ClientSecret = "acd-test-client-secret";

    private readonly WebApplication _app;
    private readonly RsaSecurityKey _key = new(RSA.Create(2048)) { KeyId = "test-key-1" };
    private readonly RsaSecurityKey _otherKey = new(RSA.Create(2048)) { KeyId = "test-key-1" };
    private readonly ConcurrentDictionary<string, Grant> _codes = new();

    private sealed record Grant(string RedirectUri, string? Nonce, string Challenge, IReadOnlyDictionary<string, object> Claims);

    private FakeOidcProvider(WebApplication app)
    {
        _app = app;
    }

    public string Authority { get; private set; } = "";

    /// <summary>The claims of whoever signs in next (besides iss, aud, sub, nonce, iat, exp).</summary>
    public Dictionary<string, object> User { get; set; } = new();

    /// <summary>When set, the provider answers the authorization request with this error (e.g. access_denied).</summary>
    public string? Refuse { get; set; }

    /// <summary>When set, id tokens are signed with a key the provider does not publish (a forgery).</summary>
    public bool SignWithUnpublishedKey { get; set; }

    /// <summary>The query of each authorization request, as the browser brought it.</summary>
    public ConcurrentQueue<IQueryCollection> Authorizations { get; } = new();

    /// <summary>Codes redeemed at the token endpoint.</summary>
    public ConcurrentQueue<string> Redeemed { get; } = new();

    public static async Task<FakeOidcProvider> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var provider = new FakeOidcProvider(app);
        app.MapGet("/.well-known/openid-configuration", provider.Discovery);
        app.MapGet("/jwks", provider.Keys);
        app.MapGet("/authorize", provider.Authorize);
        app.MapPost("/token", provider.TokenAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        provider.Authority = address.TrimEnd('/');
        return provider;
    }

    private IResult Discovery() => Results.Json(new
    {
        issuer = Authority,
        authorization_endpoint = $"{Authority}/authorize",
        token_endpoint = $"{Authority}/token",
        jwks_uri = $"{Authority}/jwks",
        response_types_supported = new[] { "code" },
        response_modes_supported = new[] { "query", "form_post" },
        subject_types_supported = new[] { "public" },
        id_token_signing_alg_values_supported = new[] { "RS256" },
        code_challenge_methods_supported = new[] { "S256" },
        token_endpoint_auth_methods_supported = new[] { "client_secret_post", "client_secret_basic" },
        scopes_supported = new[] { "openid", "profile", "email" },
    });

    /// <summary>The published key: only its public half.</summary>
    private IResult Keys()
    {
        var key = JsonWebKeyConverter.ConvertFromRSASecurityKey(new RsaSecurityKey(_key.Rsa.ExportParameters(false)) { KeyId = _key.KeyId });
        return Results.Json(new { keys = new[] { new { kty = key.Kty, kid = key.Kid, use = "sig", alg = "RS256", n = key.N, e = key.E } } });
    }

    private IResult Authorize(HttpRequest request)
    {
        var query = request.Query;
        Authorizations.Enqueue(query);
        string redirectUri = query["redirect_uri"]!;
        if (query["client_id"] != ClientId || string.IsNullOrEmpty(redirectUri))
        {
            return Results.BadRequest(new { error = "invalid_request", error_description = "unknown client_id or no redirect_uri" });
        }
        var back = new StringBuilder(redirectUri).Append(redirectUri.Contains('?') ? '&' : '?');
        if (Refuse is { } error)
        {
            back.Append($"error={Uri.EscapeDataString(error)}&error_description={Uri.EscapeDataString("The user said no")}");
        }
        else if (query["response_type"] != "code" || query["code_challenge_method"] != "S256" || string.IsNullOrEmpty(query["code_challenge"]))
        {
            back.Append("error=invalid_request&error_description=code%20flow%20with%20PKCE%20S256%20only");
        }
        else
        {
            var code = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
            _codes[code] = new Grant(redirectUri, query["nonce"], query["code_challenge"]!, new Dictionary<string, object>(User));
            back.Append($"code={code}");
        }
        back.Append($"&state={Uri.EscapeDataString(query["state"].ToString())}");
        return Results.Redirect(back.ToString());
    }

    private async Task<IResult> TokenAsync(HttpRequest request)
    {
        var form = await request.ReadFormAsync();
        var (clientId, secret) = (form["client_id"].ToString(), form["client_secret"].ToString());
        if (request.Headers.Authorization.ToString() is { Length: > 6 } basic && basic.StartsWith("Basic ", StringComparison.Ordinal))
        {
            var pair = Encoding.UTF8.GetString(Convert.FromBase64String(basic[6..])).Split(':', 2);
            (clientId, secret) = (Uri.UnescapeDataString(pair[0]), Uri.UnescapeDataString(pair[1]));
        }
        if (clientId != ClientId || secret != ClientSecret)
        {
            return Results.Json(new { error = "invalid_client" }, statusCode: 401);
        }
        string code = form["code"].ToString();
        // A code is good once.
        if (form["grant_type"] != "authorization_code" || !_codes.TryRemove(code, out var grant))
        {
            return Results.Json(new { error = "invalid_grant", error_description = "unknown or spent code" }, statusCode: 400);
        }
        Redeemed.Enqueue(code);
        var verifier = form["code_verifier"].ToString();
        var challenge = Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));
        if (form["redirect_uri"] != grant.RedirectUri || challenge != grant.Challenge)
        {
            return Results.Json(new { error = "invalid_grant", error_description = "redirect_uri or code_verifier does not match" }, statusCode: 400);
        }
        var now = DateTime.UtcNow;
        var claims = new Dictionary<string, object>(grant.Claims) { ["sub"] = grant.Claims.TryGetValue("sub", out var sub) ? sub : "subject-" + code[..8] };
        if (grant.Nonce is not null)
        {
            claims["nonce"] = grant.Nonce;
        }
        var idToken = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Authority,
            Audience = ClientId,
            IssuedAt = now,
            NotBefore = now,
            Expires = now.AddMinutes(10),
            Claims = claims,
            SigningCredentials = new SigningCredentials(SignWithUnpublishedKey ? _otherKey : _key, SecurityAlgorithms.RsaSha256),
        });
        return Results.Json(new { access_token = "provider-access-token-" + code[..8], token_type = "Bearer", expires_in = 600, id_token = idToken });
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
