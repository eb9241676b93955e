/*
 * rich_server.c -- RICH_PROG version 1, as rpcgen -N -M declares its procedures; RichService.cs does the same in C#.
 *
 *   ECHO(everything)      the argument
 *   ADD(int a, int b)     a + b
 *   REVERSE(node)         the list in reverse order
 *   NEXT(color)           RED -> GREEN -> BLUE -> RED, NONE -> NONE
 *   CHECK(shape, maybe, counter_t n)
 *                         n == 0: status 9 (the default arm, void); otherwise status 1 with the message
 *                         "<kind>/<sides or 0>/<value or ->/<n>"; a RED shape gives status 0 with ok.d = radius, ok.uh = n
 *   RESET()               the counter to 0
 *   COUNT()               the counter's next value
 */
#include "rich.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static counter_t counter;


bool_t echo_1_svc(everything arg, everything *result, struct svc_req *rqstp)
{
    (void)rqstp;
    /* Encode and decode: a deep copy that the dispatcher's xdr_free can release. */
    static char buffer[1 << 16];
    XDR xdrs;
    xdrmem_create(&xdrs, buffer, sizeof(buffer), XDR_ENCODE);
    if (!xdr_everything(&xdrs, &arg))
        return FALSE;
    xdrmem_create(&xdrs, buffer, xdr_getpos(&xdrs), XDR_DECODE);
    memset(result, 0, sizeof(*result));
    return xdr_everything(&xdrs, result);
}

bool_t add_1_svc(int a, int b, int *result, struct svc_req *rqstp)
{
    (void)rqstp;
    *result = a + b;
    return TRUE;
}

bool_t reverse_1_svc(node arg, node *result, struct svc_req *rqstp)
{
    (void)rqstp;
    node *reversed = NULL;
    for (node *n = &arg; n != NULL; n = n->next) {
        node *copy = calloc(1, sizeof(node));
        copy->label = strdup(n->label);
        copy->weight = n->weight;
        copy->next = reversed;
        reversed = copy;
    }
    *result = *reversed; /* the head by value; the dispatcher frees the rest */
    free(reversed);
    return TRUE;
}

bool_t next_1_svc(color arg, color *result, struct svc_req *rqstp)
{
    (void)rqstp;
    *result = arg == RED ? GREEN : arg == GREEN ? BLUE : arg == BLUE ? RED : NONE;
    return TRUE;
}

bool_t check_1_svc(shape s, maybe m, counter_t n, result *result, struct svc_req *rqstp)
{
    (void)rqstp;
    memset(result, 0, sizeof(*result));
    if (n == 0) {
        result->status = 9;
        return TRUE;
    }
    if (s.kind == RED) {
        result->status = 0;
        result->result_u.ok.d = s.shape_u.radius;
        result->result_u.ok.uh = n;
        result->result_u.ok.c = RED;
        return TRUE;
    }
    char text[64];
    snprintf(text, sizeof(text), "%d/%u/%s/%llu", (int)s.kind, s.kind == GREEN ? s.shape_u.sides.sides_len : 0u,
             m.present ? m.maybe_u.value : "-", (unsigned long long)n);
    result->status = 1;
    result->result_u.message = strdup(text);
    return TRUE;
}

bool_t reset_1_svc(void *result, struct svc_req *rqstp)
{
    (void)result;
    (void)rqstp;
    counter = 0;
    return TRUE;
}

bool_t count_1_svc(counter_t *result, struct svc_req *rqstp)
{
    (void)rqstp;
    *result = ++counter;
    return TRUE;
}

int rich_prog_1_freeresult(SVCXPRT *transp, xdrproc_t xdr_result, caddr_t result)
{
    (void)transp;
    xdr_free(xdr_result, result);
    return 1;
}
