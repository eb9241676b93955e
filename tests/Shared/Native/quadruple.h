/*
 * quadruple.h -- XDR quadruple for rpcgen-generated C, shared by the native sides of the tests.
 *
 * rpcgen treats quadruple as a user type and calls xdr_quadruple. libtirpc's header declares
 * xdr_quadruple(XDR *, long double *) without defining it, and x86 long double is the 80-bit
 * format, not binary128; so generated code is pointed at quadruple.c's routine for GCC's
 * __float128, which is IEEE binary128. Compile with -include quadruple.h.
 */
#ifndef NETRPC_TEST_QUADRUPLE_H
#define NETRPC_TEST_QUADRUPLE_H
#include <rpc/rpc.h>
typedef __float128 quadruple;
#define xdr_quadruple netrpc_test_xdr_quadruple
bool_t xdr_quadruple(XDR *xdrs, quadruple *q);
#endif
