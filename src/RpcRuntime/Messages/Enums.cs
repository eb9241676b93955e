namespace NetRpc.Runtime.Messages;

/// <summary>msg_type (RFC 5531 section 9).</summary>
public enum MessageType
{
    /// <summary>A call.</summary>
    Call = 0,

    /// <summary>A reply.</summary>
    Reply = 1,
}

/// <summary>reply_stat: whether the server accepted the call (RFC 5531 section 9).</summary>
public enum ReplyStatus
{
    /// <summary>MSG_ACCEPTED: see <see cref="AcceptStatus"/>.</summary>
    Accepted = 0,

    /// <summary>MSG_DENIED: see <see cref="RejectStatus"/>.</summary>
    Denied = 1,
}

/// <summary>accept_stat (RFC 5531 section 9).</summary>
public enum AcceptStatus
{
    /// <summary>SUCCESS: the results follow.</summary>
    Success = 0,

    /// <summary>PROG_UNAVAIL: the program is not served here.</summary>
    ProgramUnavailable = 1,

    /// <summary>PROG_MISMATCH: the version is not served; the lowest and highest that are follow.</summary>
    ProgramMismatch = 2,

    /// <summary>PROC_UNAVAIL: the program has no such procedure.</summary>
    ProcedureUnavailable = 3,

    /// <summary>GARBAGE_ARGS: the arguments could not be decoded.</summary>
    GarbageArguments = 4,

    /// <summary>SYSTEM_ERR: the server failed (for example, the procedure threw).</summary>
    SystemError = 5,
}

/// <summary>reject_stat (RFC 5531 section 9).</summary>
public enum RejectStatus
{
    /// <summary>RPC_MISMATCH: the RPC version is not 2; the lowest and highest supported follow.</summary>
    RpcMismatch = 0,

    /// <summary>AUTH_ERROR: authentication failed; an <see cref="AuthStatus"/> follows.</summary>
    AuthError = 1,
}

/// <summary>auth_stat (RFC 5531 section 9; 13 and 14 from RFC 2203).</summary>
public enum AuthStatus
{
    /// <summary>AUTH_OK.</summary>
    Ok = 0,

    /// <summary>AUTH_BADCRED: bad credential (seal broken).</summary>
    BadCredential = 1,

    /// <summary>AUTH_REJECTEDCRED: the client must begin a new session.</summary>
    RejectedCredential = 2,

    /// <summary>AUTH_BADVERF: bad verifier (seal broken).</summary>
    BadVerifier = 3,

    /// <summary>AUTH_REJECTEDVERF: verifier expired or replayed.</summary>
    RejectedVerifier = 4,

    /// <summary>AUTH_TOOWEAK: rejected for security reasons.</summary>
    TooWeak = 5,

    /// <summary>AUTH_INVALIDRESP: bogus response verifier.</summary>
    InvalidResponse = 6,

    /// <summary>AUTH_FAILED: reason unknown.</summary>
    Failed = 7,

    /// <summary>AUTH_KERB_GENERIC.</summary>
    KerberosGeneric = 8,

    /// <summary>AUTH_TIMEEXPIRE.</summary>
    TimeExpired = 9,

    /// <summary>AUTH_TKT_FILE.</summary>
    TicketFile = 10,

    /// <summary>AUTH_DECODE.</summary>
    Decode = 11,

    /// <summary>AUTH_NET_ADDR.</summary>
    NetworkAddress = 12,

    /// <summary>RPCSEC_GSS_CREDPROBLEM.</summary>
    RpcsecGssCredentialProblem = 13,

    /// <summary>RPCSEC_GSS_CTXPROBLEM.</summary>
    RpcsecGssContextProblem = 14,
}

/// <summary>Authentication flavors (RFC 5531 section 8.2; RFC 9289 for AUTH_TLS).</summary>
public enum AuthFlavor
{
    /// <summary>AUTH_NONE.</summary>
    None = 0,

    /// <summary>AUTH_SYS (formerly AUTH_UNIX).</summary>
    Sys = 1,

    /// <summary>AUTH_SHORT.</summary>
    Short = 2,

    /// <summary>AUTH_DH.</summary>
    Dh = 3,

    /// <summary>RPCSEC_GSS.</summary>
    RpcsecGss = 6,

    /// <summary>AUTH_TLS.</summary>
    Tls = 7,
}
