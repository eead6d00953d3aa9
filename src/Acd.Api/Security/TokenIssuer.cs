using System.Security.Claims;
using System.Text;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Acd.Api.Security;

/// <summary>
/// Mints tokens with the configured key (the <c>token</c> command, the development endpoint, tests). Tokens live in
/// real time, whatever clock the grains run on, because that is the clock their validation uses.
/// </summary>
public sealed class TokenIssuer(IOptions<AuthOptions> options)
{
    /// <summary>Tests mint expired tokens with an earlier clock.</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;

    public string Issue(string subject, IEnumerable<string> roles, TimeSpan lifetime)
    {
        var settings = options.Value;
        var now = Clock.GetUtcNow().UtcDateTime;
        var claims = new List<Claim> { new("sub", subject) };
        claims.AddRange(roles.Select(r => new Claim("role", r)));
        var descriptor = new SecurityTokenDescriptor
        {
            Subject = new ClaimsIdentity(claims),
            Issuer = settings.Issuer,
            Audience = settings.Audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = now + lifetime,
            SigningCredentials = new SigningCredentials(KeyOf(settings.SigningKey!), SecurityAlgorithms.HmacSha256),
        };
        return new JsonWebTokenHandler().CreateToken(descriptor);
    }

    public static SymmetricSecurityKey KeyOf(string key) => new(Encoding.UTF8.GetBytes(key));
}
