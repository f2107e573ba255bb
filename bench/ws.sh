#!/usr/bin/env bash
# WebSocket echo round trips through the gateway, YARP and nothing at all, round after round:
#   ROUNDS=3 SOCKETS=10 DURATION=10 bench/ws.sh
# Each target gets SOCKETS sockets that each send a 64-byte message and wait for its echo, one after another, for
# DURATION seconds; the client prints round trips, p50 and p99 (ms) and errors. Servers are pinned to CPU 1 and the
# client to CPU 0, as in run.sh; read the ratios to YARP from the same round.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
ROUNDS=${ROUNDS:-3} SOCKETS=${SOCKETS:-10} DURATION=${DURATION:-10}
ECHO_PORT=${ECHO_PORT:-9101} GATEWAY_BENCH_PORT=${GATEWAY_BENCH_PORT:-8180} YARP_BENCH_PORT=${YARP_BENCH_PORT:-8190}
WORK=$(mktemp -d)
PIDS=()
running_pids() { printf '%s\n' "${PIDS[@]}"; }
source "$REPO/bench/common.sh"

build_release src/Gateway.Api bench/YarpBaseline bench/WebSocketEcho
TOOL=$REPO/bench/WebSocketEcho/bin/Release/net10.0/WebSocketEcho.dll

taskset -c 1 dotnet "$TOOL" server "$ECHO_PORT" >"$WORK/echo.log" 2>&1 & PIDS+=($!)
wait_ready echo "${PIDS[-1]}" "http://127.0.0.1:$ECHO_PORT/"
GATEWAY_HOST=127.0.0.1 GATEWAY_PORT=$GATEWAY_BENCH_PORT LOG_LEVEL=Warning HEALTH_CHECK_INTERVAL=3600 \
    Gateway__Services__bench__Instances__0__Host=127.0.0.1 Gateway__Services__bench__Instances__0__Port=$ECHO_PORT \
    taskset -c 1 dotnet "$REPO/src/Gateway.Api/bin/Release/net10.0/Gateway.Api.dll" >"$WORK/gateway.log" 2>&1 & PIDS+=($!)
wait_ready gateway "${PIDS[-1]}" "http://127.0.0.1:$GATEWAY_BENCH_PORT/health"
taskset -c 1 dotnet "$REPO/bench/YarpBaseline/bin/Release/net10.0/YarpBaseline.dll" \
    --port "$YARP_BENCH_PORT" --backends "127.0.0.1:$ECHO_PORT" >"$WORK/yarp.log" 2>&1 & PIDS+=($!)
wait_ready yarp "${PIDS[-1]}" "http://127.0.0.1:$YARP_BENCH_PORT/bench/"

for ((round = 1; round <= ROUNDS; round++)); do
    for target in gateway yarp direct; do
        case $target in
            gateway) url=ws://127.0.0.1:$GATEWAY_BENCH_PORT/bench/ws ;;
            yarp) url=ws://127.0.0.1:$YARP_BENCH_PORT/bench/ws ;;
            direct) url=ws://127.0.0.1:$ECHO_PORT/ws ;;
        esac
        # A short warm-up, then the measured run.
        taskset -c 0 dotnet "$TOOL" client "$url" "$SOCKETS" 2 >/dev/null || true
        printf 'round=%d target=%s %s\n' "$round" "$target" "$(taskset -c 0 dotnet "$TOOL" client "$url" "$SOCKETS" "$DURATION")"
    done
done
