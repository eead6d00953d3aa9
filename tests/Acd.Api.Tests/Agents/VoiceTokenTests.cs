using System.Net;
using System.Text;
using Acd.Api.Security;
using Acd.Api.Tests.Infrastructure;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Acd.Api.Tests.Agents;

/// <summary>Voice tokens for the agent page's softphone: Twilio's Access Token, for the agent themself only.</summary>
public sealed class VoiceTokenTests
{
    private const string AccountSid = "AC0123456789abcdef0123456789abcdef";
    private const string KeySid = "SK0123456789abcdef0123456789abcdef";
    private const string KeySecret = "voice-key-secret-for-tests-0123456789";

    private static AcdAppFactory WithKeys() => new AcdAppFactory()
        .With("Twilio:AccountSid", AccountSid)
        .With("Twilio:AuthToken", "auth-token-for-tests")
        .With("Twilio:ApiBaseUrl", "http://127.0.0.1:9")
        .With("Twilio:ApiKeySid", KeySid)
        .With("Twilio:ApiKeySecret", KeySecret);

    [Fact]
    public async Task AnAgentGetsATwilioVoiceTokenForTheirClientIdentity()
    {
        await using var app = WithKeys();
        var admin = app.CreateClient();
        (await admin.PutJsonAsync("/api/agents/vt-alice", new { attributes = new { contact_uri = "client:alice-ja" } })).AssertOk();

        var before = DateTimeOffset.UtcNow;
        var body = (await app.ClientAs(Roles.Agent, "vt-alice").GetJsonAsync("/api/agents/vt-alice/voice-token")).AssertOk();
        Assert.Equal("alice-ja", body.Str("identity"));
        var expiresAt = DateTimeOffset.Parse(body.Str("expires_at"), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(expiresAt, before.AddMinutes(59), DateTimeOffset.UtcNow.AddMinutes(61));

        // Twilio's format: HS256 signed with the API key's secret, issued by the key, for the account, with a Voice grant.
        var check = await new JsonWebTokenHandler().ValidateTokenAsync(body.Str("token"), new TokenValidationParameters
        {
            IssuerSigningKey = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(KeySecret)),
            ValidIssuer = KeySid,
            ValidateAudience = false,
        });
        Assert.True(check.IsValid, check.Exception?.Message);
        var jwt = (JsonWebToken)check.SecurityToken;
        Assert.Equal("twilio-fpa;v=1", jwt.GetHeaderValue<string>("cty"));
        Assert.Equal(AccountSid, jwt.Subject);
        Assert.Equal(expiresAt.ToUnixTimeSeconds(), new DateTimeOffset(jwt.ValidTo, TimeSpan.Zero).ToUnixTimeSeconds());
        var grants = System.Text.Json.Nodes.JsonNode.Parse(jwt.GetClaim("grants").Value)!;
        Assert.Equal("alice-ja", grants["identity"]!.GetValue<string>());
        Assert.True(grants["voice"]!["incoming"]!["allow"]!.GetValue<bool>());
    }

    [Fact]
    public async Task AnAgentWithoutAContactUriIsRungAsTheirIdAndGetsThatIdentity()
    {
        await using var app = WithKeys();
        (await app.CreateClient().PutJsonAsync("/api/agents/vt-bob", new { })).AssertOk();
        var body = (await app.ClientAs(Roles.Agent, "vt-bob").GetJsonAsync("/api/agents/vt-bob/voice-token")).AssertOk();
        Assert.Equal("vt-bob", body.Str("identity"));
    }

    [Fact]
    public async Task OnlyTheAgentThemselfGetsTheirToken()
    {
        await using var app = WithKeys();
        (await app.CreateClient().PutJsonAsync("/api/agents/vt-carol", new { attributes = new { contact_uri = "client:carol" } })).AssertOk();
        Assert.Equal(HttpStatusCode.Forbidden, (await app.ClientAs(Roles.Agent, "vt-dave").GetJsonAsync("/api/agents/vt-carol/voice-token")).Status);
        // A token answers the agent's calls: not even a supervisor or an admin takes one for someone else.
        Assert.Equal(HttpStatusCode.Forbidden, (await app.ClientAs(Roles.Supervisor, "boss").GetJsonAsync("/api/agents/vt-carol/voice-token")).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await app.CreateClient().GetJsonAsync("/api/agents/vt-carol/voice-token")).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.Anonymous().GetJsonAsync("/api/agents/vt-carol/voice-token")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await app.ClientAs(Roles.Agent, "vt-nobody").GetJsonAsync("/api/agents/vt-nobody/voice-token")).Status);
    }

    [Fact]
    public async Task AnAgentRungOnAPhoneHasNoBrowserToken()
    {
        await using var app = WithKeys();
        (await app.CreateClient().PutJsonAsync("/api/agents/vt-erin", new { attributes = new { contact_uri = "+81312345678" } })).AssertOk();
        (await app.ClientAs(Roles.Agent, "vt-erin").GetJsonAsync("/api/agents/vt-erin/voice-token")).AssertProblem(HttpStatusCode.Conflict, "attributes.contact_uri");
    }

    [Fact]
    public async Task WithoutAnApiKeyTheAnswerSaysWhatToConfigure()
    {
        await using var app = new AcdAppFactory();
        (await app.CreateClient().PutJsonAsync("/api/agents/vt-frank", new { })).AssertOk();
        var (status, body) = await app.ClientAs(Roles.Agent, "vt-frank").GetJsonAsync("/api/agents/vt-frank/voice-token");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Contains("Twilio:AccountSid", body!.Str("detail"), StringComparison.Ordinal);

        await using var noKey = new AcdAppFactory().With("Twilio:AccountSid", AccountSid).With("Twilio:AuthToken", "t").With("Twilio:ApiBaseUrl", "http://127.0.0.1:9");
        (await noKey.CreateClient().PutJsonAsync("/api/agents/vt-frank", new { })).AssertOk();
        (status, body) = await noKey.ClientAs(Roles.Agent, "vt-frank").GetJsonAsync("/api/agents/vt-frank/voice-token");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Contains("Twilio:ApiKeySid", body!.Str("detail"), StringComparison.Ordinal);
    }
}
