using System.Security.Cryptography;
using System.Text;

namespace Acd.Twilio.Fake;

/// <summary>Twilio's request signature: Base64(HMAC-SHA1(auth token, URL + each parameter name and value, sorted by name)).</summary>
public static class Signatures
{
    public static string Sign(string authToken, string url, IEnumerable<KeyValuePair<string, string>> parameters)
    {
        var data = new StringBuilder(url);
        foreach (var (key, value) in parameters.OrderBy(p => p.Key, StringComparer.Ordinal).ThenBy(p => p.Value, StringComparer.Ordinal))
        {
            data.Append(key).Append(value);
        }
#pragma warning disable CA5350 // Twilio's signature is HMAC-SHA1 by definition.
        using var hmac = new HMACSHA1(Encoding.UTF8.GetBytes(authToken));
#pragma warning restore CA5350
        return Convert.ToBase64String(hmac.ComputeHash(Encoding.UTF8.GetBytes(data.ToString())));
    }
}
