using System.Text;

namespace Acd.Api.Twilio;

/// <summary>Numbers a caller keys in the callback menu, and how the menu reads a number back.</summary>
public static class CallbackNumbers
{
    /// <summary>
    /// The E.164 form of keyed digits: national (a 0 then 9 or 10 digits: 0312345678, 09012345678) under
    /// <paramref name="countryCode"/>; international after 010 (Japan's international prefix) or 00; null otherwise.
    /// </summary>
    public static string? FromKeyed(string? digits, string countryCode)
    {
        if (string.IsNullOrEmpty(digits) || !digits.All(char.IsAsciiDigit))
        {
            return null;
        }
        string? number = digits switch
        {
            ['0', '1', '0', .. var rest] when rest.Length is >= 8 and <= 15 => "+" + rest,
            ['0', '0', .. var rest] when rest.Length is >= 8 and <= 15 => "+" + rest,
            ['0', .. var national] when national.Length is 9 or 10 && national[0] != '0' => "+" + countryCode + national,
            _ => null,
        };
        return number is { Length: <= 16 } ? number : null;
    }

    /// <summary>A number as the menu reads it: digit by digit, in national form when it is of <paramref name="countryCode"/>.</summary>
    public static string Spoken(string number, string countryCode = "81")
    {
        var digits = number.StartsWith("+" + countryCode, StringComparison.Ordinal) ? "0" + number[(1 + countryCode.Length)..] : number.TrimStart('+');
        var spoken = new StringBuilder(digits.Length * 2);
        foreach (var digit in digits)
        {
            if (spoken.Length > 0)
            {
                spoken.Append(' ');
            }
            spoken.Append(digit);
        }
        return spoken.ToString();
    }
}
