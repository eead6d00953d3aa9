using System.Security.Claims;
using Acd.Api.Http;
using Acd.Api.Security;
using Acd.Grains.Abstractions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Acd.Api.Apis;

/// <summary>The answer to <c>GET /api/agents/{id}/voice-token</c>.</summary>
public sealed record VoiceTokenResource(string Token, string Identity, DateTimeOffset ExpiresAt);

public static class VoiceTokenApi
{
    public static IEndpointConventionBuilder MapVoiceTokenApi(this IEndpointRouteBuilder app) =>
        app.MapGet("/api/agents/{id}/voice-token", async (string id, ClaimsPrincipal user, IGrainFactory grains, VoiceTokenIssuer issuer) =>
        {
            if (Problems.CheckId(id) is { } bad)
            {
                return bad;
            }
            // Only the agent: a token answers the agent's calls, so even a supervisor may not take one for someone else.
            if (user.Id() != id)
            {
                return AcdUser.Forbidden($"A voice token is issued only to the agent themself, not for '{id}'");
            }
            if (issuer.Unavailable is { } reason)
            {
                return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Voice tokens are not configured", detail: reason);
            }
            if (await grains.GetGrain<IAgentGrain>(id).GetAsync() is not { } agent)
            {
                return Problems.NotFound($"No agent '{id}'");
            }
            // Acd rings client:<id> for an agent without a contact_uri; a phone or SIP contact has no browser to ring.
            var identity = agent.ContactUri is null ? id : VoiceTokenIssuer.ClientIdentity(agent.ContactUri);
            if (identity is null)
            {
                return Problem.Conflict($"Calls ring '{agent.ContactUri}', not a browser: set attributes.contact_uri to client:<identity> to answer in the agent page", "attributes.contact_uri").ToResult();
            }
            var token = issuer.Issue(identity);
            return TypedResults.Ok(new VoiceTokenResource(token.Token, token.Identity, token.ExpiresAt));
        })
        .WithTags("Agents")
        .WithSummary("A Twilio Access Token (Voice grant, incoming calls) for the agent's softphone in the browser: identity is the agent's client: identity, one hour's life. 503 without Twilio:ApiKeySid/ApiKeySecret. The agent themself only.");
}
