/*
 * first_reply.c -- how long a server takes from process start to its first reply, as a client sees it.
 *
 *   first_reply PROG VERS PROC NETID CPU -- SERVER [ARGS...]
 *
 * Starts SERVER (pinned to CPU, its standard output discarded), then, from the moment before fork, calls PROC (no arguments, an int result) of
 * PROG/VERS on 127.0.0.1 the way rpcgen's clients do: clnt_create through rpcbind, then clnt_call. Until the
 * server has registered, clnt_create fails and is tried again 50 us later. Prints the microseconds from before
 * fork to the first successful reply, then stops the server with SIGTERM (it unregisters) and waits for it.
 * Exits 1, printing why, when no reply came within 60 s.
 */
#define _GNU_SOURCE
#include <rpc/rpc.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_us(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

int main(int argc, char **argv)
{
    if (argc < 8 || strcmp(argv[6], "--") != 0) {
        fprintf(stderr, "usage: %s PROG VERS PROC NETID CPU -- SERVER [ARGS...]\n", argv[0]);
        return 2;
    }
    rpcprog_t prog = strtoul(argv[1], NULL, 0);
    rpcvers_t vers = strtoul(argv[2], NULL, 0);
    rpcproc_t proc = strtoul(argv[3], NULL, 0);
    const char *netid = argv[4];
    int cpu = atoi(argv[5]);

    double start = now_us();
    pid_t server = fork();
    if (server < 0) {
        perror("fork");
        return 1;
    }
    if (server == 0) {
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET(cpu, &set);
        sched_setaffinity(0, sizeof set, &set);
        if (freopen("/dev/null", "w", stdout) == NULL) /* what the server prints is not the measurement's */
            _exit(127);
        execvp(argv[7], &argv[7]);
        perror(argv[7]);
        _exit(127);
    }

    double first = -1;
    struct timeval timeout = { 5, 0 };
    while (now_us() - start < 60e6) {
        int status;
        if (waitpid(server, &status, WNOHANG) == server) {
            fprintf(stderr, "first_reply: %s exited before it replied\n", argv[7]);
            return 1;
        }
        CLIENT *client = clnt_create("127.0.0.1", prog, vers, netid);
        if (client == NULL) {
            struct timespec pause = { 0, 50000 };
            nanosleep(&pause, NULL);
            continue;
        }
        int result = 0;
        enum clnt_stat stat = clnt_call(client, proc, (xdrproc_t)xdr_void, NULL, (xdrproc_t)xdr_int, (char *)&result, timeout);
        clnt_destroy(client);
        if (stat == RPC_SUCCESS) {
            first = now_us() - start;
            break;
        }
    }

    kill(server, SIGTERM);
    waitpid(server, NULL, 0);
    if (first < 0) {
        fprintf(stderr, "first_reply: no reply from %s within 60 s\n", argv[7]);
        return 1;
    }
    printf("%.0f\n", first);
    return 0;
}
