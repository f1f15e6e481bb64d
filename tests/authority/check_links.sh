#!/usr/bin/env bash
# The device's `jejak` carries no server: it must not link the authority (authority/, the
# jejak::authority namespace), its HTTP server or libmicrohttpd (nor cpp-httplib, the tests'
# client), neither statically (symbols) nor dynamically (NEEDED). jejak-authority must show
# the first three, so the check is seen to find them. Works on cross-built binaries (the toolchain's nm and readelf).
# Usage: check_links.sh JEJAK JEJAK_AUTHORITY NM READELF
set -uo pipefail
jejak=$1 authority=$2 nm=$3 readelf=$4
fail=0

# Counts of authority symbols, server symbols and cpp-httplib references in one binary.
authority_symbols() { "$nm" -C "$1" 2>/dev/null | grep -c ' jejak::authority::'; }
server_symbols() { "$nm" -C "$1" 2>/dev/null | grep -c 'AuthorityHttpServer'; }
mhd_needed() { "$readelf" -d "$1" 2>/dev/null | grep -c 'NEEDED.*libmicrohttpd'; }
httplib_needed() { "$readelf" -d "$1" 2>/dev/null | grep -c 'NEEDED.*libcpp-httplib'; }

for bin in "$jejak" "$authority"; do
    [[ -f $bin ]] || { echo "links: $bin not built" >&2; exit 2; }
    "$nm" "$bin" >/dev/null 2>&1 || { echo "links: $bin has no symbol table (stripped?)" >&2; exit 2; }
done
a=$(authority_symbols "$authority") s=$(server_symbols "$authority") m=$(mhd_needed "$authority")
echo "jejak-authority: $a authority symbols, $s server symbols, $m libmicrohttpd NEEDED"
if ((a == 0 || s == 0 || m == 0)); then
    echo "links: jejak-authority lacks what the check looks for: the check would find nothing" >&2
    exit 2
fi
a=$(authority_symbols "$jejak") s=$(server_symbols "$jejak") m=$(mhd_needed "$jejak")
h=$(httplib_needed "$jejak")
echo "jejak: $a authority symbols, $s server symbols, $m libmicrohttpd NEEDED, $h cpp-httplib NEEDED"
((a == 0)) || { echo "links: jejak links the authority:" >&2; "$nm" -C "$jejak" | grep ' jejak::authority::' | head -n 5 >&2; fail=1; }
((s == 0)) || { echo "links: jejak links the authority's HTTP server" >&2; fail=1; }
((m == 0)) || { echo "links: jejak needs libmicrohttpd" >&2; fail=1; }
((h == 0)) || { echo "links: jejak needs libcpp-httplib" >&2; fail=1; }
((fail == 0)) && echo "links: jejak carries no authority, server, libmicrohttpd or cpp-httplib"
exit $fail
