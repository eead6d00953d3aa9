using System.Xml.Linq;
using Acd.Api.Twilio;
using Microsoft.Extensions.Options;

namespace Acd.Api.Tests.Twilio;

/// <summary>The caller's TwiML, written without the SDK on the hot path, says exactly what the SDK's would.</summary>
public sealed class CallerTwimlTests
{
    public static TheoryData<string?, string?, string, string, string> Cases => new()
    {
        // greeting, voice, region, call id, conference name
        { null, null, "jp1", "CA0123456789abcdef0123456789abcdef", "acd-CA0123456789abcdef0123456789abcdef" },
        { "お電話ありがとうございます。", null, "jp1", "CA1", "acd-CA1" },
        { "Tom & Jerry's <\"shop\">", "Polly.Mizuki", "ie1", "CA 2+/&?=#", "acd-<CA2>&\"'" },
        { "   ", "alice", "", "call-3", "conference 3" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void TheConferenceTwimlEqualsTheSdksForTheSameCall(string? greeting, string? voice, string region, string callId, string conference)
    {
        var options = Options.Create(new TwilioOptions { PublicBaseUrl = "https://acd.example.jp/", ConferenceRegion = region, Voice = voice, Language = "ja-JP" });
        options.Value.Greeting = greeting!;
        var twiml = new CallerTwiml(options, new TwilioUrls(options, Microsoft.Extensions.DependencyInjection.ServiceCollectionContainerBuilderExtensions.BuildServiceProvider(new Microsoft.Extensions.DependencyInjection.ServiceCollection())));

        // Plain, with the * for the callback menu (hangupOnStar and the <Dial> action), and back from the menu without the greeting.
        foreach (var (stepOut, greet) in new[] { (false, true), (true, true), (true, false) })
        {
            var written = twiml.Conference(callId, conference, stepOut, greet);
            var sdk = twiml.ConferenceBySdk(callId, conference, stepOut, greet);

            Assert.StartsWith("""<?xml version="1.0" encoding="utf-8"?>""", written);
            Assert.Equal(Canonical(XDocument.Parse(sdk).Root!), Canonical(XDocument.Parse(written).Root!));
            Assert.Equal(stepOut, written.Contains("hangupOnStar=\"true\"", StringComparison.Ordinal));
        }
    }

    /// <summary>An element as text with its attributes in name order: equal when the XML means the same.</summary>
    private static string Canonical(XElement element) =>
        $"<{element.Name}{string.Concat(element.Attributes().OrderBy(a => a.Name.ToString(), StringComparer.Ordinal).Select(a => $" {a.Name}=[{a.Value}]"))}>"
        + (element.HasElements ? string.Concat(element.Elements().Select(Canonical)) : $"[{element.Value}]")
        + $"</{element.Name}>";
}

/// <summary>How a caller hears their estimated wait: whole minutes rounded up, at least one, and "more than 30 minutes" beyond.</summary>
public sealed class WaitPhraseTests
{
    [Theory]
    [InlineData(0, true, "お待ちいただく時間は、およそ1分です。")]
    [InlineData(60, true, "お待ちいただく時間は、およそ1分です。")]
    [InlineData(61, true, "お待ちいただく時間は、およそ2分です。")]
    [InlineData(1800, true, "お待ちいただく時間は、およそ30分です。")]
    [InlineData(1801, true, "お待ちいただく時間は、30分以上の見込みです。")]
    [InlineData(30, false, "Your estimated wait is about 1 minute.")]
    [InlineData(150, false, "Your estimated wait is about 3 minutes.")]
    [InlineData(7200, false, "Your wait is expected to be more than 30 minutes.")]
    public void TheEstimateIsSaidInWholeMinutesRoundedUp(double seconds, bool japanese, string said) =>
        Assert.Equal(said, Acd.Api.Twilio.WaitAnnouncements.Phrase(seconds, japanese));
}
