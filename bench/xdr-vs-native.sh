#!/usr/bin/env bash
# xdr-vs-native.sh -- NetRpc.Xdr against libtirpc's XDR, side by side in one run.
#
# Builds the native baseline's xdr_bench (rpcgen + libtirpc, from ../shared/bench/native), then runs
# the BenchmarkDotNet XDR benchmarks in Release with xdr_bench run before and after them, everything
# pinned to the same CPU, and prints ns/op for both and the ratio NetRpc/libtirpc.
#
#   bench/xdr-vs-native.sh            full BenchmarkDotNet run (a few minutes)
#   QUICK=1 bench/xdr-vs-native.sh    BenchmarkDotNet's short job, longer warm-up (about 1.5 minutes)
#   CPU=1 NATIVE_DIR=/path FILTER="*big_struct*" bench/xdr-vs-native.sh
#
# Without the native baseline (or gcc, rpcgen, libtirpc-dev) it says why and runs NetRpc's side alone.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
native_dir=${NATIVE_DIR:-$root/../shared/bench/native}
cpu=${CPU:-0}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

pin=()
if command -v taskset >/dev/null 2>&1; then
    pin=(taskset -c "$cpu")
else
    echo "xdr-vs-native: taskset not found; running unpinned" >&2
fi

native_args=()
missing=""
[ -f "$native_dir/xdr_bench.c" ] || missing="the native baseline ($native_dir)"
for tool in gcc make rpcgen; do
    command -v "$tool" >/dev/null 2>&1 || missing="${missing:+$missing, }$tool"
done
[ -f /usr/include/tirpc/rpc/rpc.h ] || missing="${missing:+$missing, }libtirpc-dev"
if [ -z "$missing" ]; then
    # The baseline folder may be read-only: build a copy.
    cp -r "$native_dir" "$work/native"
    rm -rf "$work/native/build"
    make -s -C "$work/native" build/xdr_bench >&2
    native_args=(--native-exe "$work/native/build/xdr_bench")
else
    echo "xdr-vs-native: native side SKIPPED, missing: $missing (apt-get install -y gcc make libtirpc-dev rpcsvc-proto)" >&2
fi

bdn_args=()
# The short job needs extra warm-up: pinned to one CPU, .NET waits ten times longer before tiering up.
[ "${QUICK:-0}" = 1 ] && bdn_args=(--job short --warmupCount 30)

dotnet build -c Release "$here/Xdr.Benchmarks/NetRpc.Xdr.Benchmarks.csproj" >&2
cd "$here/Xdr.Benchmarks"
"${pin[@]}" dotnet "$here/Xdr.Benchmarks/bin/Release/net10.0/NetRpc.Xdr.Benchmarks.dll" \
    "${native_args[@]}" --filter "${FILTER:-*}" --artifacts "$work/bdn" "${bdn_args[@]}"
