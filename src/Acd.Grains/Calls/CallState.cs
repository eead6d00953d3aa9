using Acd.Grains.Abstractions;
using Acd.Grains.Calls.Lifecycle;

namespace Acd.Grains.Calls;

/// <summary>
/// A call's stored state: a few facts of its own and the lifecycle's parts. Field ids are a storage format: ids below
/// 60 that are not declared here belong to the shape stored before the parts (<c>CallState.Stored.cs</c>), read
/// once and upgraded on load (<see cref="StoredCallState"/>).
/// </summary>
[GenerateSerializer, Alias("acd.CallState")]
public sealed partial record CallState
{
    /// <summary>The shape of state this version writes; 0 is the flat state of earlier versions.</summary>
    public const int CurrentShape = 2;

    [Id(0)] public bool Exists { get; set; }

    [Id(1)] public CallStatus Status { get; set; }

    [Id(2)] public DateTimeOffset StatusSince { get; set; }

    [Id(3)] public string AttributesJson { get; set; } = "{}";

    /// <summary>The agent connected to the call (or wrapping it up).</summary>
    [Id(16)] public string? AgentId { get; set; }

    [Id(19)] public string? EndReason { get; set; }

    /// <summary>What the caller is told when Acd gives up (closed, overflow, no route).</summary>
    [Id(21)] public string? Message { get; set; }

    /// <summary>Bumped on every save; orders the one-way updates the call list receives.</summary>
    [Id(33)] public long Version { get; set; }

    /// <summary>The agent being consulted in a warm transfer.</summary>
    [Id(38)] public string? ConsultAgentId { get; set; }

    /// <summary>Whom an outbound call dials, and the caller ID its customer leg shows.</summary>
    [Id(41)] public string? OutboundTo { get; set; }

    [Id(42)] public string? OutboundCallerId { get; set; }

    /// <summary>Agents who transferred the call away and are wrapping it up, with when they left.</summary>
    [Id(50)] public Dictionary<string, DateTimeOffset> WrappingAfterTransfer { get; set; } = new(StringComparer.Ordinal);

    [Id(60)] public int Shape { get; set; }

    [Id(61)] public CallKind Kind { get; set; }

    [Id(62)] public CallLegs Legs { get; set; } = new();

    [Id(63)] public OfferBook Offers { get; set; } = new();

    [Id(64)] public CallRouting Routing { get; set; } = new();

    [Id(65)] public CallConference Conference { get; set; } = new();

    [Id(66)] public CallFigures Figures { get; set; } = new();

    [Id(67)] public CallTeardown Teardown { get; set; } = new();

    /// <summary>The disposition codes the agent may choose from in wrap-up (the queue's, when the talk ended), and the one chosen.</summary>
    [Id(68)] public List<string>? WrapUpCodes { get; set; }

    [Id(69)] public string? WrapUpCode { get; set; }

    /// <summary>A callback's number and attempts (<see cref="CallKind.Callback"/>).</summary>
    [Id(70)] public CallCallback? Callback { get; set; }

    /// <summary>A voicemail: on the call a caller left it from, where it may be recorded and which call it became; on that call, the recording.</summary>
    [Id(71)] public CallVoicemail? Voicemail { get; set; }
}
