using Acd.Api.Twilio;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Acd.Api.Tests.Twilio;

public sealed class RejectedWebhooksTests
{
    [Fact]
    public void AFloodOfForgedWebhooksIsLoggedOnceAMinuteWithHowManyCame()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 29, 9, 0, 0, TimeSpan.Zero));
        var logger = new FakeLogger<RejectedWebhooks>();
        var rejected = new RejectedWebhooks(time, logger);

        for (var i = 0; i < 1000; i++)
        {
            rejected.Add("https://acd.example.com/twilio/voice/incoming", "bad X-Twilio-Signature");
        }

        var first = Assert.Single(logger.Collector.GetSnapshot());
        Assert.Contains("bad X-Twilio-Signature", first.Message);
        time.Advance(TimeSpan.FromSeconds(59));
        rejected.Add("https://acd.example.com/twilio/voice/incoming", "no X-Twilio-Signature");
        Assert.Equal(1, logger.Collector.Count);

        time.Advance(TimeSpan.FromSeconds(1));
        rejected.Add("https://acd.example.com/twilio/call/status", "no X-Twilio-Signature");

        Assert.Equal(2, logger.Collector.Count);
        Assert.Contains("1000 more were rejected", logger.LatestRecord.Message);
    }
}
