using NetRpc.Xdr;

namespace NetRpc.Runtime.Server;

/// <summary>
/// Runs around a server's procedures: logging, timing, authorization, caching. Interceptors are listed in
/// <see cref="RpcServerOptions.Interceptors"/>; the first listed is the outermost, so it sees a call first and its
/// outcome last. Each gets the decoded arguments, the call's <see cref="RpcCallContext"/> (program, version and
/// procedure by number and name, credential and the AUTH_SYS identity, caller, <see cref="RpcCallContext.CallAborted"/>),
/// and <c>next</c>, the rest of the chain ending in the handler. What <c>next</c> returns is the result; what it throws is
/// how the call is answered: an <see cref="RpcReplyException"/> is the reply it names (AUTH_ERROR, PROC_UNAVAIL,
/// SYSTEM_ERR, no reply), anything else is SYSTEM_ERR. An interceptor short-circuits by not calling <c>next</c>: it throws
/// an <see cref="RpcReplyException"/> to refuse the call, or returns results of its own (a cached reply).
/// </summary>
/// <remarks>
/// Interceptors run for calls that reach a procedure: after the credential is checked by its flavor's
/// <see cref="Auth.RpcAuthenticator"/>, after program, version and procedure are found, after the duplicate request
/// cache (a retransmission answered from the cache runs no interceptor) and after the arguments are decoded (so
/// GARBAGE_ARGS never reaches one). NULL (procedure 0) is a procedure like any other and is intercepted too. Both
/// server designs, TCP, UDP and local sockets run the same chain. With no interceptor the dispatch path is the same
/// as before they existed and allocates no more objects (the call's context carries three more references: 24
/// bytes). The base class's methods pass the call on unchanged: override <see cref="InterceptAsync"/> for procedures
/// with one reply, <see cref="InterceptStream"/> for procedures whose reply is a stream; an interceptor that refuses
/// calls (authorization) overrides both.
/// </remarks>
public abstract class RpcServerInterceptor
{
    /// <summary>Runs around a call of a procedure with one reply. The base implementation calls <paramref name="next"/>.</summary>
    /// <typeparam name="TArgs">The arguments.</typeparam>
    /// <typeparam name="TResult">The results.</typeparam>
    /// <param name="arguments">The decoded arguments.</param>
    /// <param name="context">The call.</param>
    /// <param name="next">The next interceptor, or the handler.</param>
    /// <returns>The results to reply with.</returns>
    /// <exception cref="RpcReplyException">The call is answered otherwise than with results.</exception>
    public virtual ValueTask<TResult> InterceptAsync<TArgs, TResult>(TArgs arguments, RpcCallContext context, RpcHandler<TArgs, TResult> next)
        where TArgs : IXdrCodec<TArgs>
        where TResult : IXdrCodec<TResult>
    {
        ArgumentNullException.ThrowIfNull(next);
        return next(arguments, context);
    }

    /// <summary>
    /// Runs around a call of a procedure whose reply is a stream (<see cref="RpcProgramBuilder.AddStreamedProcedure"/>).
    /// Throwing here, or from the returned sequence before its first element, answers the call as a handler's failure
    /// does (its <see cref="RpcReplyException"/>, or SYSTEM_ERR); once elements have gone out the reply cannot be taken
    /// back and a failure closes the connection. The base implementation calls <paramref name="next"/>.
    /// </summary>
    /// <typeparam name="TArgs">The arguments.</typeparam>
    /// <typeparam name="TElement">The stream's elements.</typeparam>
    /// <param name="arguments">The decoded arguments.</param>
    /// <param name="context">The call; <see cref="RpcCallContext.CallAborted"/> is also the enumeration's cancellation token.</param>
    /// <param name="next">The next interceptor, or the handler.</param>
    /// <returns>The elements to reply with.</returns>
    /// <exception cref="RpcReplyException">The call is answered otherwise than with a stream.</exception>
    public virtual IAsyncEnumerable<TElement> InterceptStream<TArgs, TElement>(TArgs arguments, RpcCallContext context, RpcStreamHandler<TArgs, TElement> next)
        where TArgs : IXdrCodec<TArgs>
        where TElement : IXdrCodec<TElement>
    {
        ArgumentNullException.ThrowIfNull(next);
        return next(arguments, context);
    }
}

/// <summary>Builds a procedure's handler wrapped in a server's interceptors, once per procedure and interceptor list.</summary>
internal static class ServerInterception
{
    public static RpcHandler<TArgs, TResult> Wrap<TArgs, TResult>(RpcServerInterceptor[] interceptors, RpcHandler<TArgs, TResult> handler)
        where TArgs : IXdrCodec<TArgs>
        where TResult : IXdrCodec<TResult>
    {
        RpcHandler<TArgs, TResult> next = handler;
        for (int i = interceptors.Length - 1; i >= 0; i--)
        {
            RpcServerInterceptor interceptor = interceptors[i];
            RpcHandler<TArgs, TResult> inner = next;
            next = (arguments, context) => interceptor.InterceptAsync(arguments, context, inner);
        }

        return next;
    }

    public static RpcStreamHandler<TArgs, TElement> Wrap<TArgs, TElement>(RpcServerInterceptor[] interceptors, RpcStreamHandler<TArgs, TElement> handler)
        where TArgs : IXdrCodec<TArgs>
        where TElement : IXdrCodec<TElement>
    {
        RpcStreamHandler<TArgs, TElement> next = handler;
        for (int i = interceptors.Length - 1; i >= 0; i--)
        {
            RpcServerInterceptor interceptor = interceptors[i];
            RpcStreamHandler<TArgs, TElement> inner = next;
            next = (arguments, context) => interceptor.InterceptStream(arguments, context, inner);
        }

        return next;
    }
}

/// <summary>
/// A handler wrapped for one interceptor list: kept by the procedure so that the chain is built once, not per call. A
/// procedure served by two servers with different lists builds it again when the list changes (correct, if slower).
/// </summary>
internal sealed class WrappedHandler<THandler>(RpcServerInterceptor[] interceptors, THandler handler)
    where THandler : Delegate
{
    public RpcServerInterceptor[] Interceptors { get; } = interceptors;

    public THandler Handler { get; } = handler;
}
