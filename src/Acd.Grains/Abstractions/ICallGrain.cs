using Orleans.Concurrency;

namespace Acd.Grains.Abstractions;

/// <summary>Why telephony could not create a leg.</summary>
public enum LegFailure
{
    /// <summary>The network refused that destination (a 4xx, such as a bad contact): the phone cannot be rung, a miss.</summary>
    Refused,

    /// <summary>It gave up after transient errors (or the request was lost with a process): not the agent's doing.</summary>
    GaveUp,

    /// <summary>The call's conference has ended (Twilio: 404), so the customer has left: the call ends.</summary>
    ConferenceGone,
}

public enum TransferMode
{
    /// <summary>The customer is routed again (holding), the transferring agent leaves at once.</summary>
    Cold,

    /// <summary>The customer holds while the agents talk; then the first agent leaves, or cancels and resumes.</summary>
    Warm,
}

/// <summary>A transfer asked for by the agent on the call: to a queue (routed again with the original age) or to an agent.</summary>
[GenerateSerializer, Immutable, Alias("acd.TransferRequest")]
public sealed record TransferRequest(
    [property: Id(0)] string FromAgentId,
    [property: Id(1)] TransferMode Mode,
    [property: Id(2)] string? ToQueueId,
    [property: Id(3)] string? ToAgentId);

public enum SupervisorAction
{
    /// <summary>Listen: the supervisor's leg joins muted.</summary>
    Monitor,

    /// <summary>Whisper: only the agent hears the supervisor.</summary>
    Coach,

    /// <summary>Speak to both: unmuted, no longer coaching.</summary>
    Barge,

    /// <summary>Hang up the supervisor's leg.</summary>
    Leave,
}

/// <summary>An agent's outbound call to a number.</summary>
[GenerateSerializer, Immutable, Alias("acd.OutboundStart")]
public sealed record OutboundStart(
    [property: Id(0)] string AgentId,
    [property: Id(1)] string To,
    [property: Id(2)] string? CallerId,
    [property: Id(3)] string AttributesJson);

/// <summary>
/// A call (key: call id; the caller's CallSid for Twilio calls). Owns the call's lifecycle: routing through its
/// workflow, one offer at a time, connection, wrap-up and the way it ended.
/// </summary>
[Alias("acd.ICallGrain")]
public interface ICallGrain : IGrainWithStringKey
{
    /// <summary>The domain entry point: creates the call and routes it. Idempotent: a repeat returns the call as it is.</summary>
    Task<Outcome<CallView>> StartAsync(CallStart start);

    [ReadOnly, AlwaysInterleave]
    Task<CallView?> GetAsync();

    /// <summary>The call's line in the call list (the list rebuilds itself from these).</summary>
    [ReadOnly, AlwaysInterleave]
    Task<CallSummary?> GetSummaryAsync();

    /// <summary>
    /// Makes sure the call is active: after a restart or a lost silo, activation re-arms its deadlines from storage
    /// and reconciles its legs with the network. Sent by the router's recovery sweep and by agents that hold the call.
    /// </summary>
    [OneWay]
    Task WakeAsync();

    /// <summary>
    /// An agent that holds this call (an offer, a connected call) since <paramref name="heldSince"/> asks whether the call
    /// still names it; the call answers with <see cref="IAgentGrain.ConfirmAsync"/>. Heals a step that stopped halfway
    /// between the two grains.
    /// </summary>
    [OneWay]
    Task VerifyAgentAsync(string agentId, DateTimeOffset heldSince);

    /// <summary>The router paired this waiting call with an agent: make it an offer, or give it back.</summary>
    [OneWay]
    Task OfferMatchedAsync(string agentId, string queueId);

    /// <summary>The call's queue closed by its schedule and plays its message to those waiting: if it still waits there, it ends.</summary>
    [OneWay]
    Task QueueClosedAsync(string queueId, string message);

    /// <summary>The offered agent answered.</summary>
    Task<Outcome<CallView>> AcceptAsync(string agentId);

    /// <summary>The offered agent declined; the call goes back to its place.</summary>
    Task<Outcome<CallView>> RejectAsync(string agentId);

    /// <summary>The offer is taken back because the agent went unavailable.</summary>
    [OneWay]
    Task WithdrawOfferAsync(string agentId);

    /// <summary>The caller hung up: abandoned if waiting, wrap-up if talking.</summary>
    Task<Outcome<CallView>> CallerHungUpAsync();

    /// <summary>
    /// The caller's &lt;Dial&gt; into their conference ended and Twilio asks what next (its <c>action</c>): a waiting caller
    /// who pressed * hears the callback menu (or goes back to wait); anyone else is hung up, or told why the call ends.
    /// </summary>
    Task<WaitExit> CallerLeftWaitAsync(string callSid);

    /// <summary>The caller in the callback menu goes back to wait: the name of their new conference (null: the call is not waiting).</summary>
    Task<string?> KeepWaitingAsync();

    /// <summary>The caller in the callback menu confirmed a number: the call keeps its place as a callback to it.</summary>
    Task<Outcome<CallView>> RequestCallbackAsync(string number);

    /// <summary>The caller in the menu chose to leave a voicemail: the call ends (<c>voicemail</c>) and they record.</summary>
    Task<Outcome<CallView>> LeaveVoicemailAsync();

    /// <summary>The caller's recording is in (Twilio's &lt;Record&gt; action or its recording callback): it becomes the voicemail's call.</summary>
    Task<Outcome<CallView>> VoicemailRecordedAsync(VoicemailRecording recording);

    /// <summary>This call is a voicemail (its id the RecordingSid), waiting in the queue it was left for.</summary>
    Task<Outcome<CallView>> StartVoicemailAsync(VoicemailStart start);

    /// <summary>A callback asked for through the API (<c>POST /api/callbacks</c>): routed now, or at its time.</summary>
    Task<Outcome<CallView>> StartCallbackAsync(CallbackStart start);

    /// <summary>Cancels a callback that has not reached its customer.</summary>
    Task<Outcome<CallView>> CancelCallbackAsync(string? by);

    /// <summary>Ends the call from Acd's side (the agent hangs up; an administrator cancels a waiting call).</summary>
    Task<Outcome<CallView>> HangUpAsync();

    /// <summary>Wrap-up is done: the call is completed and its agent available.</summary>
    Task<Outcome<CallView>> CompleteAsync(string? wrapUpCode = null);

    /// <summary>The agent's wrap-up ended (its timer, or the agent) at <paramref name="endedAt"/>: the call, or the agent's part of it, is completed.</summary>
    [OneWay]
    Task WrapUpEndedAsync(string agentId, DateTimeOffset endedAt);

    /// <summary>
    /// Whether the call still wants a leg it asked for created: live, with no CallSid known yet (the network's callbacks
    /// may have brought it before the create's answer did). Telephony asks before it tries a create again.
    /// </summary>
    [ReadOnly, AlwaysInterleave]
    Task<bool> WantsLegAsync(string legId);

    /// <summary>
    /// A ring group's leg answered and Twilio asks what it is to do (<paramref name="digits"/>: the key pressed, if asked;
    /// <paramref name="whispered"/>: the agent heard the queue's name). The first of the group to take the call is put
    /// through; every later one hears that it was taken. Decided in the call's turn, so two answers at once never both win.
    /// </summary>
    Task<StagedAnswer> StagedAnswerAsync(string legId, string callSid, string? digits, bool whispered);

    /// <summary>Telephony created a leg Acd asked for: it now has a CallSid.</summary>
    Task LegCreatedAsync(string legId, string callSid);

    /// <summary>Telephony could not create a leg; <paramref name="failure"/> says why. The leg's offer ends, and the call goes on.</summary>
    Task LegFailedAsync(string legId, string reason, LegFailure failure);

    /// <summary>A leg's status callback: initiated, ringing, in progress, completed, busy, no answer, failed, canceled.</summary>
    Task LegStatusAsync(LegStatusReport report);

    /// <summary>A conference status callback. The first one gives the ConferenceSid. Duplicates and late arrivals change nothing.</summary>
    Task ConferenceEventAsync(ConferenceEventReport report);

    /// <summary>
    /// The network has no live conference under the call's name (a look-up while reconciling): a conference Acd asked to
    /// end whose SID never came has nothing left to end.
    /// </summary>
    Task ConferenceNotLiveAsync();

    /// <summary>Puts the customer on hold (hold music; nobody leaves the conference) or takes them off it.</summary>
    Task<Outcome<CallView>> HoldAsync(string agentId, bool hold);

    /// <summary>Mutes or unmutes the agent's own leg.</summary>
    Task<Outcome<CallView>> MuteAsync(string agentId, bool muted);

    /// <summary>Transfers the call to a queue or an agent, cold or warm.</summary>
    Task<Outcome<CallView>> TransferAsync(TransferRequest request);

    /// <summary>Warm transfer: the first agent leaves, the consulted agent keeps the customer.</summary>
    Task<Outcome<CallView>> CompleteTransferAsync(string agentId);

    /// <summary>Warm transfer called off: the consulted agent's leg goes, the first agent resumes with the customer.</summary>
    Task<Outcome<CallView>> CancelTransferAsync(string agentId);

    /// <summary>A supervisor monitors, coaches, barges into or leaves the call.</summary>
    Task<Outcome<CallView>> SuperviseAsync(string supervisorId, SupervisorAction action);

    /// <summary>An agent calls a number: both legs join a fresh conference through the Participants API (rule 4).</summary>
    Task<Outcome<CallView>> StartOutboundAsync(OutboundStart start);
}
