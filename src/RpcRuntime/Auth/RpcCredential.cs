using NetRpc.Runtime.Messages;

namespace NetRpc.Runtime.Auth;

/// <summary>
/// What a client sends to authenticate its calls: a credential and a verifier, and the check of the
/// verifier the server returns. AUTH_NONE and AUTH_SYS are built in; derive from this class for other
/// flavors (RPCSEC_GSS, AUTH_TLS).
/// </summary>
public abstract class RpcCredential
{
    /// <summary>AUTH_NONE: no credential.</summary>
    public static RpcCredential None { get; } = new Fixed(OpaqueAuth.None);

    /// <summary>The credential sent with each call.</summary>
    public abstract OpaqueAuth Credential { get; }

    /// <summary>The verifier sent with each call; AUTH_NONE unless the flavor needs one.</summary>
    public virtual OpaqueAuth Verifier => OpaqueAuth.None;

    /// <summary>AUTH_SYS with the given parameters.</summary>
    /// <param name="parameters">Stamp, machine name, ids.</param>
    /// <returns>The credential.</returns>
    public static RpcCredential Sys(AuthSysParameters parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        return new Fixed(parameters.ToCredential());
    }

    /// <summary>AUTH_SYS for this process (<see cref="AuthSysParameters.ForCurrentProcess"/>).</summary>
    /// <returns>The credential.</returns>
    public static RpcCredential SysForCurrentProcess() => Sys(AuthSysParameters.ForCurrentProcess());

    /// <summary>Checks the verifier of a reply. AUTH_NONE and AUTH_SYS accept any (servers send AUTH_NONE).</summary>
    /// <param name="verifier">The reply's verifier.</param>
    /// <returns>False to fail the call with AUTH_INVALIDRESP.</returns>
    public virtual bool ValidateReplyVerifier(in OpaqueAuth verifier) => true;

    private sealed class Fixed(OpaqueAuth credential) : RpcCredential
    {
        public override OpaqueAuth Credential { get; } = credential;
    }
}
