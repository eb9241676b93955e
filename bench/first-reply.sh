#!/usr/bin/env bash
# first-reply.sh -- startup: how long the classic my_proto server takes from its process start to its first reply,
# rpcgen's C server (libtirpc) against NetRpc's samples/my_proto, published with Native AOT and, for information,
# run on the .NET runtime (JIT). Measured in one run, interleaved, in a network namespace of its own with native
# rpcbind, where both servers register as they would on a host.
#
#   bench/first-reply.sh             15 runs of each server (bench/report.sh runs 31)
#   RUNS=5 bench/first-reply.sh
#
# Each run: bench/startup/first_reply starts the server on CPU 0 and, on CPU 1, finds and calls TEST as rpcgen's
# client does (clnt_create through rpcbind, clnt_call) until a reply comes, every 50 us; the figure is the time from
# before the fork to that reply. Prints a Markdown table: the median and the ratio to the C server's median.
# Needs root, unshare, ip, rpcbind, gcc, rpcgen, libtirpc-dev and taskset; without them it says what is missing.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
runs=${RUNS:-15}
program=0x31234567

if [ "${1:-}" = --inner ]; then
    # In the namespace: native rpcbind, then the runs, interleaved so drift hits every server alike.
    work=$2
    rpcbind -f &
    rpcbind_pid=$!
    trap 'kill "$rpcbind_pid" 2>/dev/null; wait "$rpcbind_pid" 2>/dev/null || true' EXIT
    for _ in $(seq 1 200); do
        rpcinfo -p 127.0.0.1 >/dev/null 2>&1 && break
        sleep 0.05
    done
    rpcinfo -p 127.0.0.1 >/dev/null
    for i in $(seq 1 "$runs"); do
        for netid in udp tcp; do
            for server in c aot jit; do
                case $server in
                    c) command=("$work/c/my_proto_server") ;;
                    aot) command=("$work/aot/my_proto" server) ;;
                    jit) command=("$work/jit/my_proto" server) ;;
                esac
                us=$(taskset -c 1 "$work/first_reply" "$program" 1 1 "$netid" 0 -- "${command[@]}")
                echo "$server $netid $us"
            done
        done
    done
    exit 0
fi

missing=""
[ "$(id -u)" = 0 ] || missing="root (for a network namespace of its own)"
for tool in unshare ip rpcbind rpcinfo gcc rpcgen taskset dotnet; do
    command -v "$tool" >/dev/null 2>&1 || missing="${missing:+$missing, }$tool"
done
[ -f /usr/include/tirpc/rpc/rpc.h ] || missing="${missing:+$missing, }libtirpc-dev"
if [ -n "$missing" ]; then
    echo "first-reply: SKIPPED, missing: $missing"
    exit 0
fi

work=$(mktemp -d /tmp/netrpc-first-reply.XXXXXX)
trap 'rm -rf "$work"' EXIT
tirpc=(-I/usr/include/tirpc)

# rpcgen's C server: its own main (my_proto_svc.c), TEST answering 100 (the rpcbind tests' server).
mkdir -p "$work/c"
cp "$root/samples/my_proto/my_proto.x" "$work/c/"
(cd "$work/c" && rpcgen my_proto.x)
# (my_proto.x declares no types, so rpcgen writes no my_proto_xdr.c.)
gcc -O2 "${tirpc[@]}" -I"$work/c" -o "$work/c/my_proto_server" "$work/c/my_proto_svc.c" $(ls "$work"/c/my_proto_xdr.c 2>/dev/null) \
    "$root/tests/RpcRuntime.Tests/Binding/Native/my_proto_server.c" -ltirpc
gcc -O2 -Wall "${tirpc[@]}" -o "$work/first_reply" "$here/startup/first_reply.c" -ltirpc

# NetRpc's my_proto, Native AOT and framework-dependent, Release.
dotnet publish "$root/samples/my_proto" -c Release -r linux-x64 -p:PublishAot=true -o "$work/aot" \
    --artifacts-path "$work/aot-artifacts" -v q -nologo >&2
# (Published, not built with -o: -o would put the referenced RpcGen task's build there too, where the targets do not look.)
dotnet publish "$root/samples/my_proto" -c Release -o "$work/jit" --artifacts-path "$work/jit-artifacts" -v q -nologo >&2

unshare -n -m --propagation private sh -c 'ip link set lo up && mount -t tmpfs tmpfs /run && exec "$0" --inner "$1"' \
    "$0" "$work" >"$work/raw.txt"

median() { # SERVER NETID
    awk -v s="$1" -v n="$2" '$1 == s && $2 == n { print $3 }' "$work/raw.txt" | sort -g |
        awk '{ v[NR] = $1 } END { print (NR ? v[int((NR + 1) / 2)] : "NaN") }'
}
echo "| server | first reply over UDP, us | ratio to C | first reply over TCP, us | ratio to C |"
echo "|---|---:|---:|---:|---:|"
for server in c aot jit; do
    case $server in
        c) name="rpcgen C server (libtirpc)" ;;
        aot) name="NetRpc my_proto, Native AOT" ;;
        jit) name="NetRpc my_proto, .NET runtime (JIT)" ;;
    esac
    udp=$(median "$server" udp) tcp=$(median "$server" tcp)
    c_udp=$(median c udp) c_tcp=$(median c tcp)
    printf '| %s | %s | %.2f | %s | %.2f |\n' "$name" "$udp" "$(echo "$udp / $c_udp" | bc -l)" "$tcp" "$(echo "$tcp / $c_tcp" | bc -l)"
done
echo
echo "Medians of $runs runs of each, interleaved; from before the server's fork to the first reply, as a client that polls"
echo "every 50 us through rpcbind sees it (bench/first-reply.sh, bench/startup/first_reply.c)."
