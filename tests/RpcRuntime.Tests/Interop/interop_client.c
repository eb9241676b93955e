/*
 * interop_client.c -- the C client of the runtime's interop tests: calls INTEROP_PROG version 1 on 127.0.0.1 with
 * libtirpc (clnttcp_create / clntudp_create, no rpcbind) and prints one line per call, which the tests compare.
 *
 *   interop_client tcp|udp PORT none|sys
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <rpc/rpc.h>

#include "interop.h"

static const struct timeval call_timeout = {10, 0};

static const char *status_name(enum clnt_stat stat)
{
    switch (stat) {
    case RPC_SUCCESS: return "RPC_SUCCESS";
    case RPC_CANTDECODERES: return "RPC_CANTDECODERES";
    case RPC_TIMEDOUT: return "RPC_TIMEDOUT";
    case RPC_VERSMISMATCH: return "RPC_VERSMISMATCH";
    case RPC_AUTHERROR: return "RPC_AUTHERROR";
    case RPC_PROGUNAVAIL: return "RPC_PROGUNAVAIL";
    case RPC_PROGVERSMISMATCH: return "RPC_PROGVERSMISMATCH";
    case RPC_PROCUNAVAIL: return "RPC_PROCUNAVAIL";
    case RPC_CANTDECODEARGS: return "RPC_CANTDECODEARGS";
    case RPC_SYSTEMERROR: return "RPC_SYSTEMERROR";
    default: return "RPC_OTHER";
    }
}

static CLIENT *connect_to(int udp, int port, unsigned long prog, unsigned long vers, int sys)
{
    struct sockaddr_in addr;
    int sock = RPC_ANYSOCK;
    CLIENT *clnt;
    memset(&addr, 0, sizeof(addr));
    addr.sin_family = AF_INET;
    addr.sin_port = htons((unsigned short)port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (udp) {
        struct timeval retry = {1, 0};
        clnt = clntudp_create(&addr, prog, vers, retry, &sock);
    } else {
        clnt = clnttcp_create(&addr, prog, vers, &sock, 0, 0);
    }
    if (clnt == NULL) {
        clnt_pcreateerror("interop_client");
        exit(1);
    }
    if (sys) {
        gid_t gids[3] = {10, 20, 30};
        auth_destroy(clnt->cl_auth);
        clnt->cl_auth = authunix_create("interop-host", 1234, 5678, 3, gids);
    }
    return clnt;
}

static void print_record(const record *r)
{
    for (int i = 0; r != NULL; r = r->next, i++) {
        printf("TRANSFORM[%d] h=%lld uh=%llu d=%.17g flag=%d name=%s values=", i, (long long)r->h,
               (unsigned long long)r->uh, r->d, r->flag, r->name);
        for (u_int j = 0; j < r->values.values_len; j++)
            printf(j ? ",%d" : "%d", r->values.values_val[j]);
        printf(" tag=%02x%02x%02x%02x\n", (unsigned char)r->tag[0], (unsigned char)r->tag[1],
               (unsigned char)r->tag[2], (unsigned char)r->tag[3]);
    }
}

/* Calls PROC with no arguments and no results and prints the status, with the version range on a mismatch. */
static void print_failure(const char *label, CLIENT *clnt, u_long proc)
{
    struct rpc_err err;
    enum clnt_stat stat = clnt_call(clnt, proc, (xdrproc_t)xdr_void, NULL, (xdrproc_t)xdr_void, NULL, call_timeout);
    clnt_geterr(clnt, &err);
    if (stat == RPC_PROGVERSMISMATCH)
        printf("%s %s %lu %lu\n", label, status_name(stat), (unsigned long)err.re_vers.low, (unsigned long)err.re_vers.high);
    else
        printf("%s %s\n", label, status_name(stat));
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: interop_client tcp|udp PORT none|sys\n");
        return 2;
    }
    int udp = strcmp(argv[1], "udp") == 0;
    int port = atoi(argv[2]);
    int sys = strcmp(argv[3], "sys") == 0;
    CLIENT *clnt = connect_to(udp, port, INTEROP_PROG, INTEROP_V1, sys);
    enum clnt_stat stat;

    stat = clnt_call(clnt, NULLPROC, (xdrproc_t)xdr_void, NULL, (xdrproc_t)xdr_void, NULL, call_timeout);
    printf("NULL %s\n", status_name(stat));

    pair p = {2000000000, -7};
    int sum = 0;
    stat = clnt_call(clnt, ADD, (xdrproc_t)xdr_pair, (caddr_t)&p, (xdrproc_t)xdr_int, (caddr_t)&sum, call_timeout);
    printf("ADD %s %d\n", status_name(stat), sum);

    char *text = "h\xc3\xa9llo, w\xc3\xb6rld";
    char *echoed = NULL;
    stat = clnt_call(clnt, ECHO, (xdrproc_t)xdr_wrapstring, (caddr_t)&text, (xdrproc_t)xdr_wrapstring, (caddr_t)&echoed, call_timeout);
    printf("ECHO %s %s\n", status_name(stat), echoed ? echoed : "(null)");
    xdr_free((xdrproc_t)xdr_wrapstring, (caddr_t)&echoed);

    int values[3] = {1, -2, 2147483647};
    record tail = {1099511627776LL, 7, -0.25, FALSE, "", {0, NULL}, {0, 0, 0, 0}, NULL};
    record head = {-9223372036854775807LL, 9223372036854775807ULL, 1.5, TRUE, "node", {3, values}, {1, 2, (char)0xfe, (char)0xff}, &tail};
    record out;
    memset(&out, 0, sizeof(out));
    stat = clnt_call(clnt, TRANSFORM, (xdrproc_t)xdr_record, (caddr_t)&head, (xdrproc_t)xdr_record, (caddr_t)&out, call_timeout);
    printf("TRANSFORM %s\n", status_name(stat));
    if (stat == RPC_SUCCESS)
        print_record(&out);
    xdr_free((xdrproc_t)xdr_record, (caddr_t)&out);

    char *who = NULL;
    stat = clnt_call(clnt, WHOAMI, (xdrproc_t)xdr_void, NULL, (xdrproc_t)xdr_wrapstring, (caddr_t)&who, call_timeout);
    printf("WHOAMI %s %s\n", status_name(stat), who ? who : "(null)");
    xdr_free((xdrproc_t)xdr_wrapstring, (caddr_t)&who);

    u_int first = 0, second = 0;
    stat = clnt_call(clnt, COUNT, (xdrproc_t)xdr_void, NULL, (xdrproc_t)xdr_u_int, (caddr_t)&first, call_timeout);
    clnt_call(clnt, COUNT, (xdrproc_t)xdr_void, NULL, (xdrproc_t)xdr_u_int, (caddr_t)&second, call_timeout);
    printf("COUNT %s +%u\n", status_name(stat), second - first);

    /* Bytes i * 7 + 3: what the NetRpc side (InteropProtocol.BlobBytes) sends and expects. */
    u_int n = udp ? 6000 : 200000;
    char *bytes = malloc(n);
    for (u_int i = 0; i < n; i++)
        bytes[i] = (char)(i * 7 + 3);
    blob sent = {n, bytes};
    blob back = {0, NULL};
    stat = clnt_call(clnt, BLOB, (xdrproc_t)xdr_blob, (caddr_t)&sent, (xdrproc_t)xdr_blob, (caddr_t)&back, call_timeout);
    printf("BLOB %s n=%u same=%d\n", status_name(stat), back.blob_len, back.blob_len == n && memcmp(back.blob_val, bytes, n) == 0);
    xdr_free((xdrproc_t)xdr_blob, (caddr_t)&back);
    free(bytes);

    print_failure("PROC99", clnt, 99);
    clnt_destroy(clnt);

    clnt = connect_to(udp, port, INTEROP_PROG, 7, sys);
    print_failure("VERS7", clnt, NULLPROC);
    clnt_destroy(clnt);

    clnt = connect_to(udp, port, 0x20000999, 1, sys);
    print_failure("PROG", clnt, NULLPROC);
    clnt_destroy(clnt);
    return 0;
}
