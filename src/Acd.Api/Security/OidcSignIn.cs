using System.Security.Claims;
using Acd.Api.Http;
using Acd.Grains.Abstractions;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace Acd.Api.Security;

/// <summary>What the pages need to know to offer sign-in: <c>GET /auth/config</c>.</summary>
/// <param name="Oidc">The provider's button, or null when no provider is configured.</param>
/// <param name="DevelopmentSignIn">Whether pick-your-agent sign-in (<c>POST /dev/token</c>) exists (Development only).</param>
public sealed record AuthConfigResource(OidcProviderResource? Oidc, bool DevelopmentSignIn);

/// <param name="Name">The provider's name for the button.</param>
/// <param name="Login">Where the page sends the browser, with <c>return_to</c>.</param>
public sealed record OidcProviderResource(string Name, string Login);

/// <summary>
/// Sign-in through an OpenID Connect provider: the authorization code flow with PKCE, server-side, in the browser's
/// top-level navigation. <c>GET /auth/login?return_to=/agent/</c> sends the browser to the provider; the provider sends
/// it back to <c>Auth:Oidc:CallbackPath</c>, where ASP.NET Core's handler redeems the code and checks the id token
/// (issuer, audience, signature from the provider's keys, lifetime, nonce). Acd then maps the claims to an id and one
/// role and sends the browser back to the page with Acd's own token in the fragment (<c>#token=</c>), which never
/// reaches a server log. Nothing else is kept: no session cookie, the provider's tokens are dropped.
/// </summary>
public static partial class OidcSignIn
{
    public const string Scheme = "oidc";

    /// <summary>The pages a sign-in may return to.</summary>
    private static readonly string[] Pages = ["/agent/", "/dashboard/"];

    public static void AddAcdOidc(this AuthenticationBuilder authentication, OidcOptions oidc, string? publicBaseUrl)
    {
        Check(oidc);
        var callback = string.IsNullOrWhiteSpace(publicBaseUrl) ? null : publicBaseUrl.TrimEnd('/') + oidc.CallbackPath;
        // Behind a proxy that ends TLS the request here is plain HTTP while the browser's is HTTPS: the public address
        // decides whether the sign-in's cookies (correlation, nonce) are Secure.
        var secure = callback?.StartsWith("https://", StringComparison.OrdinalIgnoreCase) == true ? CookieSecurePolicy.Always : CookieSecurePolicy.SameAsRequest;
        authentication.AddOpenIdConnect(Scheme, oidc.DisplayName, o =>
        {
            o.Authority = oidc.Authority;
            o.ClientId = oidc.ClientId;
            o.ClientSecret = string.IsNullOrWhiteSpace(oidc.ClientSecret) ? null : oidc.ClientSecret;
            o.ResponseType = OpenIdConnectResponseType.Code;
            // The code comes back in the query of a top-level GET, so SameSite=Lax cookies are enough (form_post would
            // need SameSite=None, which browsers accept only on Secure cookies).
            o.ResponseMode = OpenIdConnectResponseMode.Query;
            o.UsePkce = true;
            o.Scope.Clear();
            foreach (var scope in oidc.Scope.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                o.Scope.Add(scope);
            }
            o.CallbackPath = oidc.CallbackPath;
            o.RequireHttpsMetadata = oidc.RequireHttpsMetadata;
            o.MapInboundClaims = false;
            o.SaveTokens = false;
            o.GetClaimsFromUserInfoEndpoint = false;
            o.TokenValidationParameters.NameClaimType = oidc.IdClaim;
            o.TokenValidationParameters.RoleClaimType = oidc.RoleClaim;
            o.CorrelationCookie.SameSite = SameSiteMode.Lax;
            o.CorrelationCookie.SecurePolicy = secure;
            o.NonceCookie.SameSite = SameSiteMode.Lax;
            o.NonceCookie.SecurePolicy = secure;
            o.RemoteAuthenticationTimeout = TimeSpan.FromMinutes(10);
            // The sign-in's cookies and state expire on the browser's clock, the real one, like Acd's tokens (not on the
            // TimeProvider the grains run on).
            o.TimeProvider = TimeProvider.System;
            o.Events = new OpenIdConnectEvents
            {
                OnRedirectToIdentityProvider = context =>
                {
                    // The handler keeps this redirect_uri for the code's redemption, which must name the same one.
                    if (callback is not null)
                    {
                        context.ProtocolMessage.RedirectUri = callback;
                    }
                    return Task.CompletedTask;
                },
                OnTicketReceived = context =>
                {
                    context.HandleResponse();
                    var page = PageOrDefault(context.ReturnUri);
                    var logger = Logger(context.HttpContext);
                    switch (Map(context.Principal!, oidc))
                    {
                        case (string id, string role, null):
                            var token = context.HttpContext.RequestServices.GetRequiredService<TokenIssuer>()
                                .Issue(id, [role], TimeSpan.FromHours(oidc.TokenHours));
                            Log.SignedIn(logger, id, role);
                            context.Response.Redirect($"{page}#token={token}");
                            break;
                        case (_, _, string refusal):
                            Log.Refused(logger, refusal);
                            context.Response.Redirect($"{page}#error={Uri.EscapeDataString(refusal)}");
                            break;
                    }
                    return Task.CompletedTask;
                },
                // The provider said no (access_denied), the state or nonce did not match, the code was spent, the id
                // token did not check out: back to the page, which says so. Nothing is signed in.
                OnRemoteFailure = context =>
                {
                    context.HandleResponse();
                    var reason = context.Failure?.Message ?? "unknown";
                    Log.Failed(Logger(context.HttpContext), reason);
                    context.Response.Redirect($"{PageOrDefault(context.Properties?.RedirectUri)}#error={Uri.EscapeDataString($"Sign-in failed: {reason}")}");
                    return Task.CompletedTask;
                },
            };
        });
    }

    /// <summary>The id and the highest role the claims give (admin, then supervisor, then agent), or why there is none.</summary>
    public static (string? Id, string? Role, string? Refusal) Map(ClaimsPrincipal principal, OidcOptions oidc)
    {
        var values = principal.FindAll(oidc.RoleClaim).Select(c => c.Value).ToHashSet(StringComparer.Ordinal);
        var role = values.Contains(oidc.AdminRole) ? Roles.Admin
            : values.Contains(oidc.SupervisorRole) ? Roles.Supervisor
            : values.Contains(oidc.AgentRole) ? Roles.Agent
            : null;
        var id = principal.FindFirst(oidc.IdClaim)?.Value;
        if (string.IsNullOrWhiteSpace(id))
        {
            return (null, null, $"The provider's answer has no '{oidc.IdClaim}' claim (Auth:Oidc:IdClaim), so Acd cannot tell who you are");
        }
        if (!Ids.IsValid(id))
        {
            return (null, null, $"'{id}' (claim '{oidc.IdClaim}') is not an id Acd can use: {Ids.Rule}");
        }
        if (role is null)
        {
            return (null, null, $"{id} has no Acd role: the '{oidc.RoleClaim}' claim needs '{oidc.AgentRole}', '{oidc.SupervisorRole}' or '{oidc.AdminRole}'");
        }
        return (id, role, null);
    }

    /// <summary><c>GET /auth/config</c> always; <c>GET /auth/login</c> when a provider is configured.</summary>
    public static IEndpointRouteBuilder MapAuthApi(this IEndpointRouteBuilder app, bool developmentSignIn)
    {
        var oidc = app.ServiceProvider.GetRequiredService<IOptions<OidcOptions>>().Value;
        app.MapGet("/auth/config", () => new AuthConfigResource(oidc.Enabled ? new OidcProviderResource(oidc.DisplayName, "/auth/login") : null, developmentSignIn))
            .AllowAnonymous().WithTags("Sign-in").WithSummary("How the pages may sign in: the OpenID Connect provider's button, and whether Development sign-in exists.");
        if (oidc.Enabled)
        {
            app.MapGet("/auth/login", IResult ([FromQuery(Name = "return_to")] string? returnTo) =>
            {
                var page = returnTo ?? Pages[0];
                if (!IsPage(page))
                {
                    return Problems.Invalid("return_to", $"a page of Acd: {string.Join(" or ", Pages)}");
                }
                return TypedResults.Challenge(new AuthenticationProperties { RedirectUri = page }, [Scheme]);
            }).AllowAnonymous().WithTags("Sign-in").WithSummary("Sends the browser to the OpenID Connect provider; back on return_to (/agent/ or /dashboard/) with #token= (Acd's token) or #error=.");
        }
        return app;
    }

    private static bool IsPage(string? path) => path is not null && Pages.Contains(path, StringComparer.Ordinal);

    private static string PageOrDefault(string? path) => IsPage(path) ? path! : Pages[0];

    private static void Check(OidcOptions oidc)
    {
        if (!Uri.TryCreate(oidc.Authority, UriKind.Absolute, out var authority) || authority.Scheme is not ("https" or "http"))
        {
            throw new AcdStartupException($"Auth:Oidc:Authority must be the provider's absolute URL, not '{oidc.Authority}'");
        }
        if (authority.Scheme == "http" && oidc.RequireHttpsMetadata)
        {
            throw new AcdStartupException("Auth:Oidc:Authority must be https (Auth:Oidc:RequireHttpsMetadata is on)");
        }
        if (string.IsNullOrWhiteSpace(oidc.ClientId))
        {
            throw new AcdStartupException("Auth:Oidc:ClientId is not set (Acd's application id at the provider)");
        }
        if (!oidc.CallbackPath.StartsWith('/'))
        {
            throw new AcdStartupException($"Auth:Oidc:CallbackPath must be a path starting with '/', not '{oidc.CallbackPath}'");
        }
        if (oidc.TokenHours is <= 0 or > 24)
        {
            throw new AcdStartupException($"Auth:Oidc:TokenHours must be more than 0 and at most 24, not {oidc.TokenHours}");
        }
        var roles = new[] { oidc.AgentRole, oidc.SupervisorRole, oidc.AdminRole };
        if (roles.Any(string.IsNullOrWhiteSpace) || roles.Distinct(StringComparer.Ordinal).Count() != 3)
        {
            throw new AcdStartupException("Auth:Oidc:AgentRole, SupervisorRole and AdminRole must be three different values");
        }
    }

    private static ILogger Logger(HttpContext context) =>
        context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(OidcSignIn).FullName!);

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "Signed in through OpenID Connect: {Id} as {Role}")]
        public static partial void SignedIn(ILogger logger, string id, string role);

        [LoggerMessage(Level = LogLevel.Warning, Message = "OpenID Connect sign-in refused: {Reason}")]
        public static partial void Refused(ILogger logger, string reason);

        [LoggerMessage(Level = LogLevel.Warning, Message = "OpenID Connect sign-in failed: {Reason}")]
        public static partial void Failed(ILogger logger, string reason);
    }
}
