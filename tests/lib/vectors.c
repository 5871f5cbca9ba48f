// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <pcap/pcap.h>
#include "aead_key.h"
#include "testlib.h"
#include "vectors.h"

/* $@env, else @rel from the checkout (the program is
 * <checkout>/build/tests/<kind>/<prog>), else @rel from the current
 * directory; into @dir. */
static const char *data_dir(char dir[PATH_MAX], const char *env, const char *rel)
{
	char exe[PATH_MAX];
	ssize_t n;

	if (getenv(env))
		return getenv(env);
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n < 0)
		return rel;
	exe[n] = 0;
	snprintf(dir, PATH_MAX, "%.*s/../../../%s", (int)(strrchr(exe, '/') - exe), exe, rel);
	return dir;
}

const char *vec_dir(void)
{
	static char dir[PATH_MAX];

	return data_dir(dir, "OVX_VECTORS", "../shared/vectors");
}

const char *epoch_vec_dir(void)
{
	static char dir[PATH_MAX];

	return data_dir(dir, "OVX_EPOCH_VECTORS", "tests/epoch_vectors");
}

static int parse_key_line(struct vec_key *k, const char *line)
{
	char cipher[32], c2s[80], c2s_iv[32], s2c[80], s2c_iv[32];

	if (sscanf(line, "%u %u %31s %63s %31s %63s %79s %31s %79s %31s",
		   &k->peer_id, &k->key_id, cipher, k->remote, k->vpn4, k->vpn6,
		   c2s, c2s_iv, s2c, s2c_iv) != 10)
		return -1;
	k->cipher = ovx_cipher_parse(cipher);
	k->key_len = ovx_cipher_key_len(k->cipher);
	if (!k->key_len || t_unhex(c2s, k->c2s_key, 32) < (int)k->key_len ||
	    t_unhex(s2c, k->s2c_key, 32) < (int)k->key_len ||
	    t_unhex(c2s_iv, k->c2s_iv, 8) != 8 || t_unhex(s2c_iv, k->s2c_iv, 8) != 8)
		return -1;
	return 0;
}

static int load_keys(struct vec_set *v, const char *path)
{
	FILE *f = fopen(path, "r");
	char line[512];

	if (!f) {
		fprintf(stderr, "cannot open %s: %m (set OVX_VECTORS)\n", path);
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		if (line[0] == '#' || line[0] == '\n')
			continue;
		if (v->nkeys == (int)(sizeof(v->keys) / sizeof(v->keys[0])) ||
		    parse_key_line(&v->keys[v->nkeys], line)) {
			fprintf(stderr, "%s: bad key line: %s", path, line);
			fclose(f);
			return -1;
		}
		v->nkeys++;
	}
	fclose(f);
	return 0;
}

/* Ethernet / IPv4 or IPv6 / UDP offsets; false for anything else. */
static bool locate_udp(struct vec_pkt *p)
{
	const uint8_t *f = p->frame;
	size_t off = 14;
	uint16_t proto;

	if (p->frame_len < off)
		return false;
	proto = f[12] << 8 | f[13];
	p->l3_off = off;
	if (proto == 0x0800 && p->frame_len >= off + 20 && f[off + 9] == 17)
		off += (f[off] & 0xf) * 4;
	else if (proto == 0x86dd && p->frame_len >= off + 40 && f[off + 6] == 17)
		off += 40;
	else
		return false;
	if (p->frame_len < off + 8)
		return false;
	p->udp_off = off;
	p->payload = f + off + 8;
	p->payload_len = p->frame_len - off - 8;
	p->c2s = (f[off + 2] << 8 | f[off + 3]) == VEC_SERVER_PORT;
	return true;
}

static int load_pcap(struct vec_set *v, const char *path)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *bytes;
	size_t used = 0, cap = 1 << 20;
	pcap_t *pc = pcap_open_offline(path, errbuf);
	int r;

	if (!pc) {
		fprintf(stderr, "cannot open %s: %s (set OVX_VECTORS)\n", path, errbuf);
		return -1;
	}
	v->data = malloc(cap);
	v->pkts = calloc(4096, sizeof(*v->pkts));
	while (v->data && v->pkts && v->npkts < 4096 &&
	       (r = pcap_next_ex(pc, &h, &bytes)) == 1) {
		struct vec_pkt *p = &v->pkts[v->npkts];

		if (used + h->caplen > cap)
			break;
		memcpy(v->data + used, bytes, h->caplen);
		p->frame = v->data + used;
		p->frame_len = h->caplen;
		used += h->caplen;
		if (locate_udp(p))
			v->npkts++;
	}
	pcap_close(pc);
	return v->data && v->pkts ? 0 : -1;
}

int vec_load(struct vec_set *v, const char *name)
{
	char path[PATH_MAX];

	memset(v, 0, sizeof(*v));
	snprintf(path, sizeof(path), "%s/%s.keys", vec_dir(), name);
	if (load_keys(v, path))
		return -1;
	snprintf(path, sizeof(path), "%s/%s.pcap", vec_dir(), name);
	return load_pcap(v, path);
}

void vec_free(struct vec_set *v)
{
	free(v->pkts);
	free(v->data);
	memset(v, 0, sizeof(*v));
}

const struct vec_key *vec_find_key(const struct vec_set *v, uint32_t peer_id,
				   uint32_t key_id)
{
	for (int i = 0; i < v->nkeys; i++)
		if (v->keys[i].peer_id == peer_id && v->keys[i].key_id == key_id)
			return &v->keys[i];
	return NULL;
}

bool vec_data_v2(const struct vec_pkt *p, uint32_t *peer_id, uint32_t *key_id)
{
	const uint8_t *d = p->payload;

	if (p->payload_len < 24 || d[0] >> 3 != 9)
		return false;
	*key_id = d[0] & 7;
	*peer_id = d[1] << 16 | d[2] << 8 | d[3];
	return true;
}
