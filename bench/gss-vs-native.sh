#!/usr/bin/env bash
# gss-vs-native.sh -- RPCSEC_GSS (RFC 2203, Kerberos v5) throughput: NetRpc against libtirpc, side by side in one run.
#
# Makes a throwaway MIT Kerberos realm NETRPC.TEST in a temporary folder (kdb5_util, kadmin.local: a service principal
# nfs/localhost with its keytab, a user alice), builds both sides -- the C RPCSEC_GSS bench server and load client of
# bench/native-gss (rpcgen -M stubs of bench/bench.x, libtirpc's svcauth_gss and authgss_create_default) and NetRpc's
# bench_server --gss and bench_client --gss (Release) -- then, in a network and mount namespace of its own (unshare: the
# KDC listens on 127.0.0.1:88 there, nothing is seen on the host), starts the KDC, kinit alice, one server of each
# kind, and runs every case with every pairing, one client, everything on CPU 0 (1cpu, as rpc-vs-native's 1-client
# cases):
#
#   C-C  C client  -> C server        N-C  NetRpc client -> C server
#   C-N  C client  -> NetRpc server   N-N  NetRpc client -> NetRpc server
#
# Services (SERVICES): integrity (krb5i), privacy (krb5p); none (krb5) works too. Cases (CASES), over TCP:
#   ping       PING (void arguments and results: the MICs of the header and the reply's verifier, and a sealed body
#              that holds only the sequence number)
#   echo16000  ECHO of 16000 bytes (libtirpc seals bodies in place in its record buffer; this size fits)
#   echo64k    ECHO of 64 KiB (does not fit: libtirpc fails it even between its own client and server; the failure is
#              reported as measured, with its error)
#
# For each it prints calls/s, p50/p99 latency, the server's and the client's CPU time per call and the ratio of calls/s
# to C-C of the same case, median of REPS repetitions, interleaved so that drift of the machine hits every pairing
# alike; then the verdicts: NetRpc server / libtirpc server with the C client (C-N / C-C) and NetRpc client / C client
# against the C server (N-C / C-C), target >= 1.0. A pairing that fails is shown as failed, with the client's error;
# after a failed run the server it ran against is restarted, so that the failure does not spill into later runs.
#
#   bench/gss-vs-native.sh                 REPS=3, full call counts (about 5 minutes on 2 cores)
#   QUICK=1 bench/gss-vs-native.sh         REPS=1, a quarter of the calls (about 1 minute)
#   REPS=5 SCALE=2 SERVICES=privacy CASES="ping" RAW=file bench/gss-vs-native.sh
#   TABLE_ONLY=1 RAW=file bench/gss-vs-native.sh    the table again, from the raw lines of a run
#
# Server CPU is read by this script from /proc/PID/stat (utime+stime of the whole process, threads that ended
# included) before and after each run, the same way for both servers. Every process it starts (KDC, servers, clients)
# is stopped by its PID. Needs krb5kdc, kdb5_util, kadmin.local, kinit (MIT Kerberos), unshare, ip, root (for the
# namespace), gcc, rpcgen, libtirpc-dev, libkrb5-dev, taskset, timeout and the .NET SDK; without them it says what is
# missing and exits 2.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
if [ "${QUICK:-0}" = 1 ]; then
    reps=${REPS:-1}
    scale=${SCALE:-0.25}
else
    reps=${REPS:-3}
    scale=${SCALE:-1}
fi
services=${SERVICES:-"integrity privacy"}
cases=${CASES:-"ping echo16000 echo64k"}
port_c=${PORT_C:-45999}
port_n=${PORT_N:-46999}
target=nfs@localhost
realm=NETRPC.TEST
run_limit=${RUN_LIMIT:-180} # seconds one client run may take (a call the server drops waits 25 s)

log() { echo "[gss-vs-native] $*" >&2; }
# shellcheck source=measure.sh
. "$here/measure.sh"
calls() { awk -v n="$1" -v s="$scale" 'BEGIN { v = int(n * s); if (v < 500) v = 500; print v }'; }

# CASE SERVICE -> operation, size, call count (full counts: about 2 to 6 s a run here).
case_args() {
    case "$1-$2" in
    ping-*) echo "ping 0 $(calls 100000)" ;;
    echo16000-integrity) echo "echo 16000 $(calls 25000)" ;;
    echo16000-*) echo "echo 16000 $(calls 8000)" ;;
    echo64k-integrity) echo "echo 65536 $(calls 6000)" ;;
    echo64k-*) echo "echo 65536 $(calls 2500)" ;;
    *) log "unknown case $1"; exit 2 ;;
    esac
}
describe() {
    case "$1" in
    ping) echo "PING" ;;
    echo16000) echo "ECHO 16000 B" ;;
    echo64k) echo "ECHO 64 KiB" ;;
    esac
}
krb() { case "$1" in none) echo krb5 ;; integrity) echo krb5i ;; *) echo krb5p ;; esac; }
pairs="C-C C-N N-C N-N"

# ====================================================================== inside the namespace
# The measurement itself: run by this script under unshare (GSS_BENCH_INNER=1), with WORK, C_SERVER, C_CLIENT,
# N_SERVER, N_CLIENT, RAW set.
inner() {
    local work=$WORK raw=$RAW
    pids=() # global: the EXIT trap reads it after this function has returned
    trap stop_pids EXIT # measure.sh
    trap 'exit 130' INT TERM

    ip link set lo up
    mount -t tmpfs tmpfs /run
    export KRB5_CONFIG=$work/krb5.conf KRB5_KDC_PROFILE=$work/kdc.conf KRB5_KTNAME=FILE:$work/service.keytab \
        KRB5CCNAME=FILE:$work/alice.ccache
    krb5kdc -n >"$work/kdc.log" 2>&1 &
    pids+=($!)
    local ok=0
    for _ in $(seq 1 300); do
        if echo alice-password | kinit alice >"$work/kinit.log" 2>&1; then
            ok=1
            break
        fi
        sleep 0.1 # the KDC is not listening yet
    done
    [ "$ok" = 1 ] || { log "kinit failed: $(cat "$work/kinit.log" "$work/kdc.log")"; exit 1; }

    # ------------------------------------------------------------------ servers, both on CPU 0 for the whole run
    local server_pid c_pid n_pid
    start_server c "$C_SERVER" -p "$port_c" "$target"
    c_pid=$server_pid
    start_server n "$N_SERVER" -p "$port_n" --gss
    n_pid=$server_pid
    log "C server pid $c_pid port $port_c; NetRpc server pid $n_pid port $port_n; KDC pid ${pids[0]}"

    # After a failed run the server it ran against is started again (same port, new PID), so that the failure does not
    # spill into later runs: libtirpc's server, once it has sent a malformed 64 KiB reply, went on refusing new
    # contexts (RPCSEC_GSS_CTXPROBLEM, or none made at all) until it was restarted.
    restart() { # C|N
        local old
        if [ "$1" = C ]; then old=$c_pid; else old=$n_pid; fi
        kill -TERM "$old" 2>/dev/null || true
        wait "$old" 2>/dev/null || true
        local keep=() pid
        for pid in "${pids[@]}"; do [ "$pid" = "$old" ] || keep+=("$pid"); done
        pids=("${keep[@]}")
        if [ "$1" = C ]; then
            start_server c "$C_SERVER" -p "$port_c" "$target"
            c_pid=$server_pid
        else
            start_server n "$N_SERVER" -p "$port_n" --gss
            n_pid=$server_pid
        fi
        log "restarted the $([ "$1" = C ] && echo C || echo NetRpc) server after the failure: pid $server_pid"
    }

    # run CASE SERVICE PAIR: one measured run, appended to $raw
    run() {
        local name=$1 svc=$2 pair=$3 srv_pid port line bg t0 t1 n srv err
        local cmd
        if [ "${pair#*-}" = C ]; then srv_pid=$c_pid port=$port_c; else srv_pid=$n_pid port=$port_n; fi
        if [ "${pair%%-*}" = C ]; then cmd=("$C_CLIENT"); else cmd=("$N_CLIENT"); fi
        # shellcheck disable=SC2046
        cmd+=(-p "$port" --gss "$svc" "$target" tcp $(case_args "$name" "$svc") 1)
        if ! kill -0 "$srv_pid" 2>/dev/null; then
            log "FAILED: $name $svc $pair: the server (pid $srv_pid) is gone"
            echo "RESULT ok=0 case=$name svc=$svc pair=$pair err=the server exited" >>"$raw"
            return
        fi
        bg=$(wait_quiet)
        t0=$(cpu_ticks "$srv_pid")
        line=$(timeout -k 5 "$run_limit" taskset -c 0 "${cmd[@]}" 2>"$work/client.err" | grep '^RESULT' | head -1) || true
        t1=$(cpu_ticks "$srv_pid")
        if [ -z "$line" ] || [ "$(echo "$line" | kv ok)" != 1 ]; then
            # The first message the client gave (clnt_perror's, or the RpcException's), on one line.
            err=$(grep -v '^[[:space:]]*at \|^$' "$work/client.err" | head -2 | tr '\t' ' ' | tr -s ' ' | paste -sd'\t' | sed 's/\t/; /g')
            [ -n "$err" ] || err="no RESULT line (exit after ${run_limit} s?)"
            log "FAILED: $name $svc $pair: $err"
            echo "RESULT ok=0 case=$name svc=$svc pair=$pair err=$err" >>"$raw"
            restart "${pair#*-}"
            return
        fi
        n=$(echo "$line" | kv calls)
        srv=$(awk -v a="$t0" -v b="$t1" -v hz="$clk_tck" -v n="$n" 'BEGIN { printf "%.2f", (b - a) * 1e6 / hz / n }')
        echo "$line case=$name svc=$svc pair=$pair server_cpu_us_per_call=$srv bg_busy_pct=$bg" >>"$raw"
        log "$(printf '%-9s %-9s %s  %8s calls/s  p50 %7s us  p99 %8s us  server CPU %6s us/call' "$name" "$svc" "$pair" \
            "$(echo "$line" | kv calls_per_s)" "$(echo "$line" | kv p50_us)" "$(echo "$line" | kv p99_us)" "$srv")"
    }

    # ------------------------------------------------------------------ the runs, repetitions interleaved
    local rep svc name pair
    for rep in $(seq 1 "$reps"); do
        log "repetition $rep of $reps"
        for svc in $services; do
            for name in $cases; do
                for pair in $pairs; do
                    run "$name" "$svc" "$pair"
                done
            done
        done
    done
}

if [ "${GSS_BENCH_INNER:-0}" = 1 ]; then
    inner
    exit 0
fi

# ====================================================================== outside: realm, builds, the namespace, the table
work=$(mktemp -d /tmp/gss-vs-native.XXXXXX)
inner_pid=""
cleanup() {
    if [ -n "$inner_pid" ] && kill -0 "$inner_pid" 2>/dev/null; then
        kill -TERM "$inner_pid" 2>/dev/null || true
        wait "$inner_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

raw=${RAW:-$work/raw.txt}
if [ "${TABLE_ONLY:-0}" = 1 ]; then
    [ -f "$raw" ] || { log "TABLE_ONLY needs RAW=file from an earlier run"; exit 2; }
else
    missing=""
    for tool in krb5kdc kdb5_util kadmin.local kinit unshare ip gcc rpcgen taskset timeout dotnet; do
        command -v "$tool" >/dev/null 2>&1 || missing="${missing:+$missing, }$tool"
    done
    [ -f /usr/include/tirpc/rpc/auth_gss.h ] || missing="${missing:+$missing, }libtirpc-dev"
    [ -f /usr/include/gssapi/gssapi_krb5.h ] || missing="${missing:+$missing, }libkrb5-dev"
    [ "$(id -u)" = 0 ] || missing="${missing:+$missing, }root (for unshare -n -m)"
    if [ -n "$missing" ]; then
        log "cannot run, missing: $missing (Debian: krb5-kdc krb5-admin-server krb5-user gcc rpcsvc-proto libtirpc-dev libkrb5-dev)"
        exit 2
    fi
    : >"$raw"

    # ------------------------------------------------------------------ the realm (as tests/RpcRuntime.Tests/Kerberos/KerberosRealm.cs)
    cat >"$work/krb5.conf" <<EOF
[libdefaults]
    default_realm = $realm
    dns_lookup_kdc = false
    dns_lookup_realm = false
    rdns = false
    udp_preference_limit = 1
[realms]
    $realm = {
        kdc = 127.0.0.1:88
    }
[domain_realm]
    localhost = $realm
EOF
    cat >"$work/kdc.conf" <<EOF
[kdcdefaults]
    kdc_ports = 88
    kdc_tcp_ports = 88
[realms]
    $realm = {
        database_name = $work/principal
        key_stash_file = $work/stash
        acl_file = $work/kadm5.acl
    }
EOF
    (
        export KRB5_CONFIG=$work/krb5.conf KRB5_KDC_PROFILE=$work/kdc.conf
        cd "$work"
        kdb5_util create -s -r "$realm" -P master-password
        kadmin.local -q "addprinc -randkey nfs/localhost"
        kadmin.local -q "addprinc -pw alice-password alice"
        kadmin.local -q "ktadd -k $work/service.keytab nfs/localhost"
    ) >"$work/realm.log" 2>&1 || { log "could not make the realm: $(cat "$work/realm.log")"; exit 1; }

    # ------------------------------------------------------------------ build both sides
    mkdir -p "$work/native/gen"
    cp "$here/bench.x" "$work/native/gen/bench.x"
    (
        cd "$work/native/gen"
        rpcgen -M -h -o bench.h bench.x
        rpcgen -M -c -o bench_xdr.c bench.x
        rpcgen -M -l -o bench_clnt.c bench.x
        rpcgen -M -m -o bench_svc.c bench.x
    ) >&2
    cflags=(-O2 -g -Wall -Wno-unused-variable -I/usr/include/tirpc -I"$work/native/gen")
    c_server=$work/native/gss_bench_server
    c_client=$work/native/gss_bench_client
    gcc "${cflags[@]}" -o "$c_server" "$here/native-gss/gss_bench_server.c" "$work/native/gen/bench_svc.c" \
        "$work/native/gen/bench_xdr.c" -ltirpc -lgssapi_krb5 >&2
    gcc "${cflags[@]}" -o "$c_client" "$here/native-gss/gss_bench_client.c" "$work/native/gen/bench_clnt.c" \
        "$work/native/gen/bench_xdr.c" -ltirpc -lgssapi_krb5 >&2
    dotnet build -c Release -v q -nologo "$here/BenchServer/NetRpc.BenchServer.csproj" >&2
    dotnet build -c Release -v q -nologo "$here/BenchClient/NetRpc.BenchClient.csproj" >&2
    n_server=$here/BenchServer/bin/Release/net10.0/bench_server
    n_client=$here/BenchClient/bin/Release/net10.0/bench_client

    # ------------------------------------------------------------------ the measurement, in a namespace of its own
    GSS_BENCH_INNER=1 WORK=$work RAW=$raw C_SERVER=$c_server C_CLIENT=$c_client N_SERVER=$n_server N_CLIENT=$n_client \
        REPS=$reps SCALE=$scale SERVICES=$services CASES=$cases PORT_C=$port_c PORT_N=$port_n \
        unshare -n -m --propagation private bash "$here/gss-vs-native.sh" &
    inner_pid=$!
    status=0
    wait "$inner_pid" || status=$?
    inner_pid=""
    [ "$status" = 0 ] || { log "the measurement failed (exit $status)"; exit 1; }
fi

# ====================================================================== table
# Only the runs that succeeded count in the medians; failed ones are counted and their first error shown.
median() { # CASE SERVICE PAIR KEY
    { grep " case=$1 svc=$2 pair=$3 " "$raw" | grep -v ' ok=0 ' || true; } | kv "$4" | { grep -E '^-?[0-9.]+$' || true; } | sort -g |
        awk '{ v[NR] = $1 } END { if (NR == 0) { print "-"; exit } if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
failures() { grep -c " case=$1 svc=$2 pair=$3 err=" "$raw" || true; }
first_error() { grep -m1 " case=$1 svc=$2 pair=$3 err=" "$raw" | sed 's/.* err=//' || true; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-" || b == 0) print "-"; else printf "%.2f", a / b }'; }
per_rep() { # CASE SERVICE PAIR_A PAIR_B: the calls/s ratio A/B of each repetition, in the order they ran
    paste -d' ' <(grep " case=$1 svc=$2 pair=$3 " "$raw" | grep -v ' ok=0 ' | kv calls_per_s) \
        <(grep " case=$1 svc=$2 pair=$4 " "$raw" | grep -v ' ok=0 ' | kv calls_per_s) |
        awk '{ printf "%s%.2f", (NR > 1 ? ", " : ""), ($2 > 0 ? $1 / $2 : 0) } END { if (NR == 0) printf "-"; print "" }'
}
verdict() { awk -v v="$1" -v t="$2" 'BEGIN { if (v == "-") print "n/a"; else if (v + 0 >= t + 0) print "PASS"; else print "FAIL" }'; }
# What the pairing gave: its figure, or that it failed and how.
outcome() { # CASE SERVICE PAIR
    local f
    f=$(failures "$1" "$2" "$3")
    if [ "$(median "$1" "$2" "$3" calls_per_s)" = - ]; then
        echo "failed: $(first_error "$1" "$2" "$3")"
    elif [ "$f" -gt 0 ]; then
        echo "($f run(s) failed: $(first_error "$1" "$2" "$3"))"
    fi
}

runs_seen=$(awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^(case|svc|pair)=/) k = k " " $i; n[k]++; k = "" } END { for (k in n) if (n[k] > m) m = n[k]; print m + 0 }' "$raw")
echo "## RPCSEC_GSS: NetRpc vs rpcgen + libtirpc, $(date -u '+%Y-%m-%d %H:%M UTC'), medians of $runs_seen run(s) of each pairing"
echo
echo "    $(nproc) CPUs: $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'); kernel $(uname -r)"
echo "    libtirpc $(dpkg-query -W -f='${Version}' libtirpc3 2>/dev/null || echo '?'); MIT krb5 $(dpkg-query -W -f='${Version}' libgssapi-krb5-2 2>/dev/null || echo '?'); .NET $(dotnet --version 2>/dev/null || echo '?')"
echo "    TCP, 1 client, server and client on CPU 0 (1cpu); Kerberos v5 (aes256-cts-hmac-sha1-96 session keys by default), realm in a network namespace"
echo
echo "| case | pair | calls/s | ratio to C-C | p50 us | p99 us | server CPU us/call | client CPU us/call |"
echo "|---|---|---:|---:|---:|---:|---:|---:|"
for svc in $services; do
    for name in $cases; do
        base=$(median "$name" "$svc" C-C calls_per_s)
        for pair in $pairs; do
            cps=$(median "$name" "$svc" "$pair" calls_per_s)
            if [ "$cps" = - ]; then
                printf '| %s %s | %s | %s | | | | | |\n' "$(describe "$name")" "$(krb "$svc")" "$pair" "$(outcome "$name" "$svc" "$pair")"
                continue
            fi
            note=$(outcome "$name" "$svc" "$pair")
            printf '| %s %s | %s | %s%s | %s | %s | %s | %s | %s |\n' "$(describe "$name")" "$(krb "$svc")" "$pair" "$cps" "${note:+ $note}" \
                "$(ratio "$cps" "$base")" "$(median "$name" "$svc" "$pair" p50_us)" "$(median "$name" "$svc" "$pair" p99_us)" \
                "$(median "$name" "$svc" "$pair" server_cpu_us_per_call)" "$(median "$name" "$svc" "$pair" cli_cpu_us_per_call)"
        done
    done
done

echo
for svc in $services; do
    for name in $cases; do
        what="$(krb "$svc") $(describe "$name")"
        cc=$(median "$name" "$svc" C-C calls_per_s)
        if [ "$cc" = - ]; then
            # No libtirpc-to-libtirpc figure to compare with: say what failed and what did not.
            line="- $what: libtirpc's own pairing C-C failed ($(first_error "$name" "$svc" C-C)), so there is no libtirpc figure to compare with"
            for pair in C-N N-C N-N; do
                cps=$(median "$name" "$svc" "$pair" calls_per_s)
                if [ "$cps" = - ]; then
                    line="$line; $pair failed ($(first_error "$name" "$svc" "$pair"))"
                else
                    line="$line; $pair $cps calls/s"
                fi
            done
            echo "$line"
            continue
        fi
        r=$(ratio "$(median "$name" "$svc" C-N calls_per_s)" "$cc")
        echo "- $what, NetRpc server / libtirpc server calls/s with the C client (C-N / C-C): $r (target >= 1.0): $(verdict "$r" 1.0)" \
            "$([ "$r" = - ] && echo "C-N $(outcome "$name" "$svc" C-N)") [per repetition: $(per_rep "$name" "$svc" C-N C-C)]"
        r=$(ratio "$(median "$name" "$svc" N-C calls_per_s)" "$cc")
        echo "- $what, NetRpc client / C client against the C server (N-C / C-C): $r (target >= 1.0): $(verdict "$r" 1.0)" \
            "$([ "$r" = - ] && echo "N-C $(outcome "$name" "$svc" N-C)") [per repetition: $(per_rep "$name" "$svc" N-C C-C)]"
        cn=$(median "$name" "$svc" C-N server_cpu_us_per_call)
        ccpu=$(median "$name" "$svc" C-C server_cpu_us_per_call)
        echo "- $what, server CPU per call with the C client: NetRpc $cn us, libtirpc $ccpu us ($(ratio "$cn" "$ccpu") x); N-N / C-C calls/s $(ratio "$(median "$name" "$svc" N-N calls_per_s)" "$cc")"
    done
done

echo
busy=$(grep -v ' ok=0 ' "$raw" | kv bg_busy_pct | awk '$1 > 10' | wc -l)
echo "Runs that failed: $(grep -c ' ok=0 ' "$raw" || true) (each followed by a restart of the server it ran against);" \
    "runs started on a busy machine (over 10% of a CPU in use just before): $busy of $(grep -vc ' ok=0 ' "$raw" || true);" \
    "raw lines: ${RAW:-(temporary; set RAW=file to keep them)}"
