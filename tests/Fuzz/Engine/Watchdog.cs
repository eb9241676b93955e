using System.Diagnostics;

namespace NetRpc.Fuzz.Engine;

/// <summary>
/// Catches what a measurement after the input cannot. A hang that never returns: when one input runs ten times its
/// cap (at least 30 s), it prints the input and ends the process with exit code 3 (a thread cannot be stopped safely
/// in .NET, so ending the process is the only clear way out). A crash: an exception escaping a thread of the code
/// under test (a server's) ends the process, and the input being run is printed first.
/// </summary>
internal sealed class Watchdog : IDisposable
{
    public const int HangExitCode = 3;

    private readonly string _target;
    private readonly TimeSpan _limit;
    private readonly Thread _thread;
    private readonly CancellationTokenSource _stop = new();
    private volatile byte[]? _input;
    private long _started;

    public Watchdog(string target, TimeSpan cap)
    {
        _target = target;
        _limit = cap * 10 > TimeSpan.FromSeconds(30) ? cap * 10 : TimeSpan.FromSeconds(30);
        _thread = new Thread(Watch) { IsBackground = true, Name = "fuzz watchdog" };
        _thread.Start();
        AppDomain.CurrentDomain.UnhandledException += OnCrash;
    }

    public void Begin(byte[] input)
    {
        Volatile.Write(ref _started, Stopwatch.GetTimestamp());
        _input = input;
    }

    public void End() => _input = null;

    public void Dispose()
    {
        AppDomain.CurrentDomain.UnhandledException -= OnCrash;
        _stop.Cancel();
        _thread.Join();
        _stop.Dispose();
    }

    private void OnCrash(object sender, UnhandledExceptionEventArgs e)
    {
        byte[]? input = _input;
        Console.Error.WriteLine($"CRASH: {_target}: an exception escaped a thread: {e.ExceptionObject}");
        Console.Error.WriteLine(input is null ? "  between inputs" : $"  while running the input ({input.Length} bytes): {Finding.Hex(input, 1 << 16)}");
        Console.Error.Flush();
    }

    private void Watch()
    {
        while (!_stop.Token.WaitHandle.WaitOne(TimeSpan.FromMilliseconds(250)))
        {
            byte[]? input = _input;
            if (input is not null && Stopwatch.GetElapsedTime(Volatile.Read(ref _started)) > _limit && ReferenceEquals(input, _input))
            {
                Console.Error.WriteLine($"HANG: {_target} has run one input for more than {_limit.TotalSeconds:F0} s; stopping the process.");
                Console.Error.WriteLine($"  input ({input.Length} bytes): {Finding.Hex(input, 1 << 16)}");
                Console.Error.Flush();
                Environment.Exit(HangExitCode);
            }
        }
    }
}
