#!/usr/bin/env bash
# tls-vs-plain.sh -- RPC-with-TLS against plain TCP, NetRpc client and server, side by side in one run.
#
# Makes a CA and a server certificate for localhost with openssl, starts NetRpc's bench_server with --tls on CPU 0,
# and runs NetRpc's bench_client with and without --tls (the same server answers both: TLS is per connection), one
# client, PING and ECHO 64 KiB, with the client on CPU 0 too (1cpu) and on CPU 1 (split). Repetitions are
# interleaved; prints the median calls/s and server CPU per call of each, and the ratio TLS / plain.
#
#   bench/tls-vs-plain.sh            REPS=5
#   REPS=3 bench/tls-vs-plain.sh
#
# Needs openssl, taskset and the .NET SDK.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
reps=${REPS:-5}
port=${PORT:-48999}
for tool in openssl taskset dotnet; do
    command -v "$tool" >/dev/null 2>&1 || { echo "tls-vs-plain: SKIPPED, missing: $tool"; exit 0; }
done

work=$(mktemp -d /tmp/netrpc-tls-bench.XXXXXX)
server_pid=""
trap '[ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; rm -rf "$work"' EXIT

(
    cd "$work"
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -keyout ca.key -out ca.crt \
        -subj "/CN=bench CA" -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout server.key -out server.csr -subj /CN=localhost
    printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' >server.ext
    openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 -out server.crt -extfile server.ext
) >/dev/null 2>&1

dotnet build -c Release -v q -nologo "$here/BenchServer/NetRpc.BenchServer.csproj" >&2
dotnet build -c Release -v q -nologo "$here/BenchClient/NetRpc.BenchClient.csproj" >&2
server=$here/BenchServer/bin/Release/net10.0/bench_server
client=$here/BenchClient/bin/Release/net10.0/bench_client

# Fully optimised code from the start, as in rpc-vs-native.sh.
export DOTNET_TieredCompilation=0
taskset -c 0 "$server" -p "$port" --tls "$work/server.crt" "$work/server.key" >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do
    grep -q '^READY' "$work/server.log" && break
    sleep 0.1
done
grep -q '^READY' "$work/server.log" || { echo "tls-vs-plain: the server did not start: $(cat "$work/server.log")" >&2; exit 1; }

: >"$work/raw.txt"
for rep in $(seq 1 "$reps"); do
    for placement in 1cpu split; do
        cpu=$([ "$placement" = 1cpu ] && echo 0 || echo 1)
        for case in "ping 0 100000" "echo 65536 20000"; do
            for mode in plain tls; do
                tls=()
                [ "$mode" = tls ] && tls=(--tls "$work/ca.crt")
                line=$(taskset -c "$cpu" "$client" -p "$port" -S "$server_pid" "${tls[@]}" tcp $case 1 | grep '^RESULT')
                calls=$(echo "$line" | grep -o 'calls_per_s=[0-9.]*' | cut -d= -f2)
                srv=$(echo "$line" | grep -o 'srv_cpu_us_per_call=[0-9.]*' | cut -d= -f2)
                echo "${case%% *} $placement $mode $calls $srv" | tee -a "$work/raw.txt" >&2
            done
        done
    done
done

median() { # OP PLACEMENT MODE FIELD(4 calls/s, 5 server CPU)
    awk -v o="$1" -v p="$2" -v m="$3" -v f="$4" '$1 == o && $2 == p && $3 == m { print $f }' "$work/raw.txt" | sort -g |
        awk '{ v[NR] = $1 } END { print (NR ? v[int((NR + 1) / 2)] : "NaN") }'
}

echo "| case | plain calls/s | TLS calls/s | TLS / plain | plain server CPU us/call | TLS server CPU us/call |"
echo "|---|---:|---:|---:|---:|---:|"
for placement in 1cpu split; do
    for op in ping echo; do
        name=$([ "$op" = ping ] && echo PING || echo "ECHO 64 KiB")
        where=$([ "$placement" = 1cpu ] && echo "client and server on CPU 0" || echo "server on CPU 0, client on CPU 1")
        p=$(median "$op" "$placement" plain 4) t=$(median "$op" "$placement" tls 4)
        printf '| %s, %s | %s | %s | %.2f | %s | %s |\n' "$name" "$where" "$p" "$t" "$(echo "$t / $p" | bc -l)" \
            "$(median "$op" "$placement" plain 5)" "$(median "$op" "$placement" tls 5)"
    done
done
echo
echo "Medians of $reps interleaved runs of one NetRpc client against one NetRpc server (bench/tls-vs-plain.sh), $(date -u '+%Y-%m-%d %H:%M UTC')."
