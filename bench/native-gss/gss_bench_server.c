/*
 * gss_bench_server.c -- libtirpc server for bench/bench.x that takes RPCSEC_GSS (RFC 2203, Kerberos v5) through
 * libtirpc's svcauth_gss, for bench/gss-vs-native.sh. The procedures and the transports are those of the native
 * baseline's bench_server.c (../shared/bench/native); only the service name for svcauth_gss is added.
 *
 *   gss_bench_server -p PORT SERVICE@HOST
 *
 * Binds TCP and UDP on 127.0.0.1:PORT, svctcp_create/svcudp_create on them, svc_register(..., 0) (no rpcbind), and
 * serves every call in one thread (svc_run). RPCSEC_GSS contexts are accepted with the keys of SERVICE@HOST (e.g.
 * nfs@localhost) from the keytab KRB5_KTNAME names; AUTH_NONE and AUTH_SYS calls are taken too.
 * Prints "READY pid=PID mode=fixed-port tcp_port=PORT udp_port=PORT" once it listens.
 *
 * Built by bench/gss-vs-native.sh from stubs of `rpcgen -M -h|-c|-m bench.x`:
 *   gcc -O2 -I/usr/include/tirpc -Igen -o gss_bench_server gss_bench_server.c gen/bench_svc.c gen/bench_xdr.c
 *       -ltirpc -lgssapi_krb5
 */
#include "bench.h"

#include <arpa/inet.h>
#include <gssapi/gssapi.h>
#include <netinet/in.h>
#include <rpc/auth_gss.h>
#include <rpc/svc_auth_gss.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

extern void bench_prog_1(struct svc_req *rqstp, SVCXPRT *transp);

bool_t ping_1_svc(void *argp, void *result, struct svc_req *rqstp)
{
    (void)argp;
    (void)result;
    (void)rqstp;
    return TRUE;
}

/* As in the baseline: the result aliases the decoded argument (with RPCSEC_GSS, the arguments are decoded from the
 * checked or decrypted body into memory of their own); the dispatcher replies first, then frees the argument. */
bool_t echo_1_svc(opaque_blob *argp, opaque_blob *result, struct svc_req *rqstp)
{
    (void)rqstp;
    *result = *argp;
    return TRUE;
}

bool_t sum_1_svc(big_struct *argp, big_struct *result, struct svc_req *rqstp)
{
    (void)rqstp;
    quad_t s = (quad_t)argp->i1 + argp->i2 + argp->i3 + argp->i4;
    s += argp->h1 + argp->h2 + (quad_t)argp->h3;
    for (u_int i = 0; i < argp->values.values_len; i++) s += argp->values.values_val[i];
    *result = *argp;
    result->sum = s;
    return TRUE;
}

int bench_prog_1_freeresult(SVCXPRT *transp, xdrproc_t xdr_result, caddr_t result)
{
    /* ECHO and SUM results alias their arguments, which the dispatcher releases; nothing to free. */
    (void)transp;
    (void)xdr_result;
    (void)result;
    return 1;
}

static void on_term(int sig)
{
    (void)sig;
    _exit(0);
}

static int bound_socket(int type, int port)
{
    int s = socket(AF_INET, type, 0);
    if (s < 0) {
        perror("socket");
        exit(1);
    }
    int one = 1;
    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    struct sockaddr_in sin;
    memset(&sin, 0, sizeof(sin));
    sin.sin_family = AF_INET;
    sin.sin_port = htons((unsigned short)port);
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(s, (struct sockaddr *)&sin, sizeof(sin)) < 0) {
        perror("bind");
        exit(1);
    }
    if (type == SOCK_STREAM && listen(s, SOMAXCONN) < 0) {
        perror("listen");
        exit(1);
    }
    return s;
}

static int port_of(int fd)
{
    struct sockaddr_in sin;
    socklen_t len = sizeof(sin);
    if (getsockname(fd, (struct sockaddr *)&sin, &len) < 0) return -1;
    return ntohs(sin.sin_port);
}

int main(int argc, char **argv)
{
    int port = 0;
    int opt;
    while ((opt = getopt(argc, argv, "p:")) != -1) {
        if (opt == 'p')
            port = atoi(optarg);
        else
            goto usage;
    }
    if (port <= 0 || argc - optind != 1) goto usage;
    signal(SIGPIPE, SIG_IGN);
    signal(SIGTERM, on_term);
    signal(SIGINT, on_term);

    OM_uint32 major, minor;
    gss_buffer_desc name = { strlen(argv[optind]), argv[optind] };
    gss_name_t service;
    major = gss_import_name(&minor, &name, GSS_C_NT_HOSTBASED_SERVICE, &service);
    if (major != GSS_S_COMPLETE || !svcauth_gss_set_svc_name(service)) {
        fprintf(stderr, "cannot use the service name %s\n", argv[optind]);
        return 1;
    }

    SVCXPRT *udp = svcudp_create(bound_socket(SOCK_DGRAM, port));
    SVCXPRT *tcp = svctcp_create(bound_socket(SOCK_STREAM, port), 0, 0);
    if (udp == NULL || tcp == NULL) {
        fprintf(stderr, "cannot create services on port %d\n", port);
        return 1;
    }
    /* protocol 0: register the dispatcher locally, do not contact rpcbind */
    if (!svc_register(udp, BENCH_PROG, BENCH_VERS, bench_prog_1, 0) ||
        !svc_register(tcp, BENCH_PROG, BENCH_VERS, bench_prog_1, 0)) {
        fprintf(stderr, "svc_register failed\n");
        return 1;
    }
    printf("READY pid=%d mode=fixed-port tcp_port=%d udp_port=%d\n", (int)getpid(), port_of(tcp->xp_fd),
           port_of(udp->xp_fd));
    fflush(stdout);
    svc_run();
    fprintf(stderr, "svc_run returned\n");
    return 1;

usage:
    fprintf(stderr, "usage: %s -p PORT SERVICE@HOST\n", argv[0]);
    return 2;
}
