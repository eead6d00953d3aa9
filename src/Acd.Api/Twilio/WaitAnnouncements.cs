using System.Collections.Concurrent;

namespace Acd.Api.Twilio;

/// <summary>
/// When each waiting caller was last told their estimated wait, so that it is said as they start waiting and then at
/// most every <c>announce_every_seconds</c> of their queue. Twilio asks for the wait TwiML again each time the music
/// ends, so that is how often the caller can be told; kept in this node's memory (in a cluster a caller whose requests
/// reach another node may be told a little sooner).
/// </summary>
public sealed class WaitAnnouncements(TimeProvider time)
{
    private static readonly TimeSpan Forget = TimeSpan.FromHours(2);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _told = new(StringComparer.Ordinal);

    /// <summary>Whether to tell the caller now; noted as told when it is.</summary>
    public bool Due(string callId, int everySeconds)
    {
        if (everySeconds <= 0)
        {
            return false;
        }
        var now = time.GetUtcNow();
        if (_told.Count > 10_000)
        {
            foreach (var (id, at) in _told)
            {
                if (now - at > Forget)
                {
                    _told.TryRemove(id, out _);
                }
            }
        }
        if (_told.TryGetValue(callId, out var last) && now - last < TimeSpan.FromSeconds(everySeconds))
        {
            return false;
        }
        _told[callId] = now;
        return true;
    }

    /// <summary>
    /// The estimate as a caller hears it: whole minutes, rounded up (a caller would rather be connected early than late),
    /// at least one; above 30 minutes, "more than 30 minutes".
    /// </summary>
    public static string Phrase(double seconds, bool japanese)
    {
        var minutes = Math.Max(1, (int)Math.Ceiling(seconds / 60));
        return (minutes > 30, japanese) switch
        {
            (true, true) => "お待ちいただく時間は、30分以上の見込みです。",
            (true, false) => "Your wait is expected to be more than 30 minutes.",
            (false, true) => $"お待ちいただく時間は、およそ{minutes}分です。",
            (false, false) => minutes == 1 ? "Your estimated wait is about 1 minute." : $"Your estimated wait is about {minutes} minutes.",
        };
    }
}
