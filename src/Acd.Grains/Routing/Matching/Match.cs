namespace Acd.Grains.Routing.Matching;

/// <summary>A call and an agent the router paired; the call grain makes it an offer or gives it back.</summary>
public readonly record struct Match(string CallId, string AgentId, string QueueId);
