/* quadruple.c -- see quadruple.h. */
#include "quadruple.h"

#include <string.h>

/* XDR puts the 16 bytes of binary128 big-endian; x86 keeps __float128 little-endian. */
bool_t xdr_quadruple(XDR *xdrs, quadruple *q)
{
    unsigned char wire[16], host[16];
    int i;

    switch (xdrs->x_op) {
    case XDR_ENCODE:
        memcpy(host, q, 16);
        for (i = 0; i < 16; i++) wire[i] = host[15 - i];
        return xdr_opaque(xdrs, (char *)wire, 16);
    case XDR_DECODE:
        if (!xdr_opaque(xdrs, (char *)wire, 16)) return FALSE;
        for (i = 0; i < 16; i++) host[i] = wire[15 - i];
        memcpy(q, host, 16);
        return TRUE;
    case XDR_FREE:
        return TRUE;
    }
    return FALSE;
}
