/*
 * interop_server.c -- the C side of the runtime's interop tests: rpcgen's dispatcher (interop_svc.c, built with
 * -m, so without rpcgen's main) serving INTEROP_PROG version 1 over TCP and UDP on 127.0.0.1, on ports the
 * kernel picks, printed as "READY tcp=PORT udp=PORT". Not registered with rpcbind. Stops on SIGTERM.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <rpc/rpc.h>

#include "interop.h"

extern void interop_prog_1(struct svc_req *rqstp, SVCXPRT *transp);

static unsigned int counter;
static char whoami[1024];

bool_t add_1_svc(pair *argp, int *result, struct svc_req *rqstp)
{
    (void)rqstp;
    *result = argp->a + argp->b;
    return TRUE;
}

bool_t echo_1_svc(char **argp, char **result, struct svc_req *rqstp)
{
    (void)rqstp;
    *result = strdup(*argp);
    return *result != NULL;
}

static record *transform(const record *in)
{
    if (in == NULL)
        return NULL;
    record *out = calloc(1, sizeof(*out));
    if (out == NULL)
        return NULL;
    out->h = in->h + 1;
    out->uh = in->uh * 2;
    out->d = in->d * 2;
    out->flag = !in->flag;
    out->name = malloc(strlen(in->name) + 2);
    sprintf(out->name, "%s!", in->name);
    out->values.values_len = in->values.values_len;
    out->values.values_val = calloc(in->values.values_len + 1, sizeof(int));
    for (u_int i = 0; i < in->values.values_len; i++)
        out->values.values_val[i] = in->values.values_val[in->values.values_len - 1 - i];
    memcpy(out->tag, in->tag, sizeof(out->tag));
    out->next = transform(in->next);
    return out;
}

bool_t transform_1_svc(record *argp, record *result, struct svc_req *rqstp)
{
    (void)rqstp;
    record *out = transform(argp);
    if (out == NULL)
        return FALSE;
    *result = *out;
    free(out);
    return TRUE;
}

bool_t whoami_1_svc(void *argp, char **result, struct svc_req *rqstp)
{
    (void)argp;
    if (rqstp->rq_cred.oa_flavor == AUTH_SYS) {
        struct authunix_parms *cred = (struct authunix_parms *)rqstp->rq_clntcred;
        int n = snprintf(whoami, sizeof(whoami), "%s:%u:%u:", cred->aup_machname, cred->aup_uid, cred->aup_gid);
        for (u_int i = 0; i < cred->aup_len && n < (int)sizeof(whoami) - 16; i++)
            n += snprintf(whoami + n, sizeof(whoami) - n, i ? ",%u" : "%u", cred->aup_gids[i]);
    } else {
        strcpy(whoami, "none");
    }
    *result = strdup(whoami);
    return TRUE;
}

bool_t count_1_svc(void *argp, u_int *result, struct svc_req *rqstp)
{
    (void)argp;
    (void)rqstp;
    *result = ++counter;
    return TRUE;
}

bool_t blob_1_svc(blob *argp, blob *result, struct svc_req *rqstp)
{
    (void)rqstp;
    result->blob_len = argp->blob_len;
    result->blob_val = malloc(argp->blob_len ? argp->blob_len : 1);
    if (result->blob_val == NULL)
        return FALSE;
    memcpy(result->blob_val, argp->blob_val, argp->blob_len);
    return TRUE;
}

int interop_prog_1_freeresult(SVCXPRT *transp, xdrproc_t xdr_result, caddr_t result)
{
    (void)transp;
    xdr_free(xdr_result, result);
    return 1;
}

static int bound_socket(int type, int *port)
{
    struct sockaddr_in sin;
    socklen_t len = sizeof(sin);
    int fd = socket(AF_INET, type, 0);
    if (fd < 0)
        return -1;
    memset(&sin, 0, sizeof(sin));
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0 || getsockname(fd, (struct sockaddr *)&sin, &len) < 0)
        return -1;
    if (type == SOCK_STREAM && listen(fd, 64) < 0)
        return -1;
    *port = ntohs(sin.sin_port);
    return fd;
}

static void stop(int sig)
{
    (void)sig;
    _exit(0);
}

int main(void)
{
    int tcp_port, udp_port;
    int tcp_fd = bound_socket(SOCK_STREAM, &tcp_port);
    int udp_fd = bound_socket(SOCK_DGRAM, &udp_port);
    if (tcp_fd < 0 || udp_fd < 0) {
        perror("interop_server: socket");
        return 1;
    }
    SVCXPRT *tcp = svctcp_create(tcp_fd, 0, 0);
    SVCXPRT *udp = svcudp_create(udp_fd);
    if (tcp == NULL || udp == NULL) {
        fprintf(stderr, "interop_server: cannot create the transports\n");
        return 1;
    }
    /* Protocol 0: no rpcbind registration. */
    if (!svc_register(tcp, INTEROP_PROG, INTEROP_V1, interop_prog_1, 0) ||
        !svc_register(udp, INTEROP_PROG, INTEROP_V1, interop_prog_1, 0)) {
        fprintf(stderr, "interop_server: cannot register\n");
        return 1;
    }
    signal(SIGTERM, stop);
    printf("READY tcp=%d udp=%d\n", tcp_port, udp_port);
    fflush(stdout);
    svc_run();
    return 1;
}
