using Acd.Grains.Schedules;

namespace Acd.Grains.Tests.Schedules;

public sealed class ClosedMessagesTests
{
    private static readonly TimeZoneInfo Tokyo = TimeZoneInfo.FindSystemTimeZoneById("Asia/Tokyo");

    private static DateTimeOffset Jst(int month, int day, int hour, int minute = 0) => new(2026, month, day, hour, minute, 0, TimeSpan.FromHours(9));

    [Theory]
    [InlineData(11, 30, 13, 0, "本日13時")]
    [InlineData(12, 1, 9, 0, "明日9時")]
    [InlineData(12, 1, 9, 30, "明日9時30分")]
    [InlineData(12, 4, 9, 0, "12月4日（金）9時")]
    public void TheNextOpeningIsSaidAsACallerSaysIt(int month, int day, int hour, int minute, string expected) =>
        Assert.Equal(expected, ClosedMessages.When(Jst(month, day, hour, minute), Jst(11, 30, 8), Tokyo));

    [Fact]
    public void EachReasonIsToldWithTheNextOpening()
    {
        Assert.Equal("お電話ありがとうございます。ただいまの時間は受付時間外です。受付は明日9時からです。",
            ClosedMessages.For(new ScheduleStatus(false, ClosedReason.OutsideHours, null, Jst(12, 1, 9)), "Asia/Tokyo", Jst(11, 30, 19)));
        Assert.Equal("お電話ありがとうございます。本日は勤労感謝の日のため休業しております。受付は明日9時からです。",
            ClosedMessages.For(new ScheduleStatus(false, ClosedReason.Holiday, "勤労感謝の日", Jst(11, 24, 9)), "Asia/Tokyo", Jst(11, 23, 10)));
        Assert.Equal("お電話ありがとうございます。年末年始のため休業しております。受付は1月4日（月）9時からです。",
            ClosedMessages.For(new ScheduleStatus(false, ClosedReason.Closure, "年末年始", new DateTimeOffset(2027, 1, 4, 9, 0, 0, TimeSpan.FromHours(9))), "Asia/Tokyo", Jst(12, 30, 10)));
        Assert.Equal("お電話ありがとうございます。ただいまの時間は受付時間外です。",
            ClosedMessages.For(new ScheduleStatus(false, ClosedReason.OutsideHours, null, null), "Asia/Tokyo", Jst(12, 30, 10)));
    }

    [Fact]
    public void AQueuesOwnMessageIsUsedWithTheNameAndTheNextOpeningFilledIn() =>
        Assert.Equal("夏季休業中です。明日9時にまたどうぞ。",
            ClosedMessages.For(new ScheduleStatus(false, ClosedReason.Closure, "夏季休業", Jst(8, 16, 9)), "Asia/Tokyo", Jst(8, 15, 12), "{name}中です。{next}にまたどうぞ。"));
}
