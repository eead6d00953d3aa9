using Acd.Api.Security;
using Acd.Api.Twilio;
using Acd.Grains.Abstractions;
using Microsoft.Extensions.Configuration;

namespace Acd.Api.Http;

/// <summary>
/// Reads Acd's settings before anything starts: a value that cannot be read, or one out of its range, stops the start
/// with one line naming the key (<see cref="AcdStartupException"/>), not with a stack trace from the middle of a
/// running cluster.
/// </summary>
public static class StartupChecks
{
    public static void Run(IConfiguration configuration)
    {
        var acd = Bind<AcdOptions>(configuration, AcdOptions.Section);
        var twilio = Bind<TwilioOptions>(configuration, "Twilio");
        Require(acd.DefaultReservationTimeoutSeconds is > 0 and <= 3600, "Acd:DefaultReservationTimeoutSeconds", "between 1 and 3600");
        Require(acd.DefaultWrapUpSeconds is >= 0 and <= 86400, "Acd:DefaultWrapUpSeconds", "between 0 and 86400");
        Require(acd.MissedOffersBeforeBreak >= 0, "Acd:MissedOffersBeforeBreak", "0 or more");
        Require(acd.CallerCheckSeconds >= 0, "Acd:CallerCheckSeconds", "0 or more");
        Require(acd.TalkCheckSeconds >= 0, "Acd:TalkCheckSeconds", "0 or more");
        Require(acd.MaxAttributesBytes >= 0, "Acd:MaxAttributesBytes", "0 or more");
        try
        {
            acd.Zone();
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            throw new AcdStartupException($"Acd:TimeZone '{acd.TimeZone}' is not a time zone this machine knows (e.g. Asia/Tokyo)");
        }
        Require(twilio.CallsPerSecond > 0, "Twilio:CallsPerSecond", "above 0");
        Require(twilio.MaxRetries >= 0, "Twilio:MaxRetries", "0 or more");
        Require(twilio.MaxConcurrentLookups > 0, "Twilio:MaxConcurrentLookups", "above 0");
        Require(twilio.RequestTimeoutSeconds > 0, "Twilio:RequestTimeoutSeconds", "above 0");
        Require(twilio.RetryBaseDelayMilliseconds >= 0, "Twilio:RetryBaseDelayMilliseconds", "0 or more");
        foreach (var (key, url) in new[] { ("Twilio:PublicBaseUrl", twilio.PublicBaseUrl), ("Twilio:ApiBaseUrl", twilio.ApiBaseUrl) })
        {
            if (!string.IsNullOrWhiteSpace(url) && !(Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"))
            {
                throw new AcdStartupException($"{key} must be an absolute http(s) URL, not '{url}'");
            }
        }
    }

    private static T Bind<T>(IConfiguration configuration, string section) where T : new()
    {
        try
        {
            return configuration.GetSection(section).Get<T>() ?? new T();
        }
        catch (InvalidOperationException e)
        {
            // The binder's own words name the key and the type: "Failed to convert configuration value at 'Acd:…' to type 'System.Int32'."
            throw new AcdStartupException(e.Message);
        }
    }

    private static void Require(bool holds, string key, string what)
    {
        if (!holds)
        {
            throw new AcdStartupException($"{key} must be {what}");
        }
    }
}
