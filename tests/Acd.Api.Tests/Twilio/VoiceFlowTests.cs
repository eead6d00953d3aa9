using System.Net;
using Acd.Api.Tests.Infrastructure;
using Acd.Twilio.Fake;

namespace Acd.Api.Tests.Twilio;

/// <summary>A real Twilio number pointed at Acd: what the caller, the agent and Twilio see, for every way a call goes.</summary>
public sealed class VoiceFlowTests(TwilioFixture fixture) : IClassFixture<TwilioFixture>
{
    private FakeTwilio Twilio => fixture.Twilio;

    [Fact]
    public async Task CallerWaitsInAJapaneseConferenceAndTheAgentIsRungIntoIt()
    {
        await fixture.CenterAsync("flow-answer", reservationTimeout: 25, agents: "flow-alice");

        var caller = await fixture.CallInAsync("flow-answer");

        // The caller is greeted in Japanese and put into the call's own conference, mixed in jp1.
        Assert.Equal("ja-JP", (string?)caller.Twiml.Descendants("Say").First().Attribute("language"));
        var conference = caller.Twiml.Descendants("Conference").Single();
        Assert.Equal("jp1", (string?)conference.Attribute("region"));
        Assert.Equal("false", (string?)conference.Attribute("startConferenceOnEnter"));
        Assert.Equal("true", (string?)conference.Attribute("endConferenceOnExit"));
        Assert.Equal("customer", (string?)conference.Attribute("participantLabel"));
        Assert.Equal($"{TwilioFixture.PublicBaseUrl}/twilio/conference/status?callId={caller.CallSid}", (string?)conference.Attribute("statusCallback"));
        Assert.Equal("start end join leave", (string?)conference.Attribute("statusCallbackEvent"));
        Assert.StartsWith($"{TwilioFixture.PublicBaseUrl}/twilio/voice/wait", (string?)conference.Attribute("waitUrl"));
        Assert.StartsWith($"acd-{caller.CallSid}-", caller.ConferenceName);

        // Twilio is asked to add the agent to that conference with the Participants API.
        var leg = await fixture.RungAsync("client:flow-alice");
        var request = Twilio.Requests.Single(r => r.Path.EndsWith("/Participants.json", StringComparison.Ordinal) && r["To"] == "client:flow-alice");
        Assert.Contains(Uri.EscapeDataString(caller.ConferenceName!), request.Path);
        Assert.Equal(TwilioFixture.Number, request["From"]);
        Assert.Equal("agent-flow-alice", request["Label"]);
        Assert.Equal("true", request["StartConferenceOnEnter"]);
        Assert.Equal("false", request["EndConferenceOnExit"]);
        Assert.Equal("25", request["Timeout"]);
        Assert.Equal("jp1", request["Region"]);
        Assert.StartsWith($"{TwilioFixture.PublicBaseUrl}/twilio/call/status?callId={caller.CallSid}&legId=", request["StatusCallback"]);
        Assert.Equal(["initiated", "ringing", "answered", "completed"], request.All("StatusCallbackEvent"));
        Assert.Equal($"{TwilioFixture.PublicBaseUrl}/twilio/conference/status?callId={caller.CallSid}", request["ConferenceStatusCallback"]);

        // The agent answers: the call is connected, the ConferenceSid learned from the first callback.
        Twilio.Answer(leg.Sid);
        var call = await fixture.CallEventuallyAsync(caller.CallSid, c => c.Str("status") == "connected", "the call is connected");
        Assert.Equal("flow-alice", call.Str("agent_id"));
        Assert.Equal(Twilio.ConferenceNamed(caller.ConferenceName!)!.Sid, call.Str("conference_sid"));
        Assert.Equal("jp1", Twilio.ConferenceNamed(caller.ConferenceName!)!.Region);

        // The caller hangs up first: the conference ends by itself, the agent wraps up, nothing more is asked of Twilio.
        var requestsBefore = Twilio.Requests.Count;
        Twilio.HangUp(caller.CallSid);
        call = await fixture.CallEventuallyAsync(caller.CallSid, c => c.Str("status") == "wrap_up", "the call is in wrap-up");
        Assert.Equal("caller-hangup", call.Str("end_reason"));
        Assert.Equal("WrapUp", (await fixture.AgentViewAsync("flow-alice")).Str("activity"));
        await Twilio.IdleAsync();
        Assert.Equal(requestsBefore, Twilio.Requests.Count);
    }
}
