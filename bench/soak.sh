#!/usr/bin/env bash
# soak.sh -- a NetRpc server under a steady load for 10 minutes, its memory and handles watched.
#
# Builds NetRpc's bench_server and bench/Soak (Release), starts the server (duplicate request cache on, so
# that it is exercised too) and runs the soak client against it: 16 clients (8 TCP, 8 UDP) sharing a steady
# rate of PING, ECHO 1 KiB and SUM, and one short-lived TCP connection a second. The server's resident
# memory, open descriptors and threads are sampled every 10 s; the report is a table and a verdict.
#
#   bench/soak.sh                              10 minutes at 4000 calls/s, report in docs/perf/soak.md
#   SECONDS_=120 RATE=2000 OUT=/tmp/s.md bench/soak.sh
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
seconds=${SECONDS_:-600}
rate=${RATE:-4000}
port=${PORT:-43999}
out=${OUT:-$root/docs/perf/soak.md}
work=$(mktemp -d /tmp/netrpc-soak.XXXXXX)
server_pid=""
cleanup() {
    if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
        kill -TERM "$server_pid"
        wait "$server_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

dotnet build -c Release -v q -nologo "$here/BenchServer/NetRpc.BenchServer.csproj" >&2
dotnet build -c Release -v q -nologo "$here/Soak/NetRpc.Soak.csproj" >&2
"$here/BenchServer/bin/Release/net10.0/bench_server" -p "$port" --drc >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do
    grep -q '^READY' "$work/server.log" && break
    sleep 0.1
done
grep -q '^READY' "$work/server.log" || { echo "soak: the server did not start: $(cat "$work/server.log")" >&2; exit 1; }

status=0
"$here/Soak/bin/Release/net10.0/soak" --port "$port" --server-pid "$server_pid" --seconds "$seconds" --rate "$rate" | tee "$work/soak.txt" || status=$?
{
    echo "# Soak: a NetRpc server under a steady load"
    echo
    echo "Produced by \`bench/soak.sh\` (${seconds} s at ${rate} calls/s) on $(date -u '+%Y-%m-%d %H:%M UTC'); $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), .NET SDK $(dotnet --version)."
    echo "16 clients (8 TCP, 8 UDP) share the rate, calling PING, ECHO (1 KiB) and SUM in turn; one more TCP"
    echo "connection opens, makes a call and closes every second. The server (bench/BenchServer, duplicate request"
    echo "cache on) is sampled from /proc every 10 s. Verdict rule: after the first 60 s, resident memory stays"
    echo "within 10 % + 8 MiB of its first value, descriptors and threads within 2 of theirs, and no call fails."
    echo
    sed -n '/^| time s/,$p' "$work/soak.txt" | sed 's/^verdict/**verdict**/'
    echo
    grep -E '^[0-9]+ calls' "$work/soak.txt" || true
} >"$out"
echo "soak: wrote $out" >&2
exit "$status"
