/*
 * rpcgen treats quadruple as a user type and calls xdr_quadruple. libtirpc's header declares
 * xdr_quadruple(XDR *, long double *) without defining it, and x86 long double is the 80-bit
 * format, not binary128; so the generated code is pointed at our own routine for GCC's
 * __float128, which is IEEE binary128.
 */
#ifndef XDRCHECK_QUAD_H
#define XDRCHECK_QUAD_H
#include <rpc/rpc.h>
typedef __float128 quadruple;
#define xdr_quadruple xdrcheck_quadruple
bool_t xdr_quadruple(XDR *xdrs, quadruple *q);
#endif
