/*
 * gss_bench_client.c -- libtirpc load generator for bench/bench.x with RPCSEC_GSS (RFC 2203, Kerberos v5) through
 * libtirpc's authgss_create_default, for bench/gss-vs-native.sh. Same command line and RESULT line as NetRpc's
 * bench_client (bench/BenchClient) and the native baseline's bench_client (../shared/bench/native, harness.h), for one
 * client: one CLIENT handle, synchronous calls.
 *
 *   gss_bench_client [-H host] -p port [-w warmup] [-S srvpid] --gss none|integrity|privacy SERVICE@HOST
 *                    tcp|udp ping|echo|sum SIZE NCALLS 1
 *
 *   --gss LEVEL SERVICE@HOST  krb5 (none), krb5i (integrity) or krb5p (privacy) to the service principal SERVICE@HOST
 *             (e.g. nfs@localhost), with the tickets of the credential cache KRB5CCNAME names (kinit first); the
 *             context is made (mech krb5, GSS_C_MUTUAL_FLAG) before the warm-up and destroyed after the measurement
 *   SIZE      echo: payload bytes; sum: number of ints in big_struct.values (0 -> 100); ping: ignored
 *   NCALLS    measured calls
 *   -w N      warm-up calls before the measurement (default min(1000, NCALLS/20))
 *   -S PID    server process to sample: its CPU time per call, all its threads (/proc/PID/task/ * /schedstat)
 *
 * Prints one "RESULT ..." line: calls/s, latency mean/p50/p90/p99/p99.9/max (us), server CPU us per call (-S), client
 * CPU us per call (CLOCK_PROCESS_CPUTIME_ID over the measured loop), machine-wide busy CPU us per call (/proc/stat).
 * After 10 failed calls it stops; the first failure's message (clnt_perror) goes to stderr, and ok=0.
 *
 * Built by bench/gss-vs-native.sh from stubs of `rpcgen -M -h|-c|-l bench.x`:
 *   gcc -O2 -I/usr/include/tirpc -Igen -o gss_bench_client gss_bench_client.c gen/bench_clnt.c gen/bench_xdr.c
 *       -ltirpc -lgssapi_krb5
 */
#include "bench.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <gssapi/gssapi.h>
#include <gssapi/gssapi_krb5.h>
#include <netinet/in.h>
#include <rpc/auth_gss.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum { P_PING, P_ECHO, P_SUM };

static const char NAME[] = "native-sunrpc-benchmark-string!!"; /* 32 chars, as the baseline */

struct state {
    CLIENT *cl;
    int proc;
    opaque_blob blob;
    big_struct bs;
    quad_t expect_sum;
    int reported;
};

static uint64_t now_ns(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* machine-wide busy CPU time (user+nice+system+irq+softirq) in microseconds, from /proc/stat */
static double sys_busy_us(void)
{
    FILE *f = fopen("/proc/stat", "r");
    unsigned long long u = 0, n = 0, s = 0, idle = 0, iow = 0, irq = 0, sirq = 0;
    if (!f) return -1;
    if (fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu", &u, &n, &s, &idle, &iow, &irq, &sirq) != 7) {
        fclose(f);
        return -1;
    }
    fclose(f);
    return (double)(u + n + s + irq + sirq) * 1e6 / (double)sysconf(_SC_CLK_TCK);
}

/* on-CPU time of every thread of a process in ns (/proc/PID/task/ * /schedstat, field 1); -1 without one */
static double proc_cpu_ns(int pid)
{
    char path[64];
    if (pid <= 0) return -1;
    snprintf(path, sizeof(path), "/proc/%d/task", pid);
    DIR *dir = opendir(path);
    if (!dir) return -1;
    double total = 0;
    struct dirent *e;
    while ((e = readdir(dir)) != NULL) {
        if (e->d_name[0] == '.') continue;
        char file[320];
        unsigned long long ns;
        snprintf(file, sizeof(file), "/proc/%d/task/%s/schedstat", pid, e->d_name);
        FILE *f = fopen(file, "r");
        if (!f) continue; /* the thread ended between the listing and the read */
        if (fscanf(f, "%llu", &ns) == 1) total += (double)ns;
        fclose(f);
    }
    closedir(dir);
    return total;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static double pct_us(const uint64_t *sorted, size_t n, double p)
{
    if (n == 0) return 0;
    size_t idx = (size_t)(p * (double)(n - 1) + 0.5);
    if (idx >= n) idx = n - 1;
    return (double)sorted[idx] / 1000.0;
}

static int fail(struct state *st, const char *what)
{
    if (!st->reported++) clnt_perror(st->cl, what);
    return -1;
}

static int do_call(struct state *st)
{
    switch (st->proc) {
    case P_PING:
        return ping_1(NULL, NULL, st->cl) == RPC_SUCCESS ? 0 : fail(st, "ping");
    case P_ECHO: {
        opaque_blob res;
        memset(&res, 0, sizeof(res));
        if (echo_1(&st->blob, &res, st->cl) != RPC_SUCCESS) return fail(st, "echo");
        int bad = res.opaque_blob_len != st->blob.opaque_blob_len ||
                  (res.opaque_blob_len && (res.opaque_blob_val[0] != st->blob.opaque_blob_val[0] ||
                                           res.opaque_blob_val[res.opaque_blob_len - 1] !=
                                               st->blob.opaque_blob_val[res.opaque_blob_len - 1]));
        xdr_free((xdrproc_t)xdr_opaque_blob, (char *)&res);
        if (bad && !st->reported++) fprintf(stderr, "echo: bad reply\n");
        return bad ? -1 : 0;
    }
    default: {
        big_struct res;
        memset(&res, 0, sizeof(res));
        if (sum_1(&st->bs, &res, st->cl) != RPC_SUCCESS) return fail(st, "sum");
        int bad = res.sum != st->expect_sum || res.values.values_len != st->bs.values.values_len;
        xdr_free((xdrproc_t)xdr_big_struct, (char *)&res);
        if (bad && !st->reported++) fprintf(stderr, "sum: bad reply\n");
        return bad ? -1 : 0;
    }
    }
}

int main(int argc, char **argv)
{
    const char *host = "127.0.0.1", *level = NULL, *target = NULL;
    int port = 0, srv = 0;
    long warmup = -1;
    const char *pos[5];
    int npos = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-H") == 0 && i + 1 < argc) host = argv[++i];
        else if (strcmp(a, "-p") == 0 && i + 1 < argc) port = atoi(argv[++i]);
        else if (strcmp(a, "-w") == 0 && i + 1 < argc) warmup = atol(argv[++i]);
        else if (strcmp(a, "-S") == 0 && i + 1 < argc) srv = atoi(argv[++i]);
        else if (strcmp(a, "--gss") == 0 && i + 2 < argc) {
            level = argv[++i];
            target = argv[++i];
        } else if (npos < 5 && a[0] != '-') pos[npos++] = a;
        else goto usage;
    }
    if (npos != 5 || port <= 0 || level == NULL) goto usage;
    struct rpc_gss_sec sec;
    memset(&sec, 0, sizeof(sec));
    if (strcmp(level, "none") == 0) sec.svc = RPCSEC_GSS_SVC_NONE;
    else if (strcmp(level, "integrity") == 0) sec.svc = RPCSEC_GSS_SVC_INTEGRITY;
    else if (strcmp(level, "privacy") == 0) sec.svc = RPCSEC_GSS_SVC_PRIVACY;
    else goto usage;
    const char *transport = pos[0], *p = pos[1];
    int tcp = strcmp(transport, "tcp") == 0;
    if (!tcp && strcmp(transport, "udp") != 0) goto usage;
    struct state st;
    memset(&st, 0, sizeof(st));
    if (strcmp(p, "ping") == 0) st.proc = P_PING;
    else if (strcmp(p, "echo") == 0) st.proc = P_ECHO;
    else if (strcmp(p, "sum") == 0) st.proc = P_SUM;
    else goto usage;
    long size = atol(pos[2]), ncalls = atol(pos[3]);
    if (atoi(pos[4]) != 1) {
        fprintf(stderr, "gss_bench_client: one client only (NCLIENTS 1)\n");
        return 2;
    }
    if (ncalls < 1) goto usage;
    if (st.proc == P_PING) size = 0;
    if (st.proc == P_SUM && size == 0) size = 100;
    if (warmup < 0) warmup = ncalls / 20 > 1000 ? 1000 : ncalls / 20;

    struct sockaddr_in sin;
    memset(&sin, 0, sizeof(sin));
    sin.sin_family = AF_INET;
    sin.sin_port = htons((unsigned short)port);
    if (inet_pton(AF_INET, host, &sin.sin_addr) != 1) {
        fprintf(stderr, "-H needs a numeric IPv4 host\n");
        return 2;
    }
    int sock = RPC_ANYSOCK;
    struct timeval wait = { 1, 0 };
    st.cl = tcp ? clnttcp_create(&sin, BENCH_PROG, BENCH_VERS, &sock, 0, 0)
                : clntudp_create(&sin, BENCH_PROG, BENCH_VERS, wait, &sock);
    if (st.cl == NULL) {
        clnt_pcreateerror(host);
        return 3;
    }
    if (!tcp) {
        struct timeval retry = { 1, 0 };
        clnt_control(st.cl, CLSET_RETRY_TIMEOUT, (char *)&retry);
    }
    sec.mech = (gss_OID)gss_mech_krb5;
    sec.qop = GSS_C_QOP_DEFAULT;
    sec.cred = GSS_C_NO_CREDENTIAL;
    sec.req_flags = GSS_C_MUTUAL_FLAG;
    st.cl->cl_auth = authgss_create_default(st.cl, (char *)target, &sec);
    if (st.cl->cl_auth == NULL) {
        fprintf(stderr, "gss_bench_client: no RPCSEC_GSS context with %s (kinit? keytab?)\n", target);
        return 3;
    }

    if (st.proc == P_ECHO) {
        st.blob.opaque_blob_len = (u_int)size;
        st.blob.opaque_blob_val = malloc(size ? (size_t)size : 1);
        for (long i = 0; i < size; i++) st.blob.opaque_blob_val[i] = (char)(i * 7);
    } else if (st.proc == P_SUM) {
        st.bs.i1 = 1;
        st.bs.i2 = -2;
        st.bs.i3 = 3;
        st.bs.i4 = 0;
        st.bs.h1 = 1LL << 40;
        st.bs.h2 = -(1LL << 33);
        st.bs.h3 = 0x0123456789ULL;
        st.bs.name = (char *)NAME;
        st.bs.values.values_len = (u_int)size;
        st.bs.values.values_val = malloc(sizeof(int) * (size_t)size);
        quad_t s = (quad_t)st.bs.i1 + st.bs.i2 + st.bs.i3 + st.bs.i4 + st.bs.h1 + st.bs.h2 + (quad_t)st.bs.h3;
        for (long i = 0; i < size; i++) {
            st.bs.values.values_val[i] = (int)(i * 31 - 1000);
            s += st.bs.values.values_val[i];
        }
        st.expect_sum = s;
    }

    char label[256];
    snprintf(label, sizeof(label), "kind=rpc mode=fixed-port transport=%s proc=%s size=%ld gss=%s", transport, p, size,
             level);
    for (long i = 0; i < warmup; i++) {
        if (do_call(&st) != 0) {
            fprintf(stderr, "gss_bench_client: warm-up call failed\n");
            printf("RESULT %s clients=1 calls=0 errors=1 ok=0\n", label);
            return 4;
        }
    }

    uint64_t *lat = calloc((size_t)ncalls, sizeof(uint64_t));
    double busy0 = sys_busy_us(), srv0 = proc_cpu_ns(srv);
    uint64_t c0 = now_ns(CLOCK_PROCESS_CPUTIME_ID), t0 = now_ns(CLOCK_MONOTONIC), prev = t0;
    long done = 0, errors = 0;
    for (; done < ncalls; done++) {
        int r = do_call(&st);
        uint64_t t = now_ns(CLOCK_MONOTONIC);
        lat[done] = t - prev;
        prev = t;
        if (r != 0 && ++errors > 10) {
            done++;
            break;
        }
    }
    uint64_t c1 = now_ns(CLOCK_PROCESS_CPUTIME_ID);
    double srv1 = proc_cpu_ns(srv), busy1 = sys_busy_us();

    auth_destroy(st.cl->cl_auth); /* RPCSEC_GSS_DESTROY */
    st.cl->cl_auth = NULL;
    clnt_destroy(st.cl);

    if (done == 0 || prev <= t0) {
        printf("RESULT %s clients=1 calls=0 errors=%ld ok=0\n", label, errors);
        return 1;
    }
    qsort(lat, (size_t)done, sizeof(uint64_t), cmp_u64);
    double sum = 0;
    for (long i = 0; i < done; i++) sum += (double)lat[i];
    double wall_s = (double)(prev - t0) / 1e9;
    printf("RESULT %s clients=1 calls=%ld errors=%ld ok=%d wall_s=%.3f calls_per_s=%.0f "
           "mean_us=%.2f p50_us=%.2f p90_us=%.2f p99_us=%.2f p999_us=%.2f max_us=%.2f "
           "srv_cpu_us_per_call=%.2f cli_cpu_us_per_call=%.2f sys_cpu_us_per_call=%.2f\n",
           label, done, errors, errors == 0, wall_s, (double)done / wall_s, sum / (double)done / 1000.0,
           pct_us(lat, (size_t)done, 0.50), pct_us(lat, (size_t)done, 0.90), pct_us(lat, (size_t)done, 0.99),
           pct_us(lat, (size_t)done, 0.999), (double)lat[done - 1] / 1000.0,
           (srv0 >= 0 && srv1 >= 0) ? (srv1 - srv0) / 1000.0 / (double)done : -1,
           (double)(c1 - c0) / 1000.0 / (double)done, busy0 >= 0 ? (busy1 - busy0) / (double)done : -1);
    fflush(stdout);
    free(lat);
    return errors == 0 ? 0 : 1;

usage:
    fprintf(stderr,
            "usage: %s [-H host] -p port [-w warmup] [-S srvpid] --gss none|integrity|privacy SERVICE@HOST "
            "tcp|udp ping|echo|sum SIZE NCALLS 1\n",
            argv[0]);
    return 2;
}
