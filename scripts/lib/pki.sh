#!/usr/bin/env bash
# Makes a throwaway PKI for the interop tests in DIR: ca.crt, server.{crt,key},
# client{1..N}.{crt,key} (N: PKI_CLIENTS, default 3). EC P-256, valid one day.
set -eu
dir=$1
mkdir -p "$dir"
cd "$dir"
[ -f ca.crt ] && exit 0
ossl() { openssl "$@" >/dev/null 2>&1; }
ossl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 \
	-subj /CN=ovpn-xdp-test-ca -keyout ca.key -out ca.crt
issue() {
	local name=$1 ext=$2
	ossl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-subj "/CN=$name" -keyout "$name.key" -out "$name.csr"
	printf '%s\n' "$ext" > "$name.ext"
	ossl x509 -req -in "$name.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -days 1 \
		-extfile "$name.ext" -out "$name.crt"
}
issue server "extendedKeyUsage=serverAuth"
for c in $(seq "${PKI_CLIENTS:-3}"); do issue "client$c" "extendedKeyUsage=clientAuth"; done
