#!/usr/bin/env bash
# Soak test: the Release gateway in front of three SampleService instances, under mixed load for DURATION seconds,
# while an instance is killed and restarted every KILL_EVERY seconds and another one's health flips. Reports failed
# requests per kind of load, and the gateway's RSS and open descriptors at the start, middle and end. See
# "Soak test" in bench/README.md. Everything listens on 127.0.0.1, and everything started is stopped on exit.
#
# Settings (environment):
#   DURATION=600      seconds of load (10 minutes)
#   SMOKE=0           1: a short run to check the script and the gateway (DURATION=150 unless given, WARMUP=15)
#   WARMUP=60         seconds of load before the "start" sample, so that JIT tiering and pools growing to their
#                     working size do not count as growth
#   KILL_EVERY=20     seconds between kills; each cycle kills one instance (in turn) with SIGKILL, restarts it
#                     KILL_EVERY/4 s later, and halfway through the cycle makes another instance report unhealthy
#                     for KILL_EVERY/4 s (POST /health/toggle), so that the active health check takes it out
#   LOADS="small large upload"   kinds of load, each one wrk process for the whole run:
#                     small  GET of a small JSON (/users), SMALL_CONNECTIONS=8
#                     large  GET of 1 MiB (/bytes/1048576), LARGE_CONNECTIONS=2
#                     upload POST of 1 MiB (/echo), UPLOAD_CONNECTIONS=2; not idempotent, so never retried
#                     (WebSockets: see start_load, once the gateway proxies them)
#   HEALTH_CHECK_INTERVAL=2   the gateway's active check interval, short so that flips are seen within the cycle
#   LOG_LEVEL=Warning the gateway's
#   SKIP_BUILD=0      1 uses the existing Release builds
#   GATEWAY_PORT=18200 INSTANCE_PORTS="19101 19102 19103"
#   RESULTS_DIR=bench/results
set -euo pipefail

SMOKE=${SMOKE:-0}
if ((SMOKE)); then
    DURATION=${DURATION:-150}
    WARMUP=${WARMUP:-15}
fi
DURATION=${DURATION:-600}
WARMUP=${WARMUP:-60}
KILL_EVERY=${KILL_EVERY:-20}
LOADS=${LOADS:-"small large upload"}
SMALL_CONNECTIONS=${SMALL_CONNECTIONS:-8}
LARGE_CONNECTIONS=${LARGE_CONNECTIONS:-2}
UPLOAD_CONNECTIONS=${UPLOAD_CONNECTIONS:-2}
HEALTH_CHECK_INTERVAL=${HEALTH_CHECK_INTERVAL:-2}
GW_LOG_LEVEL=${LOG_LEVEL:-Warning}
SKIP_BUILD=${SKIP_BUILD:-0}
GATEWAY_PORT=${GATEWAY_PORT:-18200}
read -r -a INSTANCE_PORTS <<<"${INSTANCE_PORTS:-19101 19102 19103}"

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RESULTS_DIR=${RESULTS_DIR:-$REPO/bench/results}
STAMP=$(date +%Y%m%d-%H%M%S)
OUT_DIR=$RESULTS_DIR/soak-$STAMP
GATEWAY_DLL=$REPO/src/Gateway.Api/bin/Release/net10.0/Gateway.Api.dll
SAMPLE_DLL=$REPO/samples/SampleService/bin/Release/net10.0/SampleService.dll

WORK=""
GATEWAY_PID=""
declare -A INSTANCE_PID # index -> pid of the running instance, empty while it is down
LOAD_PIDS=()

# shellcheck source=bench/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh" # log, die, port_free, status_kb, wait_ready, cleanup

# The processes cleanup (in common.sh) stops when the script exits, also on Ctrl-C.
running_pids() { printf '%s\n' "${LOAD_PIDS[@]}" "${INSTANCE_PID[@]}" "$GATEWAY_PID"; }

# ------------------------------------------------------------------------------------------------------- helpers
start_instance() { # index
    local index=$1 port=${INSTANCE_PORTS[$1]}
    (
        cd "$(dirname "$SAMPLE_DLL")"
        # One log line per request at Information: the soak would mostly measure the console.
        export Logging__LogLevel__Default=Warning
        exec dotnet "$SAMPLE_DLL" --host 127.0.0.1 --port "$port" --name "soak-$((index + 1))"
    ) >>"$WORK/instance-$index.log" 2>&1 &
    INSTANCE_PID[$index]=$!
}

kill_instance() { # index
    local pid=${INSTANCE_PID[$1]}
    [[ -n $pid ]] || return 0
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    INSTANCE_PID[$1]=""
}

set_health() { # index healthy|unhealthy: what its /health answers (it keeps serving everything else); 1 if it cannot
    local url=http://127.0.0.1:${INSTANCE_PORTS[$1]}/health code want=200
    [[ $2 == healthy ]] || want=503
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$url" || true)
    [[ $code == 200 || $code == 503 ]] || return 1
    [[ $code == "$want" ]] || curl -s -o /dev/null --max-time 2 -X POST "$url/toggle" || return 1
}

# RSS, peak RSS (MB), open descriptors and threads of the gateway, as one tab-separated line.
sample_gateway() { # label
    local fds
    fds=$(find "/proc/$GATEWAY_PID/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)
    printf '%s\t%d\t%.1f\t%.1f\t%d\t%d\n' "$1" "$((SECONDS - LOAD_START))" \
        "$(awk -v kb="$(status_kb "$GATEWAY_PID" VmRSS)" 'BEGIN { print kb / 1024 }')" \
        "$(awk -v kb="$(status_kb "$GATEWAY_PID" VmHWM)" 'BEGIN { print kb / 1024 }')" \
        "$fds" "$(status_kb "$GATEWAY_PID" Threads)"
}

# Appends one chaos action to $OUT_DIR/events.tsv, with the wall-clock time the gateway's log lines carry, so that
# each failure in the log can be matched to the kill or flip that caused it.
chaos_event() { # action index
    printf '%s\t%d\t%s\t127.0.0.1:%s\n' "$(date +%H:%M:%S.%3N)" "$((SECONDS - LOAD_START))" "$1" \
        "${INSTANCE_PORTS[$2]}" >>"$OUT_DIR/events.tsv"
}

# Starts one kind of load for the whole run; its wrk report goes to $OUT_DIR/load-<kind>.txt, with a line
# "status <code>: <count>" for every status answered.
start_load() { # kind
    local kind=$1 url=http://127.0.0.1:$GATEWAY_PORT/soak connections script=$WORK/$1.lua
    : >"$script"
    case $kind in
        small) url+=/users; connections=$SMALL_CONNECTIONS ;;
        large) url+=/bytes/1048576; connections=$LARGE_CONNECTIONS ;;
        upload)
            url+=/echo
            connections=$UPLOAD_CONNECTIONS
            cat >"$script" <<'EOF'
wrk.method = "POST"
wrk.body = string.rep("0123456789abcdef", 65536)
wrk.headers["Content-Type"] = "application/octet-stream"
EOF
            ;;
        # WebSockets: once the gateway proxies them, add a "websocket" kind here that runs a client holding
        # connections open and exchanging messages through /soak/ws for DURATION seconds, writing a report that
        # parse_load can read (requests, non-2xx, socket errors) to $OUT_DIR/load-websocket.txt.
        *) die "LOADS: unknown kind '$kind' (small, large, upload)" ;;
    esac
    cat >>"$script" <<'EOF'
-- Count the answers by status, in each thread, and add them up at the end.
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) statuses = {} end
function response(status, headers, body) statuses[status] = (statuses[status] or 0) + 1 end
function done(summary, latency, requests)
    local total = {}
    for _, thread in ipairs(threads) do
        for code, count in pairs(thread:get("statuses")) do total[code] = (total[code] or 0) + count end
    end
    for code, count in pairs(total) do io.write(string.format("status %d: %d\n", code, count)) end
end
EOF
    wrk -t1 -c"$connections" -d"${DURATION}s" --timeout 10s -s "$script" "$url" >"$OUT_DIR/load-$kind.txt" 2>&1 &
    LOAD_PIDS+=("$!")
}

# A wrk report as: requests non2xx connect read write timeout statuses (e.g. "502x3,503x1", or "-")
parse_load() {
    awk '
        /requests in/ { requests = $1 }
        /Non-2xx or 3xx responses:/ { non2xx = $NF }
        /Socket errors:/ {
            gsub(/,/, "")
            for (i = 1; i < NF; i++) {
                if ($i == "connect") connect = $(i + 1)
                if ($i == "read") read = $(i + 1)
                if ($i == "write") write = $(i + 1)
                if ($i == "timeout") timeout = $(i + 1)
            }
        }
        /^status [0-9]+: / { code = $2; sub(/:/, "", code); if (code !~ /^2/) statuses = statuses (statuses == "" ? "" : ",") code "x" $3 }
        END { printf "%d %d %d %d %d %d %s\n", requests, non2xx, connect, read, write, timeout, statuses == "" ? "-" : statuses }
    ' "$1"
}

# -------------------------------------------------------------------------------------------------------- set-up
((DURATION >= 30)) || die "DURATION must be at least 30 seconds"
((WARMUP < DURATION / 2)) || die "WARMUP must be under half of DURATION"
((KILL_EVERY >= 8)) || die "KILL_EVERY must be at least 8 seconds (an instance needs a few to start)"
((${#INSTANCE_PORTS[@]} == 3)) || die "INSTANCE_PORTS must name three ports"
for tool in wrk curl ss; do
    command -v "$tool" >/dev/null || die "$tool is missing (apt-get install wrk curl iproute2)"
done
for port in "$GATEWAY_PORT" "${INSTANCE_PORTS[@]}"; do
    port_free "$port" || die "port $port is in use; set GATEWAY_PORT/INSTANCE_PORTS"
done

if [[ $SKIP_BUILD != 1 ]]; then
    log "building the gateway and the sample service (Release)"
    build_release src/Gateway.Api samples/SampleService
fi
[[ -f $GATEWAY_DLL ]] || die "missing $GATEWAY_DLL"
[[ -f $SAMPLE_DLL ]] || die "missing $SAMPLE_DLL"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/soak.XXXXXX")
mkdir -p "$OUT_DIR"

instances=""
for port in "${INSTANCE_PORTS[@]}"; do
    instances+="${instances:+, }{\"Host\": \"127.0.0.1\", \"Port\": $port}"
done
cat >"$WORK/registry.json" <<EOF
{"soak": {"LoadBalancer": "round_robin", "HealthCheckPath": "/health", "Instances": [$instances]}}
EOF

for index in 0 1 2; do
    start_instance "$index"
done
for index in 0 1 2; do
    wait_ready "instance-$index" "${INSTANCE_PID[$index]}" "http://127.0.0.1:${INSTANCE_PORTS[$index]}/health"
done

log "starting the gateway on port $GATEWAY_PORT (HEALTH_CHECK_INTERVAL=$HEALTH_CHECK_INTERVAL, LOG_LEVEL=$GW_LOG_LEVEL)"
(
    cd "$(dirname "$GATEWAY_DLL")"
    export GATEWAY_HOST=127.0.0.1 GATEWAY_PORT=$GATEWAY_PORT LOG_LEVEL=$GW_LOG_LEVEL
    export GATEWAY_REGISTRY_FILE=$WORK/registry.json HEALTH_CHECK_INTERVAL=$HEALTH_CHECK_INTERVAL
    exec dotnet "$GATEWAY_DLL"
) >"$OUT_DIR/gateway.log" 2>&1 &
GATEWAY_PID=$!
ln -s "$OUT_DIR/gateway.log" "$WORK/gateway.log" # for wait_ready's tail
wait_ready gateway "$GATEWAY_PID" "http://127.0.0.1:$GATEWAY_PORT/soak/users"

SAMPLES=$OUT_DIR/samples.tsv
printf 'label\tseconds\trss_mb\tpeak_rss_mb\tfds\tthreads\n' >"$SAMPLES"
LOAD_START=$SECONDS
sample_gateway idle >>"$SAMPLES"
printf 'time\tseconds\taction\tinstance\n' >"$OUT_DIR/events.tsv"

# ------------------------------------------------------------------------------------------------------- the run
log "load for ${DURATION}s: $LOADS; kill and restart an instance every ${KILL_EVERY}s, flip another's health"
for kind in $LOADS; do
    start_load "$kind"
done

quarter=$((KILL_EVERY / 4))
middle=$((DURATION / 2))
end=$((DURATION - 3)) # the last sample before wrk stops
kills=0 flips=0 taken_start=0 taken_middle=0
declare -A DONE # "cycle.action" -> 1 once done
# Each cycle of KILL_EVERY seconds: kill one instance (in turn) at 0, restart it at 1/4, make the next one report
# unhealthy at 1/2 and healthy again at 3/4. That one is the next cycle's victim, so a flipped instance is never
# restarted while it reports unhealthy. The loop wakes every second; each quarter lasts at least two.
while ((SECONDS - LOAD_START < end)); do
    now=$((SECONDS - LOAD_START))
    if ((!taken_start && now >= WARMUP)); then sample_gateway start >>"$SAMPLES"; taken_start=1; fi
    if ((!taken_middle && now >= middle)); then sample_gateway middle >>"$SAMPLES"; taken_middle=1; fi
    cycle=$((now / KILL_EVERY))
    phase=$((now % KILL_EVERY))
    victim=$((cycle % 3))
    flipped=$(((cycle + 1) % 3))
    action=$((phase / quarter))
    if ((action <= 3)) && [[ -z ${DONE[$cycle.$action]:-} ]]; then
        DONE[$cycle.$action]=1
        case $action in
            0) if [[ -n ${INSTANCE_PID[$victim]} ]]; then
                   kill_instance "$victim"; kills=$((kills + 1)); chaos_event kill "$victim"
               fi ;;
            1) if [[ -z ${INSTANCE_PID[$victim]} ]]; then start_instance "$victim"; chaos_event restart "$victim"; fi ;;
            2) if set_health "$flipped" unhealthy; then flips=$((flips + 1)); chaos_event unhealthy "$flipped"; fi ;;
            3) if set_health "$flipped" healthy; then chaos_event healthy "$flipped"; fi ;;
        esac
    fi
    kill -0 "$GATEWAY_PID" 2>/dev/null || die "the gateway died (see $OUT_DIR/gateway.log)"
    sleep 1
done
sample_gateway end >>"$SAMPLES"

log "waiting for the load to finish"
for pid in "${LOAD_PIDS[@]}"; do wait "$pid" || true; done
LOAD_PIDS=()
sample_gateway after >>"$SAMPLES"
for index in 0 1 2; do cp "$WORK/instance-$index.log" "$OUT_DIR/" 2>/dev/null || true; done

# -------------------------------------------------------------------------------------------------------- report
report() {
    echo "Soak $STAMP at $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo '?')"
    echo "machine: $(nproc) CPUs; load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "${DURATION}s of load ($LOADS) through the gateway to 3 SampleService instances; $kills kills (SIGKILL," \
        "restarted ${quarter}s later) and $flips health flips (unhealthy for ${quarter}s), one each per ${KILL_EVERY}s"
    echo
    printf '%-8s %10s %8s %8s %8s %6s %6s %8s %8s  %s\n' load requests req/s non-2xx connect read write timeout failed% "non-2xx by status"
    local kind requests non2xx connect read write timeout statuses failed total=0 total_failed=0
    for kind in $LOADS; do
        read -r requests non2xx connect read write timeout statuses < <(parse_load "$OUT_DIR/load-$kind.txt")
        failed=$((non2xx + connect + read + write + timeout))
        total=$((total + requests))
        total_failed=$((total_failed + failed))
        printf '%-8s %10d %8.1f %8d %8d %6d %6d %8d %8.4f  %s\n' "$kind" "$requests" \
            "$(awk -v n="$requests" -v d="$DURATION" 'BEGIN { print n / d }')" "$non2xx" "$connect" "$read" "$write" "$timeout" \
            "$(awk -v f="$failed" -v n="$requests" 'BEGIN { print (n > 0 ? 100 * f / n : 0) }')" "$statuses"
    done
    echo "failed: $total_failed of $total requests (non-2xx answers and socket errors as wrk counts them; uploads are"
    echo "        not retried, so those in flight on a killed instance fail; GETs are retried on another instance)"
    echo
    echo "Gateway (pid $GATEWAY_PID): idle before the load, start after ${WARMUP}s of warm-up, middle, end, after the load"
    if command -v column >/dev/null; then column -t -s $'\t' "$SAMPLES"; else cat "$SAMPLES"; fi
    awk -F'\t' '
        $1 == "start"  { rss0 = $3; fd0 = $5 }
        $1 == "middle" { rssm = $3; fdm = $5 }
        $1 == "end"    { rss1 = $3; fd1 = $5 }
        END {
            printf "growth from start to end: RSS %+.1f MB, descriptors %+d\n", rss1 - rss0, fd1 - fd0
            printf "  of which middle to end (the second half): RSS %+.1f MB, descriptors %+d\n", rss1 - rssm, fd1 - fdm
        }' "$SAMPLES"
    echo "gateway log: $(wc -l <"$OUT_DIR/gateway.log") lines at $GW_LOG_LEVEL or above ($OUT_DIR/gateway.log)"
}

report | tee "$OUT_DIR/summary.txt"
log "results in $OUT_DIR"
