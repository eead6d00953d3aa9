namespace Acd.Grains.Routing.Matching;

/// <summary>Service order of waiting calls: higher priority first, then older (FIFO) or newer (LIFO), then arrival.</summary>
internal sealed class CallOrder : IComparer<IndexedCall>
{
    public static readonly CallOrder Fifo = new(lifo: false);
    public static readonly CallOrder Lifo = new(lifo: true);

    private readonly bool _lifo;

    private CallOrder(bool lifo) => _lifo = lifo;

    public static CallOrder For(string taskOrder) =>
        string.Equals(taskOrder, "LIFO", StringComparison.OrdinalIgnoreCase) ? Lifo : Fifo;

    public int Compare(IndexedCall? x, IndexedCall? y)
    {
        if (ReferenceEquals(x, y))
        {
            return 0;
        }
        var c = y!.Call.Priority.CompareTo(x!.Call.Priority);
        if (c != 0)
        {
            return c;
        }
        c = x.Call.AgeOrigin.CompareTo(y.Call.AgeOrigin);
        if (c == 0)
        {
            c = x.Call.Sequence.CompareTo(y.Call.Sequence);
        }
        if (_lifo)
        {
            c = -c;
        }
        return c != 0 ? c : string.CompareOrdinal(x.Id, y.Id);
    }

    /// <summary>Across queues an agent takes the higher priority, then the older call, whatever each queue's order.</summary>
    public static int Across(IndexedCall x, IndexedCall y)
    {
        var c = y.Call.Priority.CompareTo(x.Call.Priority);
        if (c != 0)
        {
            return c;
        }
        c = x.Call.AgeOrigin.CompareTo(y.Call.AgeOrigin);
        if (c != 0)
        {
            return c;
        }
        c = x.Call.Sequence.CompareTo(y.Call.Sequence);
        return c != 0 ? c : string.CompareOrdinal(x.Id, y.Id);
    }
}
