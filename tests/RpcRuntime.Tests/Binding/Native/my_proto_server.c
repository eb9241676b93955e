/*
 * The C server of the rpcbind tests: rpcgen's own main (my_proto_svc.c) registers TEST_PROG with the host's
 * rpcbind through svc_register, as every rpcgen server does; TEST answers 100.
 */
#include "my_proto.h"

long *test_1_svc(void *argp, struct svc_req *rqstp)
{
    static long result;
    (void)argp;
    (void)rqstp;
    result = 100;
    return &result;
}
