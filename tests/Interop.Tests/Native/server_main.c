/*
 * server_main.c -- main() for the tests' C servers: rpcgen's dispatcher (built with -m, so without rpcgen's
 * main) serving one program version over TCP and UDP on 127.0.0.1, on ports the kernel picks, printed as
 * "READY tcp=PORT udp=PORT". Not registered with rpcbind. Stops on SIGTERM.
 *
 * Compile with -DPROGRAM=... -DVERSION=... -DDISPATCH=name_of_rpcgen_dispatcher -DHEADER='"x.h"'.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <rpc/rpc.h>

#include HEADER

extern void DISPATCH(struct svc_req *rqstp, SVCXPRT *transp);

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
        perror("server: socket");
        return 1;
    }
    SVCXPRT *tcp = svctcp_create(tcp_fd, 0, 0);
    SVCXPRT *udp = svcudp_create(udp_fd);
    /* Protocol 0: no rpcbind registration. */
    if (tcp == NULL || udp == NULL || !svc_register(tcp, PROGRAM, VERSION, DISPATCH, 0) || !svc_register(udp, PROGRAM, VERSION, DISPATCH, 0)) {
        fprintf(stderr, "server: cannot create or register the transports\n");
        return 1;
    }
    signal(SIGTERM, stop);
    printf("READY tcp=%d udp=%d\n", tcp_port, udp_port);
    fflush(stdout);
    svc_run();
    return 1;
}
