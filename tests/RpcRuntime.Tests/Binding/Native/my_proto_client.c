/*
 * The C client of the rpcbind tests: finds TEST_PROG through HOST's rpcbind with clnt_create, as rpcgen's
 * sample client does, calls TEST once and prints the result.
 *
 *   my_proto_client HOST udp|tcp
 */
#include <stdio.h>
#include "my_proto.h"

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s HOST udp|tcp\n", argv[0]);
        return 2;
    }

    CLIENT *client = clnt_create(argv[1], TEST_PROG, TEST_VERS, argv[2]);
    if (client == NULL) {
        clnt_pcreateerror(argv[1]);
        return 1;
    }

    long *result = test_1(NULL, client);
    if (result == NULL) {
        clnt_perror(client, "call failed");
        clnt_destroy(client);
        return 1;
    }

    printf("The result from RPC is %ld\n", *result);
    clnt_destroy(client);
    return 0;
}
