using Acd.Grains.Abstractions;

namespace Acd.Grains.Infrastructure;

/// <summary>"Today" in the contact center's time zone, as a yyyymmdd number.</summary>
internal static class LocalDay
{
    public static int Of(DateTimeOffset instant, AcdOptions options)
    {
        var local = TimeZoneInfo.ConvertTime(instant, options.Zone());
        return (local.Year * 10000) + (local.Month * 100) + local.Day;
    }
}
