/*
 * gss_client.c -- an rpcgen (-M) client of gss_test.x that calls with RPCSEC_GSS through libtirpc's
 * authgss_create_default, with the Kerberos tickets of the credential cache KRB5CCNAME names.
 *
 *   gss_client tcp|udp PORT SERVICE@HOST none|integrity|privacy     prints one line per call
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <rpc/rpc.h>
#include <rpc/auth_gss.h>
#include <gssapi/gssapi.h>
#include <gssapi/gssapi_krb5.h>
#include "gss_test.h"

int main(int argc, char **argv)
{
	if (argc != 5) {
		fprintf(stderr, "usage: gss_client tcp|udp PORT SERVICE@HOST none|integrity|privacy\n");
		return 2;
	}

	int tcp = strcmp(argv[1], "tcp") == 0;
	struct sockaddr_in server = { 0 };
	server.sin_family = AF_INET;
	server.sin_port = htons((unsigned short)atoi(argv[2]));
	server.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int sock = RPC_ANYSOCK;
	struct timeval wait = { 1, 0 };
	CLIENT *client = tcp ? clnttcp_create(&server, GSSTEST_PROG, GSSTEST_VERS, &sock, 0, 0)
			     : clntudp_create(&server, GSSTEST_PROG, GSSTEST_VERS, wait, &sock);
	if (client == NULL) {
		clnt_pcreateerror("connect");
		return 1;
	}

	struct rpc_gss_sec sec = { 0 };
	sec.mech = (gss_OID)gss_mech_krb5;
	sec.qop = GSS_C_QOP_DEFAULT;
	sec.svc = strcmp(argv[4], "privacy") == 0 ? RPCSEC_GSS_SVC_PRIVACY
		: strcmp(argv[4], "integrity") == 0 ? RPCSEC_GSS_SVC_INTEGRITY : RPCSEC_GSS_SVC_NONE;
	sec.cred = GSS_C_NO_CREDENTIAL;
	sec.req_flags = GSS_C_MUTUAL_FLAG;
	client->cl_auth = authgss_create_default(client, argv[3], &sec);
	if (client->cl_auth == NULL) {
		printf("context: refused\n");
		return 1;
	}

	struct timeval timeout = { 25, 0 };
	int one = 41, added = 0;
	enum clnt_stat status = clnt_call(client, ADD_ONE, (xdrproc_t)xdr_int, (char *)&one, (xdrproc_t)xdr_int, (char *)&added, timeout);
	printf("add_one: %s %d\n", clnt_sperrno(status), added);

	char *who = NULL;
	status = clnt_call(client, WHOAMI, (xdrproc_t)xdr_void, NULL, (xdrproc_t)xdr_wrapstring, (char *)&who, timeout);
	printf("whoami: %s %s\n", clnt_sperrno(status), who ? who : "-");

	/* libtirpc seals a body in place in its record buffer (XDR_INLINE): over TCP, krb5i and krb5p bodies must fit in it,
	 * and a 64 KiB one fails even between libtirpc's own client and server ("can't decode arguments"). */
	int size = !tcp ? 4000 : sec.svc == RPCSEC_GSS_SVC_NONE ? 65536 : 16000;
	blob in = { size, malloc(size) }, out = { 0, NULL };
	for (int i = 0; i < size; i++)
		in.blob_val[i] = (char)(i * 7);
	status = clnt_call(client, ECHO, (xdrproc_t)xdr_blob, (char *)&in, (xdrproc_t)xdr_blob, (char *)&out, timeout);
	printf("echo: %s %s\n", clnt_sperrno(status), out.blob_len == in.blob_len && memcmp(out.blob_val, in.blob_val, size) == 0 ? "equal" : "different");

	auth_destroy(client->cl_auth);
	clnt_destroy(client);
	return 0;
}
