using NetRpc.Runtime.Messages;

namespace NetRpc.Runtime.Auth;

/// <summary>
/// How a server checks the credential of one flavor. AUTH_NONE and AUTH_SYS are built in; register others in
/// <see cref="Server.RpcServerOptions.Authenticators"/>. A flavor without an authenticator is answered with
/// AUTH_ERROR (REJECTEDCRED), as libtirpc answers.
/// </summary>
public abstract class RpcAuthenticator
{
    /// <summary>The flavor checked.</summary>
    public abstract AuthFlavor Flavor { get; }

    /// <summary>Checks a call's credential and verifier.</summary>
    /// <param name="call">The call header.</param>
    /// <param name="principal">What the handler sees as <see cref="Server.RpcCallContext.Principal"/>.</param>
    /// <returns><see cref="AuthStatus.Ok"/> to accept, or the reason to refuse (sent as AUTH_ERROR).</returns>
    public abstract AuthStatus Authenticate(in CallHeader call, out object? principal);

    /// <summary>AUTH_NONE: accepts any call (whatever its verifier), with no principal.</summary>
    public static RpcAuthenticator None { get; } = new NoneAuthenticator();

    /// <summary>AUTH_SYS: accepts a well-formed credential (at most 255-byte name, 16 gids, exact length), principal <see cref="AuthSysParameters"/>; anything else is BADCRED.</summary>
    public static RpcAuthenticator Sys { get; } = new SysAuthenticator();

    private sealed class NoneAuthenticator : RpcAuthenticator
    {
        public override AuthFlavor Flavor => AuthFlavor.None;

        public override AuthStatus Authenticate(in CallHeader call, out object? principal)
        {
            principal = null;
            return AuthStatus.Ok;
        }
    }

    private sealed class SysAuthenticator : RpcAuthenticator
    {
        public override AuthFlavor Flavor => AuthFlavor.Sys;

        public override AuthStatus Authenticate(in CallHeader call, out object? principal)
        {
            principal = AuthSysParameters.TryParse(call.Credential.Body.Span);
            return principal is null ? AuthStatus.BadCredential : AuthStatus.Ok;
        }
    }
}
