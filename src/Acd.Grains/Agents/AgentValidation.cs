using System.Text.Json;
using System.Text.RegularExpressions;
using Acd.Grains.Abstractions;

namespace Acd.Grains.Agents;

public static partial class AgentValidation
{
    public static Problem? Check(AgentDefinition d)
    {
        if (!Ids.IsValid(d.Id))
        {
            return Problem.Invalid("id", Ids.Rule);
        }
        if (d.FriendlyName.Length > 256)
        {
            return Problem.Invalid("friendly_name", "At most 256 characters");
        }
        if (d.Capacity is < 1 or > 10)
        {
            return Problem.Invalid("capacity", "Must be between 1 and 10");
        }
        JsonElement attributes;
        try
        {
            attributes = Json.ParseElement(d.AttributesJson);
        }
        catch (JsonException e)
        {
            return Problem.Invalid("attributes", $"Not valid JSON: {e.Message}");
        }
        if (attributes.ValueKind != JsonValueKind.Object)
        {
            return Problem.Invalid("attributes", "Must be a JSON object");
        }
        if (attributes.TryGetProperty("contact_uri", out var uri))
        {
            if (uri.ValueKind != JsonValueKind.String || !IsContactUri(uri.GetString()!))
            {
                return Problem.Invalid("attributes.contact_uri", "Must be client:<identity>, sip:<address> or an E.164 number such as +81312345678");
            }
        }
        return null;
    }

    public static bool IsContactUri(string uri) => ContactUri().IsMatch(uri);

    /// <summary>An E.164 telephone number (a callback goes to a phone, not a client or SIP address).</summary>
    public static bool IsPhoneNumber(string? number) => number is not null && PhoneNumber().IsMatch(number);

    [GeneratedRegex(@"^\+[1-9][0-9]{6,14}$")]
    private static partial Regex PhoneNumber();

    [GeneratedRegex(@"^(client:[A-Za-z0-9_.@\-]{1,121}|sips?:[^\s]{3,250}|\+[1-9][0-9]{6,14})$")]
    private static partial Regex ContactUri();
}
