namespace Acd.Api.Security;

/// <summary>
/// Sign-in through an OpenID Connect provider (Microsoft Entra ID, Okta, Keycloak, Google Workspace…), bound from
/// <c>Auth:Oidc</c>. Off unless <see cref="Authority"/> is set. The provider says who someone is; Acd maps its claims to
/// one role and an id and hands the page Acd's own token, the same token every API call takes.
/// </summary>
public sealed class OidcOptions
{
    public const string Section = "Auth:Oidc";

    /// <summary>The provider's issuer URL; its discovery document is at <c>{Authority}/.well-known/openid-configuration</c>.</summary>
    public string? Authority { get; set; }

    /// <summary>Acd's client (application) id at the provider; the id token's audience.</summary>
    public string? ClientId { get; set; }

    /// <summary>The client secret, for a confidential (web) client; PKCE is used either way.</summary>
    public string? ClientSecret { get; set; }

    /// <summary>What the sign-in button says ("Microsoft Entra ID").</summary>
    public string DisplayName { get; set; } = "OpenID Connect";

    /// <summary>Scopes asked for, separated by spaces.</summary>
    public string Scope { get; set; } = "openid profile email";

    /// <summary>Where the provider sends the browser back; register <c>{public base URL}{CallbackPath}</c> at the provider.</summary>
    public string CallbackPath { get; set; } = "/signin-oidc";

    /// <summary>The claim that carries roles (Entra ID app roles: <c>roles</c>; groups: <c>groups</c>).</summary>
    public string RoleClaim { get; set; } = "roles";

    /// <summary>The role claim's value that makes someone an agent (e.g. an app role's value, or a group's object id).</summary>
    public string AgentRole { get; set; } = "agent";

    /// <summary>The role claim's value that makes someone a supervisor.</summary>
    public string SupervisorRole { get; set; } = "supervisor";

    /// <summary>The role claim's value that makes someone an admin.</summary>
    public string AdminRole { get; set; } = "admin";

    /// <summary>The claim whose value is the agent's (or supervisor's) id in Acd, as the agent was created.</summary>
    public string IdClaim { get; set; } = "preferred_username";

    /// <summary>How long the Acd token given after sign-in lasts (a shift); then the page sends the user to sign in again.</summary>
    public double TokenHours { get; set; } = 10;

    /// <summary>Fetch the discovery document and keys only over HTTPS. Off only for a provider on the loopback in tests.</summary>
    public bool RequireHttpsMetadata { get; set; } = true;

    public bool Enabled => !string.IsNullOrWhiteSpace(Authority);
}
