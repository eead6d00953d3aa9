namespace Acd.Api.Security;

/// <summary>JWT settings, bound from the <c>Auth</c> configuration section.</summary>
public sealed class AuthOptions
{
    public const string Section = "Auth";

    /// <summary>
    /// A development-only key, so that <c>dotnet run</c> works with nothing configured. Acd refuses to start with it
    /// (or without any key) outside the Development environment.
    /// </summary>
    public const string DevelopmentKey = "acd-development-signing-key-not-for-production-0123456789";

    /// <summary>The HMAC-SHA256 key tokens are signed with: at least 32 characters.</summary>
    public string? SigningKey { get; set; }

    /// <summary>
    /// Keys tokens were signed with before <see cref="SigningKey"/> replaced them: still accepted (never used to sign),
    /// so that a key can be rotated without signing everyone out. Remove them once the old tokens have expired.
    /// </summary>
    public string[] PreviousSigningKeys { get; set; } = [];

    public string Issuer { get; set; } = "acd";

    public string Audience { get; set; } = "acd";
}

/// <summary>The three roles, and the policies built on them (an admin may do what a supervisor may, and so on).</summary>
public static class Roles
{
    public const string Agent = "agent";
    public const string Supervisor = "supervisor";
    public const string Admin = "admin";

    /// <summary>Configuration: admins.</summary>
    public const string AdminPolicy = "acd-admin";

    /// <summary>Lists, statistics, supervision: supervisors and admins.</summary>
    public const string SupervisorPolicy = "acd-supervisor";

    /// <summary>Anyone with a valid token in one of the roles; what an agent may touch is checked per request.</summary>
    public const string AgentPolicy = "acd-agent";
}

/// <summary>Acd cannot start as configured; the message says what to fix.</summary>
public sealed class AcdStartupException(string message) : Exception(message);
