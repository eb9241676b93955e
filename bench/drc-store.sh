#!/usr/bin/env bash
# drc-store.sh -- the fleet's shared duplicate request store (NetRpc.DuplicateRequests.Redis, on Debian's
# redis-server) against the in-memory duplicate request cache, NetRpc client and server, side by side in one run.
#
# Starts redis-server on a Unix socket (no persistence) and two bench_servers on CPU 0: one with the in-memory cache
# for TCP (--drc-tcp), one with the shared store (--redis). Runs NetRpc's bench_client over TCP, PING and SUM, with one
# client and with eight, on CPU 1 (where redis-server runs too). Repetitions are interleaved; prints the median calls/s
# and server CPU per call of each, the ratio store / in-memory, and what each call cost in Redis: the commands it ran
# (from INFO commandstats, reset before each run), of which the server waits for one (the lookup) before it runs the call.
#
#   bench/drc-store.sh            REPS=5
#   REPS=1 SCALE=0.1 bench/drc-store.sh
#
# Needs redis-server, redis-cli, taskset and the .NET SDK.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
reps=${REPS:-5}
scale=${SCALE:-1}
for tool in redis-server redis-cli taskset dotnet; do
    command -v "$tool" >/dev/null 2>&1 || { echo "drc-store: SKIPPED, missing: $tool"; exit 0; }
done

log() { echo "[drc-store] $*" >&2; }
# shellcheck source=measure.sh
. "$here/measure.sh"
make_work netrpc-drc-store
calls() { awk -v n="$1" -v s="$scale" 'BEGIN { v = int(n * s); if (v < 1000) v = 1000; print v }'; }

socket=$work/redis.sock
taskset -c 1 redis-server --port 0 --unixsocket "$socket" --unixsocketperm 700 --save "" --appendonly no --dir "$work" >"$work/redis.log" 2>&1 &
pids+=("$!")
for _ in $(seq 1 100); do
    redis-cli -s "$socket" ping >/dev/null 2>&1 && break
    sleep 0.1
done
redis-cli -s "$socket" ping >/dev/null 2>&1 || { echo "drc-store: redis-server did not start: $(cat "$work/redis.log")" >&2; exit 1; }

dotnet build -c Release -v q -nologo "$here/BenchServer/NetRpc.BenchServer.csproj" >&2
dotnet build -c Release -v q -nologo "$here/BenchClient/NetRpc.BenchClient.csproj" >&2
server=$here/BenchServer/bin/Release/net10.0/bench_server
client=$here/BenchClient/bin/Release/net10.0/bench_client
export DOTNET_TieredCompilation=0

memory_port=${PORT:-48997}
store_port=$((memory_port + 1))
start_server memory "$server" -p "$memory_port" --drc-tcp
memory_pid=$server_pid
start_server store "$server" -p "$store_port" --redis "!$socket"
store_pid=$server_pid

# What each call cost in Redis, from INFO commandstats: "LOOKUPS WRITES CHECKS" per call over CALLS calls: the
# lookup (SET NX, and GET when the call was there; the server waits for them), the reply's write (SETEX; pipelined
# behind the reply, not waited for) and the lease checks of duplicates (EXISTS).
commands_per_call() {
    redis-cli -s "$socket" info commandstats | tr -d '\r' | awk -F'[:=,]' -v n="$1" '
        /^cmdstat_/ { name = substr($1, 9); c = $3
                      if (name == "set" || name == "get") e += c; else if (name == "setex" || name == "psetex") s += c; else if (name == "exists") x += c }
        END { printf "%.3f %.3f %.3f", e / n, s / n, x / n }'
}

: >"$work/raw.txt"
for rep in $(seq 1 "$reps"); do
    for case in "ping 0 $(calls 100000) 1" "sum 0 $(calls 100000) 1" "ping 0 $(calls 20000) 8" "sum 0 $(calls 20000) 8"; do
        set -- $case
        for mode in memory store; do
            port=$([ "$mode" = memory ] && echo "$memory_port" || echo "$store_port")
            pid=$([ "$mode" = memory ] && echo "$memory_pid" || echo "$store_pid")
            wait_quiet >/dev/null
            redis-cli -s "$socket" config resetstat >/dev/null
            warmup=$(( $3 / $4 / 10 ))
            line=$(taskset -c 1 "$client" -p "$port" -w "$warmup" -S "$pid" tcp "$1" "$2" "$3" "$4" | grep '^RESULT')
            per_call=$(commands_per_call $(( $3 + warmup * $4 ))) # NCALLS in all; the warm-up per client
            echo "$1 $4 $mode $(echo "$line" | kv calls_per_s) $(echo "$line" | kv srv_cpu_us_per_call) $per_call" | tee -a "$work/raw.txt" >&2
        done
    done
done

median() { # OP CLIENTS MODE FIELD(4 calls/s, 5 server CPU, 6-8 commands per call)
    awk -v o="$1" -v c="$2" -v m="$3" -v f="$4" '$1 == o && $2 == c && $3 == m { print $f }' "$work/raw.txt" | sort -g |
        awk '{ v[NR] = $1 } END { print (NR ? v[int((NR + 1) / 2)] : "NaN") }'
}

echo "| case | in-memory calls/s | shared store calls/s | store / in-memory | in-memory server CPU us/call | store server CPU us/call | Redis commands per call: lookups (waited for), reply writes (pipelined), lease checks |"
echo "|---|---:|---:|---:|---:|---:|---|"
for op in ping sum; do
    for clients in 1 8; do
        name=$([ "$op" = ping ] && echo PING || echo SUM)
        m=$(median "$op" "$clients" memory 4) s=$(median "$op" "$clients" store 4)
        printf '| %s over TCP, %s client(s) | %s | %s | %.2f | %s | %s | %s, %s, %s |\n' "$name" "$clients" "$m" "$s" "$(echo "$s / $m" | bc -l)" \
            "$(median "$op" "$clients" memory 5)" "$(median "$op" "$clients" store 5)" \
            "$(median "$op" "$clients" store 6)" "$(median "$op" "$clients" store 7)" "$(median "$op" "$clients" store 8)"
    done
done
