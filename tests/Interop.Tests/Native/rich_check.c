/*
 * rich_check.c -- the libtirpc side of the generated code's byte-for-byte tests, over rich.x.
 *
 *   rich_check sample N        the hex of everything sample N (rich_samples.c), encoded by rpcgen's code
 *   rich_check roundtrip TYPE  for each hex line: decode a TYPE, encode it again, print the hex
 *                              (or "ERROR decode" / "ERROR encode"); TYPE: everything, shape, maybe,
 *                              result, tagged, node, primitives
 */
#include "rich_samples.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_MESSAGE (1 << 20)

static unsigned char buffer[MAX_MESSAGE];
static unsigned char input[MAX_MESSAGE];

static void print_hex(const unsigned char *bytes, unsigned int length)
{
    for (unsigned int i = 0; i < length; i++)
        printf("%02x", bytes[i]);
    printf("\n");
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Encodes *value with proc and prints the hex; 0 when the encoding failed. */
static int encode(xdrproc_t proc, void *value)
{
    XDR xdrs;
    xdrmem_create(&xdrs, (char *)buffer, sizeof(buffer), XDR_ENCODE);
    if (!proc(&xdrs, value)) {
        printf("ERROR encode\n");
        return 0;
    }
    print_hex(buffer, xdr_getpos(&xdrs));
    return 1;
}

static size_t type_size(const char *type, xdrproc_t *proc)
{
    if (strcmp(type, "everything") == 0) { *proc = (xdrproc_t)xdr_everything; return sizeof(everything); }
    if (strcmp(type, "shape") == 0) { *proc = (xdrproc_t)xdr_shape; return sizeof(shape); }
    if (strcmp(type, "maybe") == 0) { *proc = (xdrproc_t)xdr_maybe; return sizeof(maybe); }
    if (strcmp(type, "result") == 0) { *proc = (xdrproc_t)xdr_result; return sizeof(result); }
    if (strcmp(type, "tagged") == 0) { *proc = (xdrproc_t)xdr_tagged; return sizeof(tagged); }
    if (strcmp(type, "node") == 0) { *proc = (xdrproc_t)xdr_node; return sizeof(node); }
    if (strcmp(type, "primitives") == 0) { *proc = (xdrproc_t)xdr_primitives; return sizeof(primitives); }
    if (strcmp(type, "narrow") == 0) { *proc = (xdrproc_t)xdr_narrow; return sizeof(narrow); }
    return 0;
}

static int roundtrip(const char *type)
{
    static char line[2 * MAX_MESSAGE + 16];
    xdrproc_t proc;
    size_t size = type_size(type, &proc);
    if (size == 0) {
        fprintf(stderr, "rich_check: unknown type %s\n", type);
        return 2;
    }
    while (fgets(line, sizeof(line), stdin) != NULL) {
        size_t n = strcspn(line, "\r\n");
        unsigned int length = 0;
        for (size_t i = 0; i + 1 < n; i += 2)
            input[length++] = (unsigned char)(hexval(line[i]) * 16 + hexval(line[i + 1]));
        void *value = calloc(1, size);
        XDR xdrs;
        xdrmem_create(&xdrs, (char *)input, length, XDR_DECODE);
        if (!proc(&xdrs, value) || xdr_getpos(&xdrs) != length) {
            printf("ERROR decode\n");
        } else {
            encode(proc, value);
        }
        xdr_free(proc, value);
        free(value);
        fflush(stdout);
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "sample") == 0) {
        everything e;
        rich_sample(atoi(argv[2]), &e);
        return encode((xdrproc_t)xdr_everything, &e) ? 0 : 1;
    }
    if (argc == 3 && strcmp(argv[1], "roundtrip") == 0)
        return roundtrip(argv[2]);
    fprintf(stderr, "usage: rich_check sample N | rich_check roundtrip TYPE\n");
    return 2;
}
