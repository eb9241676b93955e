/*
 * rich_client.c -- calls every procedure of RICH_PROG version 1 over tcp|udp on 127.0.0.1:PORT and prints one
 * line per call; the tests compare them with what rich_server.c's rules give (and run it against both servers).
 */
#include "rich_samples.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void print_hex(const char *label, xdrproc_t proc, void *value)
{
    static char buffer[1 << 16];
    XDR xdrs;
    xdrmem_create(&xdrs, buffer, sizeof(buffer), XDR_ENCODE);
    if (!proc(&xdrs, value)) {
        printf("%s ERROR encode\n", label);
        return;
    }
    printf("%s ", label);
    for (unsigned int i = 0; i < xdr_getpos(&xdrs); i++)
        printf("%02x", (unsigned char)buffer[i]);
    printf("\n");
}

static void status(const char *label, enum clnt_stat stat, CLIENT *clnt)
{
    if (stat != RPC_SUCCESS) {
        printf("%s FAILED %s\n", label, clnt_sperrno(stat));
        (void)clnt;
    }
}

int main(int argc, char **argv)
{
    struct sockaddr_in addr;
    struct timeval retry = {1, 0};
    int sock = RPC_ANYSOCK;
    if (argc != 3) {
        fprintf(stderr, "usage: rich_client tcp|udp PORT\n");
        return 2;
    }
    memset(&addr, 0, sizeof(addr));
    addr.sin_family = AF_INET;
    addr.sin_port = htons((unsigned short)atoi(argv[2]));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int udp = strcmp(argv[1], "udp") == 0;
    CLIENT *clnt = udp ? clntudp_create(&addr, RICH_PROG, RICH_V1, retry, &sock)
                       : clnttcp_create(&addr, RICH_PROG, RICH_V1, &sock, 0, 0);
    if (clnt == NULL) {
        clnt_pcreateerror("rich_client");
        return 1;
    }
    enum clnt_stat stat;

    for (int n = 0; n < RICH_SAMPLE_COUNT; n++) {
        everything in, out;
        char label[32];
        rich_sample(n, &in);
        memset(&out, 0, sizeof(out));
        snprintf(label, sizeof(label), "ECHO%d", n);
        stat = echo_1(in, &out, clnt);
        status(label, stat, clnt);
        if (stat == RPC_SUCCESS) {
            print_hex(label, (xdrproc_t)xdr_everything, &out);
            xdr_free((xdrproc_t)xdr_everything, (char *)&out);
        }
    }

    int sum = 0;
    stat = add_1(2000000000, -7, &sum, clnt);
    status("ADD", stat, clnt);
    printf("ADD %d\n", sum);

    node c = {"c", 3, NULL}, b = {"b", 2, &c}, a = {"a", 1, &b}, reversed;
    memset(&reversed, 0, sizeof(reversed));
    stat = reverse_1(a, &reversed, clnt);
    status("REVERSE", stat, clnt);
    printf("REVERSE");
    for (node *n = &reversed; stat == RPC_SUCCESS && n != NULL; n = n->next)
        printf(" %s:%d", n->label, n->weight);
    printf("\n");
    xdr_free((xdrproc_t)xdr_node, (char *)&reversed);

    color colors[] = {RED, GREEN, BLUE, NONE};
    printf("NEXT");
    for (int i = 0; i < 4; i++) {
        color next = RED;
        stat = next_1(colors[i], &next, clnt);
        printf(" %d", stat == RPC_SUCCESS ? (int)next : 99);
    }
    printf("\n");

    int sides[] = {5, 6, 7};
    shape green = {GREEN, {0}}, red = {RED, {0}};
    green.shape_u.sides.sides_len = 3;
    green.shape_u.sides.sides_val = sides;
    red.shape_u.radius = 4.5;
    maybe nick = {TRUE, {"nick"}}, none = {FALSE, {NULL}};
    result r;
    memset(&r, 0, sizeof(r));
    stat = check_1(green, nick, 42, &r, clnt);
    status("CHECK1", stat, clnt);
    printf("CHECK1 %d %s\n", r.status, r.status == 1 ? r.result_u.message : "");
    xdr_free((xdrproc_t)xdr_result, (char *)&r);
    memset(&r, 0, sizeof(r));
    stat = check_1(red, none, 7, &r, clnt);
    status("CHECK2", stat, clnt);
    printf("CHECK2 %d %g %llu\n", r.status, r.status == 0 ? r.result_u.ok.d : 0.0, r.status == 0 ? (unsigned long long)r.result_u.ok.uh : 0ULL);
    xdr_free((xdrproc_t)xdr_result, (char *)&r);
    memset(&r, 0, sizeof(r));
    stat = check_1(red, none, 0, &r, clnt);
    status("CHECK3", stat, clnt);
    printf("CHECK3 %d\n", r.status);

    stat = reset_1(NULL, clnt);
    status("RESET", stat, clnt);
    counter_t first = 0, second = 0;
    count_1(&first, clnt);
    count_1(&second, clnt);
    printf("COUNT %llu %llu\n", (unsigned long long)first, (unsigned long long)second);

    clnt_destroy(clnt);
    return 0;
}
