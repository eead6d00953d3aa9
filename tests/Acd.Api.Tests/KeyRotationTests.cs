using System.Net;
using System.Net.Http.Headers;
using Acd.Api.Security;
using Acd.Api.Tests.Infrastructure;
using Acd.Twilio.Fake;
using Microsoft.Extensions.Options;

namespace Acd.Api.Tests;

/// <summary>Rotating the token signing key: tokens signed with the previous key still work until it is removed.</summary>
public sealed class SigningKeyRotationTests
{
    private const string NewKey = "the-new-signing-key-after-rotation-0123456789";
    private const string OldKey = "the-old-signing-key-before-rotation-012345678";

    [Fact]
    public async Task ATokenSignedWithThePreviousKeyIsAcceptedAndOneSignedWithAnyOtherIsNot()
    {
        await using var app = new AcdAppFactory().With("Auth:SigningKey", NewKey).With("Auth:PreviousSigningKeys:0", OldKey);
        var http = app.Anonymous();

        foreach (var (key, expected) in new[] { (NewKey, HttpStatusCode.OK), (OldKey, HttpStatusCode.OK), ("a-key-nobody-configured-0123456789abcdef", HttpStatusCode.Unauthorized) })
        {
            var token = new TokenIssuer(Options.Create(new AuthOptions { SigningKey = key })).Issue("boss", [Roles.Supervisor], TimeSpan.FromMinutes(5));
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            Assert.Equal(expected, (await http.GetAsync(new Uri("/api/calls", UriKind.Relative), TestContext.Current.CancellationToken)).StatusCode);
        }
        // New tokens are signed with the new key only.
        var issued = app.Token(Roles.Supervisor, "boss");
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", issued);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri("/api/calls", UriKind.Relative), TestContext.Current.CancellationToken)).StatusCode);
    }
}

/// <summary>Twilio's auth token being rotated: webhooks signed with the previous token are still accepted.</summary>
public sealed class RotatingAuthTokenFixture : TwilioFixture
{
    public const string PreviousToken = "the-auth-token-twilio-used-before-0123";

    protected override void Configure(AcdAppFactory app) => app.With("Twilio:PreviousAuthToken", PreviousToken);
}

public sealed class AuthTokenRotationTests(RotatingAuthTokenFixture fixture) : IClassFixture<RotatingAuthTokenFixture>
{
    [Fact]
    public async Task AWebhookSignedWithThePreviousAuthTokenIsAcceptedAndOneSignedWithAnyOtherIsRefused()
    {
        await fixture.CenterAsync("rotate");
        var url = $"{TwilioFixture.PublicBaseUrl}/twilio/voice/incoming?workflow=rotate";
        List<KeyValuePair<string, string>> Form(int n) => [new("CallSid", $"CArotate00000000000000000000000{n}"), new("From", "+819000000001"), new("To", TwilioFixture.Number)];

        Assert.Equal(200, (await fixture.Twilio.PostAsync(url, Form(1), Signatures.Sign(fixture.Twilio.AuthToken, url, Form(1)))).Status);
        Assert.Equal(200, (await fixture.Twilio.PostAsync(url, Form(2), Signatures.Sign(RotatingAuthTokenFixture.PreviousToken, url, Form(2)))).Status);
        Assert.Equal(403, (await fixture.Twilio.PostAsync(url, Form(3), Signatures.Sign("some-other-auth-token-0123456789", url, Form(3)))).Status);
        (await fixture.Http.GetJsonAsync("/api/calls/CArotate000000000000000000000002")).AssertOk();
        (await fixture.Http.GetJsonAsync("/api/calls/CArotate000000000000000000000003")).AssertProblem(HttpStatusCode.NotFound, null!);
    }
}
