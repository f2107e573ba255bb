#!/usr/bin/env bash
# Registry size: the gateway with SERVICES services of 4 instances each (plus the bench service) against the same
# build with the bench service alone, in front of nginx listening on 100 ports, round after round:
#   SERVICES=2500 ROUNDS=3 DURATION=10 bench/scale.sh
# Per round and registry it prints:
#   startup_s      from launching the process to the first proxied answer
#   rps, cpu_us    small JSON through the bench service (wrk -t1 -c64 for DURATION s, as run.sh), and the gateway's
#                  own CPU (user + system) per request
#   services_ms    GET /services, median of 20 calls after 5 unmeasured ones, and the size of its answer
#   idle_cpu_pct   the gateway's CPU while no request comes, over PROBE_WINDOW s with probes every INTERVAL s (10)
#   probe_us       that CPU per probe sent (with a handful of probes it is mostly the idle process's own timers)
# Servers are pinned to CPU 1 and the clients to CPU 0; compare the two registries within a round.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
SERVICES=${SERVICES:-2500} ROUNDS=${ROUNDS:-3} DURATION=${DURATION:-10} PROBE_WINDOW=${PROBE_WINDOW:-30} INTERVAL=${INTERVAL:-10}
GATEWAY_BENCH_PORT=${GATEWAY_BENCH_PORT:-8183}
BENCH_PORTS=(19011 19012)
POOL_PORTS=($(seq 19200 19299))
WORK=$(mktemp -d "${TMPDIR:-/tmp}/scale-bench.XXXXXX")
chmod 755 "$WORK"
PIDS=()
running_pids() { printf '%s\n' "${PIDS[@]}"; }
source "$REPO/bench/common.sh"
for tool in nginx wrk curl taskset; do command -v "$tool" >/dev/null || die "$tool is needed (bench/run.sh installs it)"; done

build_release src/Gateway.Api
GATEWAY_DLL=$REPO/src/Gateway.Api/bin/Release/net10.0/Gateway.Api.dll

mkdir -p "$WORK/nginx"
{
    echo "worker_processes 1; daemon off; pid $WORK/nginx.pid; error_log $WORK/nginx-error.log warn;"
    echo "events { worker_connections 4096; }"
    echo "http { access_log off; keepalive_requests 1000000; keepalive_timeout 120s;"
    for port in "${BENCH_PORTS[@]}" "${POOL_PORTS[@]}"; do
        echo "  server { listen 127.0.0.1:$port;"
        echo "    location = /health { default_type application/json; return 200 '{\"status\":\"healthy\"}'; }"
        echo "    location = /json { default_type application/json; return 200 '{\"ok\":true,\"backend\":$port,\"message\":\"hello from the bench backend\",\"items\":[1,2,3]}'; } }"
    done
    echo "}"
} >"$WORK/nginx.conf"
(taskset -c 1 nginx -p "$WORK/nginx" -e "$WORK/nginx-error.log" -c "$WORK/nginx.conf") >"$WORK/backends.log" 2>&1 &
PIDS+=($!)
wait_ready backends "${PIDS[-1]}" "http://127.0.0.1:${BENCH_PORTS[0]}/json"

# Two registry files: the bench service alone, and the bench service among SERVICES others.
bench_entry="\"bench\": {\"HealthCheckPath\": \"/health\", \"Instances\": [{\"Host\": \"127.0.0.1\", \"Port\": ${BENCH_PORTS[0]}}, {\"Host\": \"127.0.0.1\", \"Port\": ${BENCH_PORTS[1]}}]}"
echo "{ $bench_entry }" >"$WORK/small.json"
awk -v services="$SERVICES" -v bench="$bench_entry" -v first="${POOL_PORTS[0]}" -v count="${#POOL_PORTS[@]}" 'BEGIN {
    printf "{ %s", bench
    for (s = 0; s < services; s++) {
        printf ",\n\"svc%05d\": {\"HealthCheckPath\": \"/health\", \"Instances\": [", s
        for (i = 0; i < 4; i++) printf "%s{\"Host\": \"127.0.0.1\", \"Port\": %d}", (i ? ", " : ""), first + (s * 4 + i) % count
        printf "]}"
    }
    print "\n}"
}' >"$WORK/large.json"

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
ticks_per_s=$(getconf CLK_TCK)
metric_sum() { curl -s "http://127.0.0.1:$GATEWAY_BENCH_PORT/metrics" | awk -v name="$1" '$1 ~ "^" name "({|$)" { s += $2 } END { printf "%.0f", s }'; }

measure() { # registry-file label
    local started pid url=http://127.0.0.1:$GATEWAY_BENCH_PORT
    started=$(date +%s.%N)
    GATEWAY_HOST=127.0.0.1 GATEWAY_PORT=$GATEWAY_BENCH_PORT LOG_LEVEL=Warning HEALTH_CHECK_INTERVAL=$INTERVAL \
        GATEWAY_REGISTRY_FILE=$1 taskset -c 1 dotnet "$GATEWAY_DLL" >"$WORK/gateway.log" 2>&1 &
    pid=$!
    PIDS+=("$pid")
    until [[ $(curl -s -o /dev/null -w '%{http_code}' "$url/bench/json" || true) == 200 ]]; do
        kill -0 "$pid" 2>/dev/null || { tail -n 20 "$WORK/gateway.log" >&2; die "the gateway exited during start-up"; }
        sleep 0.02
    done
    local startup
    startup=$(awk -v s="$started" -v e="$(date +%s.%N)" 'BEGIN { printf "%.2f", e - s }')

    taskset -c 0 wrk -t1 -c64 -d5s "$url/bench/json" >/dev/null
    local t0 t1 out requests rps
    t0=$(cpu_ticks "$pid")
    out=$(taskset -c 0 wrk -t1 -c64 -d"${DURATION}s" "$url/bench/json")
    t1=$(cpu_ticks "$pid")
    requests=$(awk '/requests in/ { print $1 }' <<<"$out")
    rps=$(awk '/Requests\/sec/ { printf "%.0f", $2 }' <<<"$out")
    local cpu_us
    cpu_us=$(awk -v t=$((t1 - t0)) -v hz="$ticks_per_s" -v n="$requests" 'BEGIN { printf "%.1f", t / hz * 1e6 / n }')

    local i times size
    for ((i = 0; i < 5; i++)); do curl -s -o /dev/null "$url/services"; done
    times=$(for ((i = 0; i < 20; i++)); do curl -s -o /dev/null -w '%{time_total}\n' "$url/services"; done | sort -n | awk 'NR == 10 { printf "%.1f", $1 * 1000 }')
    size=$(curl -s "$url/services" | wc -c)

    local p0 p1
    p0=$(metric_sum gateway_health_checks_total)
    t0=$(cpu_ticks "$pid")
    sleep "$PROBE_WINDOW"
    t1=$(cpu_ticks "$pid")
    p1=$(metric_sum gateway_health_checks_total)
    local probe_us idle
    idle=$(awk -v t=$((t1 - t0)) -v hz="$ticks_per_s" -v w="$PROBE_WINDOW" 'BEGIN { printf "%.1f", t / hz / w * 100 }')
    probe_us=$(awk -v t=$((t1 - t0)) -v hz="$ticks_per_s" -v n=$((p1 - p0)) 'BEGIN { if (n > 0) printf "%.0f", t / hz * 1e6 / n; else print "-" }')

    kill "$pid"
    wait "$pid" 2>/dev/null || true
    printf 'round=%d registry=%-5s startup_s=%s rps=%s cpu_us=%s services_ms=%s services_bytes=%s idle_cpu_pct=%s probes=%s probe_us=%s\n' \
        "$round" "$2" "$startup" "$rps" "$cpu_us" "$times" "$size" "$idle" $((p1 - p0)) "$probe_us"
}

for ((round = 1; round <= ROUNDS; round++)); do
    measure "$WORK/small.json" small
    measure "$WORK/large.json" large
done
