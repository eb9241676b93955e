using NetRpc.Runtime.Client;
using Polly;
using Polly.Timeout;

namespace NetRpc.Resilience;

/// <summary>
/// The failures of a NetRpc call that trying again can mend, the default of <see cref="RpcRetryStrategyOptions"/> and
/// the predicate to give a circuit breaker (<see cref="Predicate"/>).
/// </summary>
/// <remarks>
/// Transient: <see cref="RpcConnectionException"/> (the connection broke or could not be made; the next call connects
/// again), <see cref="RpcSystemErrorException"/> (SYSTEM_ERR: the server failed running the call, a handler's exception or
/// a resource it lacked for now; it may also be a call whose duplicate request journal says it was interrupted, which is
/// why only idempotent procedures are retried), and Polly's <see cref="TimeoutRejectedException"/> (an attempt's own
/// timeout, inside the retry). Not transient: <see cref="RpcTimeoutException"/>, which means the call's deadline passed,
/// and that deadline bounds every attempt, so another would fail at once; refusals that say the same again
/// (AUTH_ERROR, PROG_UNAVAIL, PROG_MISMATCH, PROC_UNAVAIL, GARBAGE_ARGS, RPC_MISMATCH); undecodable replies;
/// <see cref="RpcSendFailedException"/> (no route, a message too long); <see cref="OperationCanceledException"/>; and
/// any exception that is not NetRpc's or Polly's.
/// </remarks>
public static class RpcTransientFailures
{
    /// <summary>Whether another attempt may succeed where <paramref name="exception"/> failed.</summary>
    /// <param name="exception">What the attempt threw.</param>
    /// <returns>True for the transient failures listed above.</returns>
    public static bool IsTransient(Exception exception) =>
        exception is RpcConnectionException or RpcSystemErrorException or TimeoutRejectedException;

    /// <summary>
    /// <see cref="IsTransient"/> as Polly's predicate: give it to a strategy's <c>ShouldHandle</c> (a circuit breaker's, say),
    /// where it converts to the strategy's argument type.
    /// </summary>
    public static PredicateBuilder<object> Predicate => new PredicateBuilder().Handle<Exception>(IsTransient);
}
