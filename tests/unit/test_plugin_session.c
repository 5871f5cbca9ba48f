// SPDX-License-Identifier: GPL-2.0
/* Which client a captured key belongs to (plugin/session.c): handshakes of
 * several clients end (TLS_FINAL) before their keys are exported, in any
 * order; each key must go with the remote of its own TLS session, found
 * through the certificate its TLS object holds, and with none where that
 * names no single remote; whether its client lacks P_DATA_V2 is its own
 * session's too. Real TLS handshakes in memory, as OpenVPN's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include "plugin.h"
#include "testlib.h"

struct ident {
	EVP_PKEY *key;
	X509 *cert;
	char digest[3 * PLUGIN_DIGEST_LEN];	/* as OpenVPN's tls_digest_sha256_0 */
};

static void ident_make(struct ident *id, const char *cn)
{
	unsigned char d[PLUGIN_DIGEST_LEN];
	unsigned int len = 0;
	X509_NAME *name;

	id->key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	id->cert = X509_new();
	if (!id->key || !id->cert)
		t_fatal("key");
	ASN1_INTEGER_set(X509_get_serialNumber(id->cert), 1);
	X509_gmtime_adj(X509_getm_notBefore(id->cert), 0);
	X509_gmtime_adj(X509_getm_notAfter(id->cert), 3600);
	X509_set_pubkey(id->cert, id->key);
	name = X509_get_subject_name(id->cert);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
	X509_set_issuer_name(id->cert, name);
	if (!X509_sign(id->cert, id->key, EVP_sha256()) ||
	    !X509_digest(id->cert, EVP_sha256(), d, &len))
		t_fatal("cert");
	for (unsigned int i = 0; i < len; i++)
		snprintf(id->digest + 3 * i, 4, i + 1 < len ? "%02x:" : "%02x", d[i]);
}

static int accept_any(int ok, X509_STORE_CTX *ctx)
{
	(void)ok, (void)ctx;
	return 1;
}

static SSL_CTX *ctx_make(const struct ident *id, bool server)
{
	SSL_CTX *c = SSL_CTX_new(server ? TLS_server_method() : TLS_client_method());

	if (!c || !SSL_CTX_use_certificate(c, id->cert) || !SSL_CTX_use_PrivateKey(c, id->key))
		t_fatal("ctx");
	SSL_CTX_set_verify(c, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, accept_any);
	return c;
}

/* A handshake between @srv and a new client of @cli over a BIO pair: the
 * server's SSL object, as OpenVPN's for that client. */
static SSL *handshake(SSL_CTX *srv, SSL_CTX *cli, SSL **client)
{
	SSL *s = SSL_new(srv), *c = SSL_new(cli);
	BIO *bs, *bc;

	if (!s || !c || !BIO_new_bio_pair(&bs, 0, &bc, 0))
		t_fatal("ssl");
	SSL_set_bio(s, bs, bs);
	SSL_set_bio(c, bc, bc);
	SSL_set_accept_state(s);
	SSL_set_connect_state(c);
	for (int i = 0; i < 100; i++) {
		int rs = SSL_do_handshake(s), rc = SSL_do_handshake(c);

		if (rs == 1 && rc == 1) {
			*client = c;
			return s;
		}
	}
	t_fatal("handshake");
}

int main(void)
{
	struct ident srv_id, id1, id2;
	struct plugin *p = calloc(1, sizeof(*p));
	SSL_CTX *srv, *c1, *c2;
	SSL *s1, *s2, *s1b, *cl[3];
	char r[64];

	ident_make(&srv_id, "server");
	ident_make(&id1, "client1");
	ident_make(&id2, "client2");
	srv = ctx_make(&srv_id, true);
	c1 = ctx_make(&id1, false);
	c2 = ctx_make(&id2, false);
	s1 = handshake(srv, c1, &cl[0]);
	s2 = handshake(srv, c2, &cl[1]);

	/* tls-final c2, tls-final c1, then the keys: c1's first */
	plugin_session_final(p, "10.99.0.2:40002", id2.digest);
	plugin_session_final(p, "10.99.0.2:40001", id1.digest);
	plugin_session_remote(p, s1, r, sizeof(r), NULL);
	CHECK(!strcmp(r, "10.99.0.2:40001"), "client 1's key tagged '%s'", r);
	plugin_session_remote(p, s2, r, sizeof(r), NULL);
	CHECK(!strcmp(r, "10.99.0.2:40002"), "client 2's key tagged '%s'", r);
	plugin_session_remote(p, s2, r, sizeof(r), NULL);
	CHECK(!r[0], "a TLS_FINAL used twice: '%s'", r);

	/* the client's side: its peer is the server */
	plugin_session_final(p, "10.99.0.1:1194", srv_id.digest);
	plugin_session_remote(p, cl[0], r, sizeof(r), NULL);
	CHECK(!strcmp(r, "10.99.0.1:1194"), "the server's key tagged '%s'", r);

	/* one certificate, two clients: no remote rather than a wrong one */
	s1b = handshake(srv, c1, &cl[2]);
	plugin_session_final(p, "10.99.0.2:40001", id1.digest);
	plugin_session_final(p, "10.99.0.3:40003", id1.digest);
	plugin_session_remote(p, s1b, r, sizeof(r), NULL);
	CHECK(!r[0], "a shared certificate's key tagged '%s'", r);
	/* a newer handshake of the same remote replaces its older one */
	memset(p->finals, 0, sizeof(p->finals));
	plugin_session_final(p, "10.99.0.2:40001", id1.digest);
	plugin_session_final(p, "10.99.0.2:40001", id1.digest);
	plugin_session_remote(p, s1, r, sizeof(r), NULL);
	CHECK(!strcmp(r, "10.99.0.2:40001"), "a renegotiation's key tagged '%s'", r);
	/* no certificate (unknown TLS object): one TLS_FINAL without one */
	plugin_session_final(p, "10.99.0.4:40004", NULL);
	plugin_session_remote(p, NULL, r, sizeof(r), NULL);
	CHECK(!strcmp(r, "10.99.0.4:40004"), "a key without certificate tagged '%s'", r);

	/* P_DATA_V2 or not is each session's own: client 1 without it (an old
	 * client), client 2 with it, their handshakes ending in either order
	 * before the keys (it was one flag for the process, set by the last
	 * TLS_FINAL or CLIENT_CONNECT) */
	for (int order = 0; order < 2; order++) {
		bool v1 = !order;

		memset(p->finals, 0, sizeof(p->finals));
		plugin_session_final(p, "10.99.0.2:40001", id1.digest);
		plugin_session_peer(p, "10.99.0.2:40001", true);
		plugin_session_final(p, "10.99.0.2:40002", id2.digest);
		plugin_session_peer(p, "10.99.0.2:40002", false);
		if (order)	/* CLIENT_CONNECT of client 1 after client 2's TLS_FINAL */
			plugin_session_peer(p, "10.99.0.2:40001", true);
		plugin_session_remote(p, order ? s2 : s1, r, sizeof(r), &v1);
		CHECK(v1 == !order, "key %d of %s: P_DATA_V1 %d", order, r, v1);
		plugin_session_remote(p, order ? s1 : s2, r, sizeof(r), &v1);
		CHECK(v1 == !!order, "key %d of %s: P_DATA_V1 %d", 1 - order, r, v1);
	}

	for (int i = 0; i < 3; i++)
		SSL_free(cl[i]);
	SSL_free(s1), SSL_free(s2), SSL_free(s1b);
	SSL_CTX_free(srv), SSL_CTX_free(c1), SSL_CTX_free(c2);
	free(p);
	return t_done("plugin_session");
}
