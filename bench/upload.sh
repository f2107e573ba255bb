#!/usr/bin/env bash
# Upload throughput: one large body PUT with curl straight to a Kestrel sink, through the gateway and through YARP,
# round after round:
#   ROUNDS=3 UPLOAD_MB=2048 bench/upload.sh
# The sink (bench/WebSocketEcho's server) reads each body to its last byte before answering, so a transfer is timed
# to the end. Servers are pinned to CPU 1 and curl to CPU 0, as in run.sh. Prints MB/s per target and round, the
# ratio to the same round's direct upload, and the gateway's RSS growth across the run (its memory stays flat when
# bodies are streamed).
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
ROUNDS=${ROUNDS:-3} UPLOAD_MB=${UPLOAD_MB:-2048}
SINK_PORT=${SINK_PORT:-9102} GATEWAY_BENCH_PORT=${GATEWAY_BENCH_PORT:-8182} YARP_BENCH_PORT=${YARP_BENCH_PORT:-8192}
WORK=$(mktemp -d)
PIDS=()
running_pids() { printf '%s\n' "${PIDS[@]}"; }
source "$REPO/bench/common.sh"

build_release src/Gateway.Api bench/YarpBaseline bench/WebSocketEcho
SINK=$REPO/bench/WebSocketEcho/bin/Release/net10.0/WebSocketEcho.dll

# Sparse: read from the page cache as zeros, so the disk is not what is measured.
truncate -s $((UPLOAD_MB * 1024 * 1024)) "$WORK/body.bin"

taskset -c 1 dotnet "$SINK" server "$SINK_PORT" >"$WORK/sink.log" 2>&1 & PIDS+=($!)
wait_ready sink "${PIDS[-1]}" "http://127.0.0.1:$SINK_PORT/"
GATEWAY_HOST=127.0.0.1 GATEWAY_PORT=$GATEWAY_BENCH_PORT LOG_LEVEL=Warning HEALTH_CHECK_INTERVAL=3600 \
    MAX_REQUEST_BODY_SIZE=0 REQUEST_TIMEOUT=600 \
    Gateway__Services__bench__Instances__0__Host=127.0.0.1 Gateway__Services__bench__Instances__0__Port=$SINK_PORT \
    taskset -c 1 dotnet "$REPO/src/Gateway.Api/bin/Release/net10.0/Gateway.Api.dll" >"$WORK/gateway.log" 2>&1 & PIDS+=($!)
GATEWAY_PID=${PIDS[-1]}
wait_ready gateway "$GATEWAY_PID" "http://127.0.0.1:$GATEWAY_BENCH_PORT/health"
taskset -c 1 dotnet "$REPO/bench/YarpBaseline/bin/Release/net10.0/YarpBaseline.dll" \
    --port "$YARP_BENCH_PORT" --backends "127.0.0.1:$SINK_PORT" >"$WORK/yarp.log" 2>&1 & PIDS+=($!)
wait_ready yarp "${PIDS[-1]}" "http://127.0.0.1:$YARP_BENCH_PORT/bench/"

upload() { # url -> "bytes_sent answer MB/s"
    taskset -c 0 curl -sS -T "$WORK/body.bin" -H 'Content-Type: application/octet-stream' \
        -w ' %{size_upload} %{speed_upload}\n' "$1" |
        awk '{ printf "%s %s %.0f", $2, $1, $3 / 1048576 }'
}

expected=$((UPLOAD_MB * 1024 * 1024))
rss_before=$(status_kb "$GATEWAY_PID" VmRSS)
for ((round = 1; round <= ROUNDS; round++)); do
    direct=
    for target in direct gateway yarp; do
        case $target in
            direct) url=http://127.0.0.1:$SINK_PORT/upload ;;
            gateway) url=http://127.0.0.1:$GATEWAY_BENCH_PORT/bench/upload ;;
            yarp) url=http://127.0.0.1:$YARP_BENCH_PORT/bench/upload ;;
        esac
        read -r sent answered speed <<<"$(upload "$url")"
        [[ $sent == "$expected" && $answered == "$expected" ]] || log "$target: sent $sent, the sink read $answered of $expected bytes"
        [[ $target == direct ]] && direct=$speed
        printf 'round=%d target=%-7s MB/s=%5d ratio_to_direct=%s\n' "$round" "$target" "$speed" \
            "$(awk -v s="$speed" -v d="$direct" 'BEGIN { printf "%.2f", s / d }')"
    done
done
printf 'gateway RSS: %.1f MB before, %.1f MB after, peak %.1f MB\n' "$(awk -v k="$rss_before" 'BEGIN { print k / 1024 }')" \
    "$(awk -v k="$(status_kb "$GATEWAY_PID" VmRSS)" 'BEGIN { print k / 1024 }')" \
    "$(awk -v k="$(status_kb "$GATEWAY_PID" VmHWM)" 'BEGIN { print k / 1024 }')"
