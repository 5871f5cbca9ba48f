// SPDX-License-Identifier: GPL-2.0
/* Which client a captured key belongs to. OpenVPN exports a session's data
 * keys some time after that session's TLS_FINAL (on a server: once its own
 * key message is acknowledged, or after CLIENT_CONNECT), and other clients'
 * handshakes may end in between: the key's remote is not "the last
 * TLS_FINAL". The export hook has the TLS object itself, and TLS_FINAL's
 * environment names the certificate OpenVPN verified in that handshake
 * (tls_digest_sha256_0) and the remote: the key goes with the TLS_FINAL whose
 * certificate is the one its own TLS object was given. When that is not one
 * remote (clients sharing a certificate, or none), the key goes without a
 * remote and the daemon finds its client on the wire alone (the packet its
 * key opens). */
#include <ctype.h>
#include <string.h>
#include <time.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include "plugin.h"

/* A TLS_FINAL is forgotten after this long without its key: OpenVPN's
 * hand-window (default 60 s) bounds a handshake. */
#define FINAL_MAX_AGE_S	120

static time_t now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

/* "ab:cd:..." (any case) into @out; false unless it is exactly 32 bytes. */
static bool parse_digest(const char *s, unsigned char *out)
{
	int n = 0;

	for (; s && *s && n < 2 * PLUGIN_DIGEST_LEN; s++) {
		int v;

		if (*s == ':')
			continue;
		if (!isxdigit((unsigned char)*s))
			return false;
		v = isdigit((unsigned char)*s) ? *s - '0' : tolower((unsigned char)*s) - 'a' + 10;
		out[n / 2] = n % 2 ? out[n / 2] | v : v << 4;
		n++;
	}
	return s && !*s && n == 2 * PLUGIN_DIGEST_LEN;
}

void plugin_session_final(struct plugin *p, const char *remote, const char *digest)
{
	struct plugin_final *slot = NULL, *oldest = &p->finals[0];
	time_t now = now_s();

	for (int i = 0; i < PLUGIN_MAX_FINALS; i++) {
		struct plugin_final *f = &p->finals[i];

		if (f->used && now - f->time > FINAL_MAX_AGE_S)
			f->used = false;
		if (f->used && !strcmp(f->remote, remote))
			slot = f;	/* the same client's newer handshake */
		if (!slot && !f->used)
			slot = f;
		if (f->time < oldest->time)
			oldest = f;
	}
	slot = slot ?: oldest;
	*slot = (struct plugin_final){ .used = true, .time = now };
	snprintf(slot->remote, sizeof(slot->remote), "%s", remote);
	slot->has_digest = parse_digest(digest, slot->digest);
}

/* The SHA-256 of the certificate @ssl's peer presented; false if none. */
static bool ssl_digest(void *ssl, unsigned char *out)
{
	X509 *cert = ssl ? SSL_get1_peer_certificate(ssl) : NULL;
	unsigned int len = 0;
	bool ok;

	if (!cert)
		return false;
	ok = X509_digest(cert, EVP_sha256(), out, &len) && len == PLUGIN_DIGEST_LEN;
	X509_free(cert);
	return ok;
}

void plugin_session_peer(struct plugin *p, const char *remote, bool v1)
{
	for (int i = 0; i < PLUGIN_MAX_FINALS; i++)
		if (p->finals[i].used && !strcmp(p->finals[i].remote, remote))
			p->finals[i].v1 = v1;
}

void plugin_session_remote(struct plugin *p, void *ssl, char *out, size_t size, bool *v1)
{
	unsigned char d[PLUGIN_DIGEST_LEN];
	bool has = ssl_digest(ssl, d);
	struct plugin_final *match = NULL;
	int n = 0;

	out[0] = 0;
	if (v1)
		*v1 = false;
	for (int i = 0; i < PLUGIN_MAX_FINALS; i++) {
		struct plugin_final *f = &p->finals[i];

		if (!f->used || f->has_digest != has ||
		    (has && memcmp(f->digest, d, sizeof(d))))
			continue;
		if (!match || strcmp(match->remote, f->remote))
			n++;
		match = f;
	}
	if (n != 1)
		return;		/* none, or several clients: the wire decides */
	snprintf(out, size, "%s", match->remote);
	if (v1)
		*v1 = match->v1;
	match->used = false;
}
