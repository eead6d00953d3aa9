namespace Acd.Api.Statistics;

/// <summary>
/// One read shared by whoever asks while another is running: requests that arrive during a read wait for the next one,
/// which starts when the running one ends, and all get its result. Twenty dashboards refreshing together cost about
/// what two do. Each caller's result comes from a read that started after the caller asked, so nothing written before
/// a request is missing from its answer.
/// </summary>
public sealed class SharedRead<T>(Func<Task<T>> read)
{
    private readonly Lock _gate = new();
    private TaskCompletionSource<T>? _running;
    private TaskCompletionSource<T>? _next;

    /// <summary>Reads started since this instance was made: what a test reads to see the sharing.</summary>
    public int Reads => Volatile.Read(ref _reads);

    private int _reads;

    public Task<T> ReadAsync()
    {
        TaskCompletionSource<T> round;
        lock (_gate)
        {
            if (_next is not null)
            {
                return _next.Task;
            }
            round = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
            if (_running is not null)
            {
                _next = round;
                return round.Task;
            }
            _running = round;
        }
        _ = RunAsync(round);
        return round.Task;
    }

    private async Task RunAsync(TaskCompletionSource<T> round)
    {
        while (true)
        {
            Interlocked.Increment(ref _reads);
            try
            {
                round.TrySetResult(await read());
            }
            catch (Exception e)
            {
                round.TrySetException(e);
            }
            lock (_gate)
            {
                _running = _next;
                _next = null;
                if (_running is null)
                {
                    return;
                }
                round = _running;
            }
        }
    }
}
