/* my_proto_client.c -- calls TEST once over tcp|udp on 127.0.0.1:PORT and prints "TEST <result>". */
#include "my_proto.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    struct sockaddr_in addr;
    struct timeval retry = {1, 0};
    int sock = RPC_ANYSOCK;
    if (argc != 3) {
        fprintf(stderr, "usage: my_proto_client tcp|udp PORT\n");
        return 2;
    }
    memset(&addr, 0, sizeof(addr));
    addr.sin_family = AF_INET;
    addr.sin_port = htons((unsigned short)atoi(argv[2]));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    CLIENT *clnt = strcmp(argv[1], "udp") == 0
        ? clntudp_create(&addr, TEST_PROG, TEST_VERS, retry, &sock)
        : clnttcp_create(&addr, TEST_PROG, TEST_VERS, &sock, 0, 0);
    if (clnt == NULL) {
        clnt_pcreateerror("my_proto_client");
        return 1;
    }
    long result = 0;
    if (test_1(NULL, &result, clnt) != RPC_SUCCESS) {
        clnt_perror(clnt, "my_proto_client");
        return 1;
    }
    printf("TEST %ld\n", result);
    clnt_destroy(clnt);
    return 0;
}
