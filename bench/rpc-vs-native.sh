#!/usr/bin/env bash
# rpc-vs-native.sh -- NetRpc's RPC runtime against rpcgen + libtirpc, side by side in one run.
#
# Builds the native baseline (bench_server, bench_client from ../shared/bench/native) and NetRpc's
# bench_server and bench_client (bench/BenchServer, bench/BenchClient, Release), starts one server of
# each kind on fixed ports, and runs every case with every pairing, all in the same CPU placement:
#
#   C-C  C client  -> C server        N-C  NetRpc client -> C server
#   C-N  C client  -> NetRpc server   N-N  NetRpc client -> NetRpc server
#   C-N0 C client  -> NetRpc server with SpinBeforeSleep = 0 (never spins; the 8-client PING and ECHO 64 KiB cases)
# With IO_PATHS=1, two more servers, both never spinning, so that with C-N0 they tell the I/O paths apart:
#   C-NT C client  -> NetRpc server, a thread per connection, libc recv/send (NETRPC_SERVER_DESIGN=threads)
#   C-NM C client  -> NetRpc server, a thread per connection, .NET's Socket.Receive/Send (NETRPC_SOCKET_IO=managed)
#   C-N0 against C-NT is epoll loops against a thread per connection; C-NT against C-NM is libc against .NET's sockets.
#
# Cases (the "Done when" of the runtime issue):
#   ping-tcp-1    PING over TCP, 1 client, server and client on CPU 0                     (1cpu)
#   ping-tcp-8    PING over TCP, 8 clients, server on CPU 0, clients on CPU 1             (split)
#   pipe64-tcp-1  PING over TCP, 1 NetRpc client with 64 calls in flight, all on CPU 0    (1cpu)
#   ping-udp-1    PING over UDP, 1 client, server and client on CPU 0 (for information)   (1cpu)
#   ping-tcp-1s   PING over TCP, 1 client, server on CPU 0, client on CPU 1 (information) (split)
#   pipe8-tcp-8   PING over TCP, 8 NetRpc clients with 8 calls in flight each: the servers' capacity
#                 when the clients are not what limits (information)                       (split)
#   echo64k-tcp-8c  ECHO 64 KiB over TCP, 8 clients, all on CPU 0: the server's work per call when its CPU
#                 never waits idle between calls (information)                              (1cpu)
# Any other OP-TRANSPORT-CLIENTS case runs too (ECHO and SUM, more clients: see case_op below);
# bench/report.sh runs the whole matrix for the performance report.
#
# For each it prints calls/s, p50/p99 latency, the server's and the clients' CPU time per call and the
# ratio of calls/s to C-C of the same case (pipe64 is compared with C-C of ping-tcp-1), median of REPS
# repetitions, which are interleaved so that drift of the machine hits every pairing alike.
#
#   bench/rpc-vs-native.sh             REPS=3, full call counts (about 8 minutes)
#   QUICK=1 bench/rpc-vs-native.sh     REPS=1, a quarter of the calls (about 2 minutes)
#   REPS=5 SCALE=2 CASES="ping-tcp-8" NATIVE_DIR=/path RAW=file bench/rpc-vs-native.sh
#   TABLE_ONLY=1 RAW=file bench/rpc-vs-native.sh    the table again, from the raw lines of a run
#
# Server CPU is read by this script from /proc/PID/stat (utime+stime of the whole process, including
# threads that ended) before and after each run, the same way for both servers. Needs gcc, make, rpcgen,
# libtirpc-dev and taskset; without them it says what is missing and stops.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
native_dir=${NATIVE_DIR:-$root/../shared/bench/native}
if [ "${QUICK:-0}" = 1 ]; then
    reps=${REPS:-1}
    scale=${SCALE:-0.25}
else
    reps=${REPS:-3}
    scale=${SCALE:-1}
fi
cases=${CASES:-"ping-tcp-1 ping-tcp-8 pipe64-tcp-1 ping-udp-1 ping-tcp-1s pipe8-tcp-8"}
port_c=${PORT_C:-40999}
port_n=${PORT_N:-41999}
port_n0=${PORT_N0:-42999}
port_nt=${PORT_NT:-43999}
port_nm=${PORT_NM:-44999}
io_paths=${IO_PATHS:-0}

log() { echo "[rpc-vs-native] $*" >&2; }

# ------------------------------------------------------------------ helpers
# shellcheck source=measure.sh
. "$here/measure.sh"
make_work rpc-vs-native
calls() { awk -v n="$1" -v s="$scale" 'BEGIN { v = int(n * s); if (v < 1000) v = 1000; print v }'; }

# run CASE PAIR CLIENT_CPU CLIENT_CMD... : one measured run, appended to $raw
run() {
    local name=$1 pair=$2 cpu=$3
    shift 3
    local srv_pid line bg t0 t1 n
    case "${pair#*-}" in
    C) srv_pid=$c_pid ;;
    N) srv_pid=$n_pid ;;
    N0) srv_pid=$n0_pid ;;
    NT) srv_pid=$nt_pid ;;
    NM) srv_pid=$nm_pid ;;
    esac
    bg=$(wait_quiet)
    t0=$(cpu_ticks "$srv_pid")
    line=$(taskset -c "$cpu" "$@" 2>"$work/client.err" | grep '^RESULT' | head -1) || true
    t1=$(cpu_ticks "$srv_pid")
    if [ -z "$line" ] || [ "$(echo "$line" | kv ok)" != 1 ]; then
        log "FAILED: $name $pair: $* :: $(tail -3 "$work/client.err" | tr '\n' ' ')"
        echo "RESULT ok=0 case=$name pair=$pair" >>"$raw"
        return
    fi
    n=$(echo "$line" | kv calls)
    local srv
    srv=$(awk -v a="$t0" -v b="$t1" -v hz="$clk_tck" -v n="$n" 'BEGIN { printf "%.2f", (b - a) * 1e6 / hz / n }')
    echo "$line case=$name pair=$pair server_cpu_us_per_call=$srv bg_busy_pct=$bg" >>"$raw"
    log "$(printf '%-13s %s  %8s calls/s  p50 %6s us  p99 %7s us  server CPU %5s us/call' "$name" "$pair" \
        "$(echo "$line" | kv calls_per_s)" "$(echo "$line" | kv p50_us)" "$(echo "$line" | kv p99_us)" "$srv")"
}

# Case names: OP-TRANSPORT-CLIENTS, OP one of ping, echo64, echo4k, echo64k (ECHO of 64 B, 4 KiB, 64 KiB),
# sum (SUM of big_struct with 100 ints, 488 B), pipe8, pipe64 (PING with that many calls in flight per NetRpc
# client), paced (PING from NetRpc clients that wait 1 ms after each call: light load, calls further apart than a spin,
# run N-C, N-N and N-N0). One client runs on CPU 0 with the server (1cpu) unless CLIENTS ends in "s"; more than one run on
# CPU 1, the server on CPU 0 (split), unless CLIENTS ends in "c": then they all run on CPU 0 with the server (1cpu).
case_op() { echo "${1%%-*}"; }
case_transport() { local rest=${1#*-}; echo "${rest%%-*}"; }
case_clients() { local rest=${1#*-}; rest=${rest#*-}; rest=${rest%s}; echo "${rest%c}"; }
case_split() {
    local n
    n=$(case_clients "$1")
    case "${1: -1}" in s) true ;; c) false ;; *) [ "$n" -gt 1 ] ;; esac
}
# client_for NAME PAIR -> client CPU and command
client_for() {
    local name=$1 pair=$2 side=${2%%-*} srv=${2#*-} port cmd op transport clients size=0 total cpu=0
    case "$srv" in
    C) port=$port_c ;;
    N) port=$port_n ;;
    N0) port=$port_n0 ;;
    NT) port=$port_nt ;;
    NM) port=$port_nm ;;
    esac
    if [ "$side" = C ]; then cmd=("$c_client" -p "$port"); else cmd=("$n_client" -p "$port"); fi
    op=$(case_op "$name")
    transport=$(case_transport "$name")
    clients=$(case_clients "$name")
    case_split "$name" && cpu=1
    case "$op" in
    ping) total=200000 ;;
    echo64) op=echo size=64 total=200000 ;;
    echo4k) op=echo size=4096 total=150000 ;;
    echo64k) op=echo size=65536 total=40000 ;;
    sum) size=100 total=150000 ;;
    pipe*) cmd+=(--pipeline "${op#pipe}") op=ping total=$((clients > 1 ? 1000000 : 3000000)) ;;
    paced) cmd+=(--think-ms 1 -w 100) op=ping total=6000 ;;
    esac
    [ "$clients" -gt 1 ] && [ "$total" -lt 400000 ] && total=$((total * 2))
    # Paced runs are not scaled: their server CPU is counted in 10 ms ticks, and they take about 7 s whatever the scale.
    case "$(case_op "$name")" in paced) ;; *) total=$(calls "$total") ;; esac
    echo "$cpu" "${cmd[@]}" "$transport" "$op" "$size" "$total" "$clients"
}
pairs_for() {
    if [ "$io_paths" = 1 ]; then
        case "$(case_op "$1")" in pipe*) ;; *) [ "$(case_transport "$1")" = tcp ] && { echo "C-C C-N0 C-NT C-NM"; return; } ;; esac
    fi
    case "$(case_op "$1")" in
    pipe*) echo "N-C N-N" ;;
    paced) echo "N-C N-N N-N0" ;;
    *) case "$1" in ping-tcp-8 | echo64k-tcp-8 | echo64k-tcp-8c) echo "C-C C-N C-N0 N-C N-N" ;; *) echo "C-C C-N N-C N-N" ;; esac ;;
    esac
}

raw=${RAW:-$work/raw.txt}
if [ "${TABLE_ONLY:-0}" = 1 ]; then
    # Only the table, from the raw lines of an earlier run.
    [ -f "$raw" ] || { log "TABLE_ONLY needs RAW=file from an earlier run"; exit 2; }
else
    missing=""
    [ -f "$native_dir/bench_client.c" ] || missing="the native baseline ($native_dir)"
    for tool in gcc make rpcgen taskset dotnet; do
        command -v "$tool" >/dev/null 2>&1 || missing="${missing:+$missing, }$tool"
    done
    [ -f /usr/include/tirpc/rpc/rpc.h ] || missing="${missing:+$missing, }libtirpc-dev"
    if [ -n "$missing" ]; then
        log "cannot run, missing: $missing (apt-get install -y gcc make libtirpc-dev rpcsvc-proto)"
        exit 2
    fi
    if [ "$(nproc)" -lt 2 ]; then
        log "needs 2 CPUs for the split placement; this machine has $(nproc)"
        exit 2
    fi

    : >"$raw"

    # ------------------------------------------------------------------ build both sides
    cp -r "$native_dir" "$work/native" # the baseline folder may be read-only
    rm -rf "$work/native/build" "$work/native/results"
    make -s -C "$work/native" all >&2
    c_server=$work/native/build/bench_server
    c_client=$work/native/build/bench_client
    dotnet build -c Release -v q -nologo "$here/BenchServer/NetRpc.BenchServer.csproj" >&2
    dotnet build -c Release -v q -nologo "$here/BenchClient/NetRpc.BenchClient.csproj" >&2
    n_server=$here/BenchServer/bin/Release/net10.0/bench_server
    n_client=$here/BenchClient/bin/Release/net10.0/bench_client

    # ------------------------------------------------------------------ servers, both on CPU 0 for the whole run
    start_server c "$c_server" -p "$port_c"
    c_pid=$server_pid
    start_server n "$n_server" -p "$port_n"
    n_pid=$server_pid
    start_server n0 "$n_server" -p "$port_n0" --spin-us 0
    n0_pid=$server_pid
    if [ "$io_paths" = 1 ]; then
        start_server nt env NETRPC_SERVER_DESIGN=threads "$n_server" -p "$port_nt" --spin-us 0
        nt_pid=$server_pid
        start_server nm env NETRPC_SOCKET_IO=managed "$n_server" -p "$port_nm" --spin-us 0
        nm_pid=$server_pid
    fi
    log "C server pid $c_pid port $port_c; NetRpc server pid $n_pid port $port_n; NetRpc server without spin pid $n0_pid port $port_n0"

    # ------------------------------------------------------------------ the runs, repetitions interleaved
    for rep in $(seq 1 "$reps"); do
        log "repetition $rep of $reps"
        for name in $cases; do
            for pair in $(pairs_for "$name"); do
                # shellcheck disable=SC2046
                run "$name" "$pair" $(client_for "$name" "$pair")
            done
        done
    done
fi

# ------------------------------------------------------------------ table
median() { # CASE PAIR KEY
    { grep " case=$1 pair=$2 " "$raw" || true; } | kv "$3" | { grep -E '^-?[0-9.]+$' || true; } | sort -g |
        awk '{ v[NR] = $1 } END { if (NR == 0) { print "-"; exit } if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-" || b == 0) print "-"; else printf "%.2f", a / b }'; }
per_rep() { # CASE PAIR_A PAIR_B: the calls/s ratio A/B of each repetition, in the order they ran
    paste -d' ' <(grep " case=$1 pair=$2 " "$raw" | kv calls_per_s) <(grep " case=$1 pair=$3 " "$raw" | kv calls_per_s) |
        awk '{ printf "%s%.2f", (NR > 1 ? ", " : ""), ($2 > 0 ? $1 / $2 : 0) } END { if (NR == 0) printf "-"; print "" }'
}
per_rep_cpu() { # CASE PAIR_A PAIR_B: the server CPU per call ratio A/B of each repetition, in the order they ran
    paste -d' ' <(grep " case=$1 pair=$2 " "$raw" | kv server_cpu_us_per_call) <(grep " case=$1 pair=$3 " "$raw" | kv server_cpu_us_per_call) |
        awk '{ printf "%s%.2f", (NR > 1 ? ", " : ""), ($2 > 0 ? $1 / $2 : 0) } END { if (NR == 0) printf "-"; print "" }'
}
describe() {
    local op transport clients what placement
    op=$(case_op "$1")
    transport=$(case_transport "$1" | tr a-z A-Z)
    clients=$(case_clients "$1")
    case "$op" in
    ping) what="PING" ;;
    echo64) what="ECHO 64 B" ;;
    echo4k) what="ECHO 4 KiB" ;;
    echo64k) what="ECHO 64 KiB" ;;
    sum) what="SUM (488 B)" ;;
    pipe*) what="PING, ${op#pipe} in flight per client" ;;
    paced) what="PING, 1 ms between calls" ;;
    esac
    if case_split "$1"; then placement="split (server CPU 0, clients CPU 1)"; else placement="1cpu (all on CPU 0)"; fi
    echo "$what $transport, $clients client$([ "$clients" -gt 1 ] && echo s), $placement"
}
# The C-C case a case is compared with: pipelined cases with plain PING of as many clients; paced ones with none
# (C clients cannot pace, so the case has no C-C and its ratio column is empty).
base_of() {
    case "$(case_op "$1")" in
    pipe*) echo "ping-$(case_transport "$1")-$(case_clients "$1")" ;;
    *) echo "$1" ;;
    esac
}
runs_seen=$(awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^(case|pair)=/) k = k " " $i; n[k]++; k = "" } END { for (k in n) if (n[k] > m) m = n[k]; print m + 0 }' "$raw")
echo "## NetRpc vs rpcgen + libtirpc, $(date -u '+%Y-%m-%d %H:%M UTC'), medians of $runs_seen run(s) of each pairing"
echo
echo "    $(nproc) CPUs: $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'); kernel $(uname -r)"
echo "    libtirpc $(dpkg-query -W -f='${Version}' libtirpc3 2>/dev/null || echo '?'); $(rpcgen --version 2>&1 | head -1); .NET $(dotnet --version)"
echo
echo "| case | pair | calls/s | ratio to C-C | p50 us | p99 us | server CPU us/call | client CPU us/call |"
echo "|---|---|---:|---:|---:|---:|---:|---:|"
for name in $cases; do
    base=$(median "$(base_of "$name")" C-C calls_per_s)
    for pair in $(pairs_for "$name"); do
        cps=$(median "$name" "$pair" calls_per_s)
        printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$(describe "$name")" "$pair" "$cps" "$(ratio "$cps" "$base")" \
            "$(median "$name" "$pair" p50_us)" "$(median "$name" "$pair" p99_us)" \
            "$(median "$name" "$pair" server_cpu_us_per_call)" "$(median "$name" "$pair" cli_cpu_us_per_call)"
    done
done

# The three figures the runtime issue asks for.
verdict() { awk -v v="$1" -v t="$2" 'BEGIN { if (v == "-") print "n/a"; else if (v + 0 >= t + 0) print "PASS"; else print "FAIL" }'; }
# (With IO_PATHS the pairings they compare are not run: the I/O paths get lines of their own below.)
if [ "$io_paths" != 1 ]; then
    echo
    for name in $cases; do
        case "$name" in
        ping-tcp-1)
            r=$(ratio "$(median ping-tcp-1 N-N calls_per_s)" "$(median ping-tcp-1 C-C calls_per_s)")
            echo "- PING TCP 1 client 1cpu, N-N / C-C calls/s: $r (target >= 1.0): $(verdict "$r" 1.0)"
            ;;
        ping-tcp-8)
            r=$(ratio "$(median ping-tcp-8 C-N calls_per_s)" "$(median ping-tcp-8 C-C calls_per_s)")
            cn=$(median ping-tcp-8 C-N server_cpu_us_per_call)
            cc=$(median ping-tcp-8 C-C server_cpu_us_per_call)
            cpu=$(ratio "$cc" "$cn")
            echo "- PING TCP 8 C clients split, NetRpc server / libtirpc server calls/s: $r (target >= 1.2): $(verdict "$r" 1.2)"
            echo "- same, server CPU per call NetRpc $cn us vs libtirpc $cc us (target NetRpc <= libtirpc): $(verdict "$cpu" 1.0)"
            r0=$(ratio "$(median ping-tcp-8 C-N0 calls_per_s)" "$(median ping-tcp-8 C-C calls_per_s)")
            cn0=$(median ping-tcp-8 C-N0 server_cpu_us_per_call)
            echo "- same, NetRpc server with SpinBeforeSleep = 0: calls/s $r0 x libtirpc's, server CPU per call $cn0 us: $(verdict "$(ratio "$cc" "$cn0")" 1.0) on CPU"
            echo "- per repetition, NetRpc server / libtirpc server calls/s: $(per_rep ping-tcp-8 C-N C-C) (the median is the line above)"
            cli=$(median ping-tcp-8 C-C cli_cpu_us_per_call)
            cli_n=$(median ping-tcp-8 C-N cli_cpu_us_per_call)
            cap() { awk -v c="$1" 'BEGIN { if (c > 0) printf "%.0f", 1e6 / c; else print "?" }'; }
            echo "- the 8 C clients' own CPU per call: $cli us against libtirpc's server, $cli_n us against NetRpc's, so CPU 1 caps what they can ask of either at about $(cap "$cli") and $(cap "$cli_n") calls/s here"
            ;;
        echo64k-tcp-1 | echo64k-tcp-8 | echo64k-tcp-8c)
            cn=$(median "$name" C-N server_cpu_us_per_call)
            cc=$(median "$name" C-C server_cpu_us_per_call)
            r=$(ratio "$cn" "$cc")
            echo "- ECHO 64 KiB $name ($(describe "$name" | sed 's/^[^,]*, //')), NetRpc server CPU per call $cn us vs libtirpc's $cc us: $r x (target <= 0.8): $(verdict "$(ratio "$cc" "$cn")" 1.25)"
            if [ "$name" != echo64k-tcp-1 ]; then
                cn0=$(median "$name" C-N0 server_cpu_us_per_call)
                echo "- same, NetRpc server with SpinBeforeSleep = 0 (no spinning in idle gaps): server CPU per call $cn0 us, $(ratio "$cn0" "$cc") x libtirpc's (target <= 0.8): $(verdict "$(ratio "$cc" "$cn0")" 1.25)"
                echo "- per repetition, NetRpc server without spinning / libtirpc server, CPU per call: $(per_rep_cpu "$name" C-N0 C-C)"
            fi
            ;;
        paced-tcp-1s)
            nc=$(median paced-tcp-1s N-C server_cpu_us_per_call)
            nn=$(median paced-tcp-1s N-N server_cpu_us_per_call)
            nn0=$(median paced-tcp-1s N-N0 server_cpu_us_per_call)
            echo "- light load (PING, 1 ms between calls, split): server CPU per call NetRpc $nn us ($(ratio "$nn" "$nc") x libtirpc's $nc us), NetRpc without spinning $nn0 us ($(ratio "$nn0" "$nc") x)"
            ;;
        pipe64-tcp-1)
            r=$(ratio "$(median pipe64-tcp-1 N-N calls_per_s)" "$(median ping-tcp-1 C-C calls_per_s)")
            echo "- 64 in flight N-N / C-C 1 client, 1cpu: $r (target >= 3): $(verdict "$r" 3)"
            ;;
        esac
    done
fi
if [ "$io_paths" = 1 ]; then
    echo
    for name in $cases; do
        [ "$(case_transport "$name")" = tcp ] || continue
        case "$(case_op "$name")" in pipe*) continue ;; esac
        n0=$(median "$name" C-N0 calls_per_s) nt=$(median "$name" C-NT calls_per_s) nm=$(median "$name" C-NM calls_per_s)
        c0=$(median "$name" C-N0 server_cpu_us_per_call) ct=$(median "$name" C-NT server_cpu_us_per_call) cm=$(median "$name" C-NM server_cpu_us_per_call)
        echo "- $(describe "$name"): epoll loops / thread per connection (both libc): calls/s $(ratio "$n0" "$nt") x, server CPU per call $(ratio "$c0" "$ct") x;" \
            "libc / .NET's sockets (both a thread per connection): calls/s $(ratio "$nt" "$nm") x, server CPU per call $(ratio "$ct" "$cm") x"
    done
fi

echo
echo "Runs that failed: $(grep -c ' ok=0 ' "$raw" || true); raw lines: ${RAW:-(temporary; set RAW=file to keep them)}"
