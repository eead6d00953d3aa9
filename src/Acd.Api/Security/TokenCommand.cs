using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Acd.Api.Security;

/// <summary>
/// <c>dotnet run --project src/Acd.Silo -- token --role agent --sub alice [--hours 12]</c>: prints a token signed with
/// the configured key (the development key in Development when none is set).
/// </summary>
public static class TokenCommand
{
    public static int Run(string[] args, IConfiguration configuration, IHostEnvironment environment, TextWriter output, TextWriter errors)
    {
        string? Arg(string name) => args.SkipWhile(a => a != $"--{name}").Skip(1).FirstOrDefault();
        var role = Arg("role") ?? Roles.Admin;
        if (role is not (Roles.Agent or Roles.Supervisor or Roles.Admin))
        {
            errors.WriteLine("--role must be agent, supervisor or admin");
            return 2;
        }
        var settings = configuration.GetSection(AuthOptions.Section).Get<AuthOptions>() ?? new AuthOptions();
        if (string.IsNullOrWhiteSpace(settings.SigningKey))
        {
            if (!environment.IsDevelopment())
            {
                errors.WriteLine("Auth:SigningKey is not set (outside Development there is no default key)");
                return 1;
            }
            settings.SigningKey = AuthOptions.DevelopmentKey;
        }
        var hours = int.TryParse(Arg("hours"), out var h) ? Math.Clamp(h, 1, 24 * 365) : 12;
        var issuer = new TokenIssuer(Options.Create(settings));
        output.WriteLine(issuer.Issue(Arg("sub") ?? role, [role], TimeSpan.FromHours(hours)));
        return 0;
    }
}
