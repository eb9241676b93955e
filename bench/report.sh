#!/usr/bin/env bash
# report.sh -- the performance report: NetRpc against rpcgen + libtirpc, measured in ONE run on this machine.
#
# In one go, with the same CPU pinning for both stacks (server on CPU 0; one client on CPU 0 too, several
# clients on CPU 1), it runs:
#   - RPC: PING, ECHO (64 B, 4 KiB, 64 KiB) and SUM over TCP and UDP, with 1 and 8 clients, every pairing
#     of C and NetRpc clients and servers, ECHO 64 KiB with 8 clients on CPU 0 as well (the 1-client placement),
#     PING with 1, 2, 4 and 8 clients for the plot, and NetRpc's pipelined client (bench/rpc-vs-native.sh):
#     calls/s, p50/p99, CPU us per call on each side, ratios;
#   - XDR: big_struct encode and decode, BenchmarkDotNet against libtirpc's xdr_bench (bench/xdr-vs-native.sh);
#   - generation: rpcgen -a of the largest .x (libnfs-nfs4.x), native rpcgen against NetRpc's (Native AOT, and
#     framework-dependent), whole processes;
#   - startup: the classic my_proto server's first reply from its process start, rpcgen's C server against
#     NetRpc's published with Native AOT (bench/first-reply.sh);
#   - tls: PING and ECHO 64 KiB over RPC-with-TLS against plain TCP, NetRpc client and server (bench/tls-vs-plain.sh);
#   - drc: PING and SUM over TCP with the fleet's shared duplicate request store (Redis) against the in-memory
#     cache, NetRpc client and server, and the Redis commands each call costs (bench/drc-store.sh);
# and writes a Markdown report with the machine it ran on, and a PNG plot of calls/s against clients.
#
#   bench/report.sh                 full mode: 3 repetitions, full call counts (about 25 minutes)
#   QUICK=1 bench/report.sh         quick mode: 1 repetition, a tenth of the calls, short XDR job (under 3 minutes)
#   OUT=/tmp/r.md QUICK=1 bench/report.sh    write elsewhere than docs/perf/report.md
#   SECTIONS="generation startup" OUT=/tmp/r.md bench/report.sh    only those sections (rpc xdr generation startup tls drc)
#
# The native baseline is ../shared/bench/native (NATIVE_DIR overrides); where it or its tools are missing,
# the native columns are skipped and the report says why. The plot needs gnuplot (apt-get install -y
# gnuplot-nox); without it the report says so and carries the figures as a table only.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
native_dir=${NATIVE_DIR:-$root/../shared/bench/native}
out=${OUT:-$root/docs/perf/report.md}
plot=${out%.md}-clients.png
quick=${QUICK:-0}
work=$(mktemp -d /tmp/netrpc-report.XXXXXX)
trap 'rm -rf "$work"' EXIT
log() { echo "[report] $(($(date +%s) - started)) s: $*" >&2; }
sections=" ${SECTIONS:-rpc xdr generation startup tls drc} "
wants() { [[ "$sections" == *" $1 "* ]]; }
started=$(date +%s)

cases="ping-tcp-1 ping-udp-1 echo64-tcp-1 echo4k-tcp-1 echo64k-tcp-1 echo64-udp-1 echo4k-udp-1 sum-tcp-1 sum-udp-1
ping-tcp-1s paced-tcp-1s ping-tcp-2 ping-tcp-4 ping-tcp-8 ping-udp-8 echo4k-tcp-8 echo64k-tcp-8 echo64k-tcp-8c sum-tcp-8 sum-udp-8
pipe64-tcp-1 pipe8-tcp-8"
cases=$(echo $cases)

native_missing=""
[ -f "$native_dir/bench_client.c" ] || native_missing="the native baseline ($native_dir) is absent"
for tool in gcc make rpcgen taskset; do
    command -v "$tool" >/dev/null 2>&1 || native_missing="${native_missing:+$native_missing, }$tool is missing"
done

# ------------------------------------------------------------------ RPC
rpc_table=$work/rpc.md
if ! wants rpc; then
    : # not asked for
elif [ -z "$native_missing" ]; then
    log "RPC matrix ($(echo "$cases" | wc -w) cases)"
    if [ "$quick" = 1 ]; then
        QUICK=1 REPS=1 SCALE=${SCALE:-0.1} CASES="$cases" RAW=$work/rpc-raw.txt bash "$here/rpc-vs-native.sh" >"$rpc_table"
    else
        QUICK=0 REPS=${REPS:-3} SCALE=${SCALE:-1} CASES="$cases" RAW=$work/rpc-raw.txt bash "$here/rpc-vs-native.sh" >"$rpc_table"
    fi
else
    echo "RPC: SKIPPED, $native_missing (the side-by-side RPC runs need the C server and client)." >"$rpc_table"
fi

# ------------------------------------------------------------------ XDR
if wants xdr; then
    log "XDR big_struct"
    xdr_out=$work/xdr.txt
    if [ "$quick" = 1 ]; then
        # Quick: encode and decode alone (their sum is the round trip), BenchmarkDotNet's short job.
        QUICK=1 FILTER='*code_big_struct*' NATIVE_DIR=$native_dir bash "$here/xdr-vs-native.sh" >"$xdr_out" 2>"$work/xdr.err" || true
    else
        FILTER='*big_struct*' NATIVE_DIR=$native_dir bash "$here/xdr-vs-native.sh" >"$xdr_out" 2>"$work/xdr.err" || true
    fi
    xdr_table=$(awk '/^NetRpc.Xdr vs libtirpc/ { on = 1 } on && /^\|/ { print } on && /^$/ && seen { exit } /^\|/ { seen = on }' "$xdr_out")
    [ -n "$xdr_table" ] || xdr_table="XDR: no comparison table; the last lines of its run: $(tail -5 "$work/xdr.err" | tr '\n' ' ')"
fi

# ------------------------------------------------------------------ generation
nfs4=$root/tests/RpcGen.Tests/Corpus/libnfs/libnfs-nfs4.x
if wants generation; then
    log "generation of libnfs-nfs4.x"
    [ -f "$nfs4" ] || nfs4=$(find "$root/tests" -name libnfs-nfs4.x -print -quit)
    dotnet build -c Release -v q -nologo "$root/src/RpcGen.Tool/NetRpc.RpcGen.Tool.csproj" >&2
    ours=$root/src/RpcGen.Tool/bin/Release/net10.0/rpcgen.dll
    # The Native AOT rpcgen, as NetRpc.RpcGen.Tool.linux-x64 carries it (src/RpcGen.Tool/README.md).
    aot_note=""
    if dotnet publish -c Release -r linux-x64 -v q -nologo "$root/src/RpcGen.Tool/NetRpc.RpcGen.Tool.csproj" \
            -o "$work/rpcgen-aot" --artifacts-path "$work/rpcgen-aot-artifacts" >"$work/rpcgen-aot.log" 2>&1; then
        ours_aot=$work/rpcgen-aot/rpcgen
    else
        ours_aot=""
        aot_note="The Native AOT rpcgen did not build here: $(grep -m1 -i error "$work/rpcgen-aot.log" || tail -1 "$work/rpcgen-aot.log")"
    fi
    runs=$([ "$quick" = 1 ] && echo 5 || echo 15)
    # time_runs CMD...: median wall seconds of $runs runs, each in a fresh folder holding only the .x
    time_runs() {
        local i dir t times=()
        for i in $(seq 1 "$runs"); do
            dir=$work/gen-$i
            rm -rf "$dir" && mkdir -p "$dir" && cp "$nfs4" "$dir/"
            t=$( { cd "$dir" && TIMEFORMAT=%R && time taskset -c 0 "$@" -a libnfs-nfs4.x >/dev/null 2>&1; } 2>&1)
            times+=("$t")
        done
        printf '%s\n' "${times[@]}" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
    }
    gen_ours=$(time_runs dotnet "$ours")
    gen_aot=$([ -n "$ours_aot" ] && time_runs "$ours_aot" || echo "-")
    if command -v rpcgen >/dev/null 2>&1; then
        gen_native=$(time_runs rpcgen)
    else
        gen_native="-"
    fi
fi

# ------------------------------------------------------------------ startup
if wants startup; then
    log "startup: first reply of my_proto"
    startup_table=$(RUNS=$([ "$quick" = 1 ] && echo 5 || echo 31) bash "$here/first-reply.sh" 2>"$work/first-reply.err") ||
        startup_table="Startup: the run failed: $(tail -3 "$work/first-reply.err" | tr '\n' ' ')"
fi

# ------------------------------------------------------------------ TLS
if wants tls; then
    log "tls: RPC-with-TLS against plain TCP"
    tls_table=$(REPS=$([ "$quick" = 1 ] && echo 1 || echo 5) bash "$here/tls-vs-plain.sh" 2>"$work/tls.err") ||
        tls_table="TLS: the run failed: $(tail -3 "$work/tls.err" | tr '\n' ' ')"
fi

# ------------------------------------------------------------------ DRC: the fleet's shared store
if wants drc; then
    log "drc: the shared duplicate request store against the in-memory cache"
    drc_table=$(REPS=$([ "$quick" = 1 ] && echo 1 || echo 5) SCALE=$([ "$quick" = 1 ] && echo 0.1 || echo 1) bash "$here/drc-store.sh" 2>"$work/drc.err") ||
        drc_table="Shared store: the run failed: $(tail -3 "$work/drc.err" | tr '\n' ' ')"
fi

# ------------------------------------------------------------------ plot: calls/s against clients (PING TCP, split)
median_of() { # CASE PAIR
    grep " case=$1 pair=$2 " "$work/rpc-raw.txt" 2>/dev/null | awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^calls_per_s=/) { split($i, kv, "="); print kv[2] } }' |
        sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "NaN"; else print v[int((NR + 1) / 2)] }'
}
plot_note=""
if [ -f "$work/rpc-raw.txt" ]; then
    {
        echo "# clients C-C C-N N-N"
        for n in 1 2 4 8; do
            c=ping-tcp-$n
            [ "$n" = 1 ] && c=ping-tcp-1s
            echo "$n $(median_of "$c" C-C) $(median_of "$c" C-N) $(median_of "$c" N-N)"
        done
    } >"$work/clients.dat"
    if command -v gnuplot >/dev/null 2>&1; then
        gnuplot <<EOF
set terminal pngcairo size 800,500 noenhanced
set output '$plot'
set title 'PING over TCP: calls/s against clients (server on CPU 0, clients on CPU 1)'
set xlabel 'clients'
set ylabel 'calls/s'
set key bottom right
set grid
set xtics (1, 2, 4, 8)
set yrange [0:*]
plot '$work/clients.dat' using 1:2 with linespoints lw 2 title 'C clients, libtirpc server (C-C)', \
     '' using 1:3 with linespoints lw 2 title 'C clients, NetRpc server (C-N)', \
     '' using 1:4 with linespoints lw 2 title 'NetRpc clients, NetRpc server (N-N)'
EOF
    else
        plot_note="No plot: gnuplot is not installed (apt-get install -y gnuplot-nox)."
    fi
else
    plot_note="No plot: the RPC runs were skipped."
fi

# ------------------------------------------------------------------ the report
elapsed=$(($(date +%s) - started))
{
    echo "# NetRpc against rpcgen + libtirpc: performance report"
    echo
    echo "Produced by \`$([ "$quick" = 1 ] && echo "QUICK=1 ")bench/report.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC') in $elapsed s, everything measured in that one run."
    [ "$sections" = " rpc xdr generation startup tls drc " ] || echo "Sections run: ${sections# }(SECTIONS); the others were left out."
    echo "$([ "$quick" = 1 ] && echo "Quick mode: one repetition of each run and a tenth of the calls; \`bench/report.sh\` (full mode) takes three and the full counts." || echo "Full mode: medians of three repetitions of each run (five for tls and drc), interleaved.")"
    echo
    echo "## Machine"
    echo
    echo "- $(nproc) CPUs: $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')$(lscpu 2>/dev/null | awk -F: '/Hypervisor vendor/ { gsub(/ /, "", $2); print ", hypervisor " $2 }'); $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)"
    echo "- kernel $(uname -r); $(. /etc/os-release && echo "$PRETTY_NAME")"
    echo "- .NET SDK $(dotnet --version); libtirpc $(dpkg-query -W -f='${Version}' libtirpc3 2>/dev/null || echo '?'); $(rpcgen --version 2>&1 | head -1 || echo 'rpcgen ?'); gcc $(gcc -dumpfullversion 2>/dev/null || echo '?')"
    echo
    if wants rpc; then
        echo "## RPC"
        echo
        echo "Pairings: C-C is rpcgen's C client against the libtirpc server, C-N the C client against NetRpc's"
        echo "server, N-C NetRpc's client against the libtirpc server, N-N NetRpc against NetRpc; the ratio is"
        echo "calls/s against C-C of the same case (pipelined cases against C-C of plain PING with as many clients)."
        echo "Server CPU is the server process's utime+stime per call; client CPU is what the load generator reports."
        echo "On 2 CPUs the 8 C clients' own CPU caps what any server can serve in the split placement: the"
        echo "last lines below say how much."
        echo
        sed -e 's/^## .*//' "$rpc_table"
        echo
        echo "### calls/s against clients"
        echo
        if [ -f "$plot" ] && [ -z "$plot_note" ]; then
            echo "![calls/s against clients]($(basename "$plot"))"
            echo
        else
            echo "$plot_note"
            echo
        fi
        if [ -f "$work/clients.dat" ]; then
            echo "| clients | C-C | C-N | N-N |"
            echo "|---:|---:|---:|---:|"
            awk 'NR > 1 { printf "| %s | %s | %s | %s |\n", $1, $2, $3, $4 }' "$work/clients.dat"
            echo
        fi
    fi
    if wants xdr; then
        echo "## XDR (bench.x's big_struct, 488 bytes)"
        echo
        echo "$xdr_table"
        echo
    fi
    if wants generation; then
        echo "## Generation of the largest .x (libnfs-nfs4.x, $(wc -l <"$nfs4") lines)"
        echo
        echo "Whole processes, \`rpcgen -a libnfs-nfs4.x\` in an empty folder, on CPU 0, median of $runs runs:"
        echo
        echo "| rpcgen | seconds |"
        echo "|---|---:|"
        echo "| native rpcgen (rpcsvc-proto) | $gen_native |"
        echo "| NetRpc rpcgen, Native AOT (NetRpc.RpcGen.Tool.linux-x64) | $gen_aot |"
        echo "| NetRpc rpcgen, framework-dependent (\`dotnet rpcgen.dll\`, Release) | $gen_ours |"
        echo
        if [ "$gen_native" != "-" ] && [ "$gen_aot" != "-" ]; then
            echo "Native AOT against native rpcgen: $(echo "$gen_aot / $gen_native" | bc -l | xargs printf '%.2f')x."
            echo
        fi
        if [ -n "$aot_note" ]; then echo "$aot_note"; echo; fi
        echo "The framework-dependent figure is mostly the .NET runtime starting; the generation itself takes about 11 ms"
        echo "warm (bench/RpcGen.Benchmarks, [rpcgen.md](rpcgen.md))."
        echo
    fi
    if wants startup; then
        echo "## Startup: the first reply of the classic my_proto server"
        echo
        echo "From process start to the first reply a client gets, finding the server through rpcbind as rpcgen's"
        echo "clients do, in a network namespace with native rpcbind (bench/first-reply.sh):"
        echo
        echo "$startup_table"
    fi
    if wants tls; then
        echo
        echo "## RPC-with-TLS against plain TCP"
        echo
        echo "One NetRpc client and one NetRpc server, with and without \`--tls\` against the same server (TLS 1.3;"
        echo "libtirpc has no RPC-with-TLS to compare with). What bounds it: [security.md](../security.md), Cost."
        echo
        echo "$tls_table"
    fi
    if wants drc; then
        echo
        echo "## The fleet's shared duplicate request store against the in-memory cache"
        echo
        echo "One NetRpc server with the in-memory duplicate request cache for TCP, one with the shared store"
        echo "(NetRpc.DuplicateRequests.Redis, Debian's redis-server on a Unix socket, on CPU 1 with the client); NetRpc's"
        echo "client over TCP. Each call waits for one round trip to Redis (the lookup) and writes its reply behind it;"
        echo "the commands per call are counted by Redis (INFO commandstats). What bounds it: [runtime.md](../runtime.md), Fleets."
        echo
        echo "$drc_table"
    fi
} >"$out"
log "wrote $out$([ -f "$plot" ] && echo " and $plot")"
