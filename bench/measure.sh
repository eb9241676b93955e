# measure.sh -- what the side-by-side scripts measure with, sourced by them (rpc-vs-native.sh, gss-vs-native.sh,
# drc-store.sh): a process's CPU time, key=value fields of RESULT lines, waiting for a quiet machine, and starting and
# stopping servers. The sourcing script defines log(), and $work (a folder of its own) and the array pids (what stop_pids
# stops), itself or with make_work.

clk_tck=$(getconf CLK_TCK)
# CPU seconds x CLK_TCK used so far by every thread of a process, ended ones included.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
# The value of key K on each line read.
kv() { awk -v k="$1" '{ for (i = 1; i <= NF; i++) { n = index($i, "="); if (substr($i, 1, n - 1) == k) { print substr($i, n + 1); next } } }'; }

# Machine-wide busy CPU in % of one CPU over QUIET_SAMPLE seconds (half a second; a fifth in quick mode).
quiet_sample=${QUIET_SAMPLE:-$([ "${QUICK:-0}" = 1 ] && echo 0.2 || echo 0.5)}
busy_pct() {
    local a b
    a=$(head -1 /proc/stat)
    sleep "$quiet_sample"
    b=$(head -1 /proc/stat)
    awk -v a="$a" -v b="$b" -v hz="$clk_tck" -v s="$quiet_sample" 'BEGIN { split(a, x, " "); split(b, y, " ");
        busy = (y[2] + y[3] + y[4] + y[7] + y[8]) - (x[2] + x[3] + x[4] + x[7] + x[8]); printf "%.0f", busy * 100 / (hz * s) }'
}
# Waits (at most 30 s) for a quiet machine: on 2 cores anything else running distorts the figures.
wait_quiet() {
    local waited=0 bg
    while bg=$(busy_pct) && [ "$bg" -gt 10 ] && [ "$waited" -lt 30 ]; do
        sleep 1
        waited=$((waited + 2))
    done
    [ "$bg" -gt 10 ] && log "machine busy (${bg}% of a CPU), measuring anyway"
    echo "$bg"
}

# Starts a server on CPU 0 and waits (at most 10 s) for its READY line: start_server NAME CMD... sets server_pid.
start_server() {
    local name=$1
    shift
    taskset -c 0 "$@" >"$work/$name.log" 2>&1 &
    server_pid=$!
    pids+=("$server_pid")
    for _ in $(seq 1 100); do
        grep -q '^READY' "$work/$name.log" && return 0
        kill -0 "$server_pid" 2>/dev/null || break
        sleep 0.1
    done
    log "$name server did not start: $(cat "$work/$name.log")"
    exit 1
}

# Stops every process of the array pids, by PID: SIGTERM, then waits for it. For the sourcing script's EXIT trap.
stop_pids() {
    local pid
    for pid in "${pids[@]}"; do
        if kill -0 "$pid" 2>/dev/null; then
            kill -TERM "$pid" 2>/dev/null || true
            wait "$pid" 2>/dev/null || true
        fi
    done
}

# Makes $work (a folder of its own, named after NAME) and the array pids; on exit, stops those processes and removes it.
make_work() {
    work=$(mktemp -d "/tmp/$1.XXXXXX")
    pids=()
    trap 'stop_pids; rm -rf "$work"' EXIT
    trap 'exit 130' INT TERM
}
