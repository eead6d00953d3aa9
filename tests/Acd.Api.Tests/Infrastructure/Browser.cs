using Microsoft.Playwright;

namespace Acd.Api.Tests.Infrastructure;

/// <summary>Debian's Chromium, headless, driven by Playwright (no browser download), with the flags this machine needs.</summary>
public static class Browser
{
    public const string Missing = "No Chromium here (ACD_TEST_CHROMIUM unset, /usr/bin/chromium missing): .ci/run installs Debian's";

    public static string? Chromium() =>
        Environment.GetEnvironmentVariable("ACD_TEST_CHROMIUM") is { Length: > 0 } configured ? configured
        : File.Exists("/usr/bin/chromium") ? "/usr/bin/chromium"
        : null;

    /// <summary>Without the background-networking flags Chromium's own connections are refused here, many at a time.</summary>
    public static Task<IBrowser> LaunchAsync(IPlaywright playwright, string chromium, params string[] extraArgs) =>
        playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic", .. extraArgs],
        });
}
