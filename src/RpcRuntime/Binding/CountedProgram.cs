using NetRpc.Runtime.Server;
using NetRpc.Xdr;

namespace NetRpc.Runtime.Binding;

/// <summary>
/// A binder version's program as native rpcbind dispatches it: every call is counted for GETSTAT the moment it is
/// dispatched, before its arguments are decoded or its caller is checked (rpcbs_procinfo comes first in rpcbind's
/// dispatch functions), so undecodable and refused calls count too (observed, docs/rpcbind.md). And calls to forward (CALLIT, BCAST, INDIRECT) are dropped unanswered, before their arguments
/// are read, when they come over a stream, as rpcbind's rpcbproc_callit_com drops them; CALLIT and BCAST whose
/// arguments do not decode get no reply either.
/// </summary>
internal static class CountedProgram
{
    public static RpcProgram Wrap(RpcProgram program, RpcbindStatistics statistics)
    {
        uint binder = program.Version;
        var procedures = new Dictionary<uint, ProcedureHandler>();
        foreach (uint procedure in program.Procedures)
        {
            procedures[procedure] = new Counted(program.Find(procedure)!, statistics, binder, procedure);
        }

        return new RpcProgram(program.Program, program.Version, program.Name, procedures);
    }

    private sealed class Counted(ProcedureHandler inner, RpcbindStatistics statistics, uint binder, uint procedure) : ProcedureHandler(inner.Name)
    {
        /// <summary>CALLIT in v2 and v3, BCAST in v4 (all procedure 5), and v4's INDIRECT.</summary>
        private readonly bool _forwards = procedure == Rpcbind.RpcbindV4.Bcast || (binder == 4 && procedure == Rpcbind.RpcbindV4.Indirect);

        public override Task<ResultWriter>? Invoke(ref XdrReader arguments, RpcCallContext context, ref XdrWriter results)
        {
            statistics.Called(binder, procedure);

            if (!_forwards)
            {
                return inner.Invoke(ref arguments, context, ref results);
            }

            if (!Caller.Of(context).IsDatagram)
            {
                throw RpcReplyException.WithoutReply();
            }

            try
            {
                return inner.Invoke(ref arguments, context, ref results);
            }
            catch (XdrException) when (procedure != Rpcbind.RpcbindV4.Indirect)
            {
                throw RpcReplyException.WithoutReply();
            }
        }
    }
}
