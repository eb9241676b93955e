/* my_proto_server.c -- the classic rpcgen example's server: TEST returns 100. */
#include "my_proto.h"

bool_t test_1_svc(void *argp, long *result, struct svc_req *rqstp)
{
    (void)argp;
    (void)rqstp;
    *result = 100;
    return TRUE;
}

int test_prog_1_freeresult(SVCXPRT *transp, xdrproc_t xdr_result, caddr_t result)
{
    (void)transp;
    xdr_free(xdr_result, result);
    return 1;
}
