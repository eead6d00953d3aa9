using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.IdentityModel.Tokens;

namespace Acd.Api.Security;

public static class AcdAuthExtensions
{
    /// <summary>
    /// JWT bearer authentication (roles agent, supervisor, admin) with the key, issuer and audience of <c>Auth:*</c>.
    /// Every endpoint needs a token unless it says otherwise (Twilio webhooks, health, OpenAPI, the dashboard's files).
    /// In Development a built-in key is used when none is configured; elsewhere Acd refuses to start without one.
    /// </summary>
    public static IHostApplicationBuilder AddAcdAuth(this IHostApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection(AuthOptions.Section);
        var settings = section.Get<AuthOptions>() ?? new AuthOptions();
        if (string.IsNullOrWhiteSpace(settings.SigningKey))
        {
            if (!builder.Environment.IsDevelopment())
            {
                throw new AcdStartupException(
                    $"Auth:SigningKey is not set. Outside Development Acd needs a real signing key (32+ characters); environment is {builder.Environment.EnvironmentName}");
            }
            settings.SigningKey = AuthOptions.DevelopmentKey;
        }
        else if (settings.SigningKey.Length < 32)
        {
            throw new AcdStartupException("Auth:SigningKey must be at least 32 characters");
        }
        else if (settings.SigningKey == AuthOptions.DevelopmentKey && !builder.Environment.IsDevelopment())
        {
            throw new AcdStartupException("Auth:SigningKey is the development key, which is public: set a real one");
        }
        if (settings.PreviousSigningKeys.Any(k => string.IsNullOrWhiteSpace(k) || k.Length < 32))
        {
            throw new AcdStartupException("Auth:PreviousSigningKeys must each be at least 32 characters");
        }
        builder.Services.AddOptions<AuthOptions>().Bind(section).PostConfigure(o => o.SigningKey = settings.SigningKey);
        builder.Services.AddSingleton<TokenIssuer>();
        builder.Services.AddSingleton<VoiceTokenIssuer>();

        var oidcSection = builder.Configuration.GetSection(OidcOptions.Section);
        var oidc = oidcSection.Get<OidcOptions>() ?? new OidcOptions();
        builder.Services.AddOptions<OidcOptions>().Bind(oidcSection);
        var authentication = builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme);
        // Signing in through a provider ends in an Acd token: every request is still authenticated by the bearer scheme.
        if (oidc.Enabled)
        {
            authentication.AddAcdOidc(oidc, builder.Configuration["Twilio:PublicBaseUrl"]);
        }
        authentication.AddJwtBearer(o =>
        {
            o.MapInboundClaims = false;
            o.TokenValidationParameters = new TokenValidationParameters
            {
                ValidIssuer = settings.Issuer,
                ValidAudience = settings.Audience,
                IssuerSigningKeys = [TokenIssuer.KeyOf(settings.SigningKey), .. settings.PreviousSigningKeys.Select(TokenIssuer.KeyOf)],
                ValidateIssuerSigningKey = true,
                ValidateLifetime = true,
                ClockSkew = TimeSpan.FromSeconds(30),
                NameClaimType = "sub",
                RoleClaimType = "role",
            };
            // An agent's token must say which agent it is: everything an agent may do is checked against its sub.
            o.Events = new JwtBearerEvents
            {
                OnTokenValidated = context =>
                {
                    var principal = context.Principal!;
                    if (!principal.IsSupervisor() && string.IsNullOrWhiteSpace(principal.Id()))
                    {
                        context.Fail("An agent's token needs a sub (the agent's id)");
                    }
                    return Task.CompletedTask;
                },
            };
        });
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(Roles.AdminPolicy, p => p.RequireRole(Roles.Admin))
            .AddPolicy(Roles.SupervisorPolicy, p => p.RequireRole(Roles.Supervisor, Roles.Admin))
            .AddPolicy(Roles.AgentPolicy, p => p.RequireRole(Roles.Agent, Roles.Supervisor, Roles.Admin))
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireRole(Roles.Agent, Roles.Supervisor, Roles.Admin).Build());
        return builder;
    }
}
