#!/usr/bin/env bash
# Builds OpenVPN 2.7.6 from ../shared/peers/openvpn-2.7.6.tar.gz (its release
# source, see the README there) as the builds a user may run, for the tests of
# the plugin against each: build/openvpn-2.7.6/VARIANT/openvpn. A variant
# already built is skipped. Variants:
#   partial  the release's default flags: PIE, partial RELRO, lazy binding
#   full     LDFLAGS="-Wl,-z,relro -Wl,-z,now": full RELRO, immediate binding
#            (as Debian's package)
#   nopie    -fno-pie -no-pie: a non-PIE executable, partial RELRO, lazy binding
#   noplt    -fno-plt: calls through GOT slots bound at start (GLOB_DAT), PIE,
#            partial RELRO
# Usage: scripts/build-openvpn.sh [VARIANT...] (default: all). The variants
# build side by side (one compiler job each: configure runs single-threaded);
# the source is extracted and prepared (autoreconf) once. Build dependencies:
# scripts/install-deps.sh. Prints one line per variant; output of a failed
# step in build/openvpn-2.7.6/VARIANT/build.log.
set -u
cd "$(dirname "$0")/.." || exit 1
VERSION=2.7.6
TARBALL=${OPENVPN_TARBALL:-../shared/peers/openvpn-$VERSION.tar.gz}
DIR=$PWD/build/openvpn-$VERSION
SRC=$DIR/src
ALL="partial full nopie noplt"

variant_flags() {	# variant: "CFLAGS|LDFLAGS"
	case $1 in
	partial) echo "|" ;;
	full) echo "|-Wl,-z,relro -Wl,-z,now" ;;
	nopie) echo "-fno-pie|-no-pie" ;;
	noplt) echo "-fno-plt|" ;;
	*) return 1 ;;
	esac
}

# The source, extracted and with its configure script (the tarball is a git
# archive): once, under a lock, for all variants.
prepare_source() {
	mkdir -p "$DIR" || return 1
	(
		flock 9
		[ -x "$SRC/configure" ] && exit 0
		[ -f "$TARBALL" ] || { echo "build-openvpn: no $TARBALL (see ../shared/peers/README.md)" >&2; exit 1; }
		rm -rf "$SRC" "$DIR/src.tmp" && mkdir "$DIR/src.tmp" &&
		tar xzf "$TARBALL" -C "$DIR/src.tmp" --strip-components=1 &&
		(cd "$DIR/src.tmp" && autoreconf -fi) > "$DIR/autoreconf.log" 2>&1 &&
		mv "$DIR/src.tmp" "$SRC" ||
			{ echo "build-openvpn: preparing the source failed (see $DIR/autoreconf.log)" >&2; exit 1; }
	) 9> "$DIR/.lock"
}

# One variant, configured out of the source tree (GIT=false: build/ is in
# this project's git checkout, not OpenVPN's); only the executable is made.
build_variant() {	# variant
	local v=$1 flags out=$DIR/$1 start=$SECONDS
	flags=$(variant_flags "$v") || { echo "build-openvpn: unknown variant '$v' ($ALL)" >&2; return 1; }
	mkdir -p "$out" || return 1
	(
		flock 9
		[ -x "$out/openvpn" ] && { echo "openvpn $VERSION $v: built already"; exit 0; }
		rm -rf "$out/obj" && mkdir "$out/obj" && cd "$out/obj" &&
		"$SRC/configure" --disable-dco --disable-plugin-auth-pam --disable-unit-tests \
			GIT=false CFLAGS="-g -O2 ${flags%|*}" LDFLAGS="${flags#*|}" > "$out/build.log" 2>&1 &&
		make -C src/compat >> "$out/build.log" 2>&1 &&
		make -C src/openvpn >> "$out/build.log" 2>&1 &&
		cp src/openvpn/openvpn "$out/openvpn" ||
			{ echo "build-openvpn: building $v failed (see $out/build.log)" >&2; exit 1; }
		echo "openvpn $VERSION $v: built in $((SECONDS - start)) s"
	) 9> "$out/.lock"
}

variants=${*:-$ALL}
prepare_source || exit 1
pids=()
for v in $variants; do
	build_variant "$v" &
	pids+=($!)
done
rc=0
for p in "${pids[@]}"; do
	wait "$p" || rc=1
done
exit $rc
