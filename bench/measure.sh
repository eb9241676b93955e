# measure.sh -- what the side-by-side scripts measure with, sourced by them (rpc-vs-native.sh, gss-vs-native.sh):
# a process's CPU time, key=value fields of RESULT lines, and waiting for a quiet machine. The sourcing script
# defines log().

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
