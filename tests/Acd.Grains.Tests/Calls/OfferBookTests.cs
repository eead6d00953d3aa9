using Acd.Grains.Abstractions;
using Acd.Grains.Calls.Lifecycle;

namespace Acd.Grains.Tests.Calls;

public sealed class OfferBookTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 29, 9, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Dispatch = TimeSpan.FromMinutes(2);

    private static (OfferBook Book, Offer Offer, Leg Leg) Paced()
    {
        var legs = new CallLegs();
        var leg = legs.Add("c1", LegRole.Agent, "alice");
        var book = new OfferBook();
        return (book, book.Open("alice", leg.LegId, OfferKind.Queue, "q", T0, ringSeconds: 15, sentAtOnce: false, Dispatch), leg);
    }

    [Fact]
    public void TheRingTimeRunsFromWhenTheLegIsSentNotFromTheRequest()
    {
        var (book, offer, leg) = Paced();
        Assert.Null(offer.RingsUntil);
        Assert.Empty(book.Due(T0.AddSeconds(20))); // still waiting in the account's pace: no miss

        Assert.True(book.Sent(leg.LegId, T0.AddSeconds(30)));

        Assert.Equal(T0.AddSeconds(45), offer.RingsUntil);
        Assert.Empty(book.Due(T0.AddSeconds(44)));
        Assert.Equal([(offer, OfferOutcome.Missed)], book.Due(T0.AddSeconds(45)));
    }

    [Fact]
    public void ALegNeverSentIsWithdrawnNotMissed()
    {
        var (book, offer, _) = Paced();

        Assert.Equal([(offer, OfferOutcome.Withdrawn)], book.Due(T0 + Dispatch));
    }

    [Fact]
    public void RingingStartsTheRingTimeOnceAndReportsItOnce()
    {
        var (book, offer, leg) = Paced();

        Assert.Equal(OfferVerdict.Ringing, book.OnLeg(leg.LegId, CallLegs.Report(leg, LegStatus.Ringing, null), T0.AddSeconds(3)));
        Assert.Equal(OfferVerdict.None, book.OnLeg(leg.LegId, CallLegs.Report(leg, LegStatus.Ringing, null), T0.AddSeconds(4)));
        Assert.Equal(T0.AddSeconds(18), offer.RingsUntil);
    }

    [Theory]
    [InlineData(LegStatus.InProgress, OfferVerdict.Answered)]
    [InlineData(LegStatus.Completed, OfferVerdict.AnsweredAndLeft)]
    [InlineData(LegStatus.Busy, OfferVerdict.Missed)]
    [InlineData(LegStatus.NoAnswer, OfferVerdict.Missed)]
    [InlineData(LegStatus.Failed, OfferVerdict.Missed)]
    [InlineData(LegStatus.Canceled, OfferVerdict.Withdrawn)]
    public void WhatALegReportMeansForItsOffer(LegStatus status, OfferVerdict verdict)
    {
        var (book, _, leg) = Paced();

        Assert.Equal(verdict, book.OnLeg(leg.LegId, CallLegs.Report(leg, status, null), T0));
    }

    [Fact]
    public void SeveralOffersOfOneCallCanBeLiveAndEndApart()
    {
        var legs = new CallLegs();
        var book = new OfferBook();
        var a = book.Open("alice", legs.Add("c1", LegRole.Agent, "alice").LegId, OfferKind.Queue, "q", T0, 15, sentAtOnce: true, Dispatch);
        var b = book.Open("bob", legs.Add("c1", LegRole.Agent, "bob").LegId, OfferKind.Queue, "q", T0.AddSeconds(5), 15, sentAtOnce: true, Dispatch);

        Assert.Equal(2, book.Live.Count);
        Assert.Same(b, book.For("bob"));
        book.End(a, OfferOutcome.Answered);

        Assert.Equal([b], book.Live);
        Assert.Equal(2, book.Count);
        Assert.Equal(T0.AddSeconds(20), book.NextDeadline);
    }
}
