/*
 * gss_server.c -- an rpcgen (-M) server of gss_test.x that takes RPCSEC_GSS through libtirpc's svcauth_gss, with
 * the keys of the service principal named on its command line (from the keytab KRB5_KTNAME names).
 *
 *   gss_server SERVICE@HOST      listens on TCP and UDP (no rpcbind), prints "READY tcp=PORT udp=PORT"
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <rpc/rpc.h>
#include <rpc/auth_gss.h>
#include <rpc/svc_auth_gss.h>
#include <rpc/rpcsec_gss.h>
#include <rpc/svc_mt.h>
#include <gssapi/gssapi.h>
#include "gss_test.h"

extern void gsstest_prog_1(struct svc_req *, SVCXPRT *);

bool_t add_one_1_svc(int *argp, int *result, struct svc_req *rqstp)
{
	(void)rqstp;
	*result = *argp + 1;
	return TRUE;
}

bool_t echo_1_svc(blob *argp, blob *result, struct svc_req *rqstp)
{
	(void)rqstp;
	result->blob_len = argp->blob_len;
	result->blob_val = malloc(argp->blob_len ? argp->blob_len : 1);
	memcpy(result->blob_val, argp->blob_val, argp->blob_len);
	return TRUE;
}

bool_t whoami_1_svc(void *argp, char **result, struct svc_req *rqstp)
{
	(void)argp;
	rpc_gss_rawcred_t *raw = NULL;
	char *principal = NULL;
	if (rqstp->rq_cred.oa_flavor == RPCSEC_GSS && rpc_gss_getcred(rqstp, &raw, NULL, NULL))
		principal = svcauth_gss_get_principal(&SVC_XP_AUTH(rqstp->rq_xprt));
	*result = malloc(512);
	snprintf(*result, 512, "%s:%d", principal ? principal : "?", raw ? (int)raw->service : 0);
	free(principal);
	return TRUE;
}

int gsstest_prog_1_freeresult(SVCXPRT *transp, xdrproc_t xdr_result, caddr_t result)
{
	(void)transp;
	xdr_free(xdr_result, result);
	return 1;
}

static int port_of(SVCXPRT *transp)
{
	struct sockaddr_in address;
	socklen_t length = sizeof(address);
	if (getsockname(transp->xp_fd, (struct sockaddr *)&address, &length) != 0)
		return -1;
	return ntohs(address.sin_port);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: gss_server SERVICE@HOST\n");
		return 2;
	}

	OM_uint32 major, minor;
	gss_buffer_desc name = { strlen(argv[1]), argv[1] };
	gss_name_t service;
	major = gss_import_name(&minor, &name, GSS_C_NT_HOSTBASED_SERVICE, &service);
	if (major != GSS_S_COMPLETE || !svcauth_gss_set_svc_name(service)) {
		fprintf(stderr, "cannot use the service name %s\n", argv[1]);
		return 1;
	}

	SVCXPRT *tcp = svctcp_create(RPC_ANYSOCK, 0, 0);
	SVCXPRT *udp = svcudp_create(RPC_ANYSOCK);
	/* Protocol 0: not registered with rpcbind; the test gives the client the ports. */
	if (tcp == NULL || udp == NULL || !svc_register(tcp, GSSTEST_PROG, GSSTEST_VERS, gsstest_prog_1, 0)
	    || !svc_register(udp, GSSTEST_PROG, GSSTEST_VERS, gsstest_prog_1, 0)) {
		fprintf(stderr, "cannot create the transports\n");
		return 1;
	}

	printf("READY tcp=%d udp=%d\n", port_of(tcp), port_of(udp));
	fflush(stdout);
	svc_run();
	return 1;
}
