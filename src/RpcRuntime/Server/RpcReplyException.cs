using NetRpc.Runtime.Messages;

namespace NetRpc.Runtime.Server;

/// <summary>
/// Thrown by a procedure's handler to answer its call otherwise than with results: with a reply status such as
/// SYSTEM_ERR, with MSG_DENIED AUTH_ERROR (the caller may not do this), or with no reply at all (as an rpcgen
/// server function that returns NULL). The server does not log it as a failure.
/// </summary>
public sealed class RpcReplyException : Exception
{
    private RpcReplyException(string message, AcceptStatus? status, AuthStatus? denial, uint low = 0, uint high = 0)
        : base(message)
    {
        Status = status;
        Denial = denial;
        Low = low;
        High = high;
    }

    /// <summary>The reply's accept status, or null for a denial or no reply.</summary>
    public AcceptStatus? Status { get; }

    /// <summary>PROG_MISMATCH: the lowest version supported.</summary>
    public uint Low { get; }

    /// <summary>PROG_MISMATCH: the highest version supported.</summary>
    public uint High { get; }

    /// <summary>The auth_stat of a MSG_DENIED AUTH_ERROR reply, or null.</summary>
    public AuthStatus? Denial { get; }

    /// <summary>True when no reply is sent.</summary>
    public bool NoReply => Status is null && Denial is null;

    /// <summary>No reply is sent; the caller times out (or retransmits).</summary>
    /// <returns>The exception to throw.</returns>
    public static RpcReplyException WithoutReply() => new("The call is answered with no reply.", null, null);

    /// <summary>The call is refused with MSG_DENIED AUTH_ERROR and <paramref name="status"/> (AUTH_TOOWEAK: the caller may not do this).</summary>
    /// <param name="status">The auth_stat.</param>
    /// <returns>The exception to throw.</returns>
    public static RpcReplyException Denied(AuthStatus status) =>
        status == AuthStatus.Ok ? throw new ArgumentOutOfRangeException(nameof(status), status, "A denial needs an auth_stat other than AUTH_OK.") : new($"The call is denied: {status}.", null, status);

    /// <summary>The call is answered MSG_ACCEPTED with <paramref name="status"/>, which is not SUCCESS.</summary>
    /// <param name="status">The accept status (PROC_UNAVAIL, GARBAGE_ARGS, SYSTEM_ERR, ...).</param>
    /// <returns>The exception to throw.</returns>
    public static RpcReplyException WithStatus(AcceptStatus status) =>
        status is AcceptStatus.Success or AcceptStatus.ProgramMismatch
            ? throw new ArgumentOutOfRangeException(nameof(status), status, "SUCCESS has results, and PROG_MISMATCH has versions: use WithProgramMismatch.")
            : new($"The call is answered {status}.", status, null);

    /// <summary>The call is answered MSG_ACCEPTED PROG_MISMATCH with the versions supported (as rpcbind's INDIRECT does for the program it forwards to).</summary>
    /// <param name="low">The lowest version supported.</param>
    /// <param name="high">The highest version supported.</param>
    /// <returns>The exception to throw.</returns>
    public static RpcReplyException WithProgramMismatch(uint low, uint high) =>
        new($"The call is answered PROG_MISMATCH ({low}, {high}).", AcceptStatus.ProgramMismatch, null, low, high);
}
