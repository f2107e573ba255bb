#!/usr/bin/env bash
# Proxy benchmark: the gateway against a minimal YARP proxy (bench/YarpBaseline), both in front of the same two
# nginx backends, driven by wrk. See "Proxy benchmark (wrk)" in bench/README.md.
#
# Settings (environment):
#   ROUNDS=3          measured rounds; every round runs every target on every scenario, in alternating order
#   DURATION=10       seconds of each wrk run
#   WARMUP=30         seconds of unmeasured wrk per target and scenario before the rounds; 0 skips it. The JIT
#                     tiers the gateway's larger request path up slowly on a busy machine: 5-15 s is not enough
#   CONNECTIONS=64    wrk connections (always one wrk thread: -t1)
#   WRK_TIMEOUT=10s   wrk request timeout; a slower response counts as a socket error (wrk's default is 2s)
#   SCENARIOS="json 1mb"  also json-apikey, json-jwt and json-ratelimit: the small JSON through a service with an
#                     api_key Auth, a jwt Auth (one token, minted at start-up, keys from a JWKS file) or a RateLimit
#                     that never refuses; the gateways alone run them, and the report compares their CPU per request
#                     with the same gateway's json in the same round (they need json in SCENARIOS)
#   LOG_LEVEL=Warning the gateway's LOG_LEVEL for the main comparison
#   INFO_RUN=1        also measure a second gateway with LOG_LEVEL=Information ("gateway-info"); 0 skips it
#   TRANSFER_MB=200   size of the file streamed through each proxy for the memory check; 0 skips the check
#   SKIP_BUILD=0      1 uses the existing Release builds
#   WRK_CPU=0 SERVER_CPU=1   CPUs for taskset: wrk on one, proxies and nginx on the other
#   BACKEND_PORTS="19001 19002" GATEWAY_PORT=18080 GATEWAY_INFO_PORT=18081 YARP_PORT=18090
#   PEERS=""         other rows for the table, any of: nginx (nginx as the proxy), haproxy (haproxy as the proxy),
#                     direct (wrk straight at the first backend; its CPU and RSS are the backend nginx's own)
#   NGINX_PROXY_PORT=18091 HAPROXY_PORT=18092
#   RESULTS_DIR=bench/results
#
# Comparing gateway builds or settings (see "Comparing gateway builds" in bench/README.md):
#   GATEWAY_VARIANTS=""  extra gateway targets, separated by spaces, each "name=dll" or "name=dll:KEY=VALUE,KEY=VALUE":
#                     the Gateway.Api.dll to run (empty: this checkout's Release build) and environment variables
#                     for it alone (LOG_LEVEL defaults to the one above). The summary adds each variant's ratios to
#                     the first variant's. Names: letters, digits, '.', '_', '-'; dll: no ':'; values: no spaces or commas
#   GATEWAY_MAIN=1    0 leaves out the gateway built from this checkout (and with it gateway-info), for runs of
#                     variants only; this checkout is then built only if a variant names no dll
#   GATEWAY_VARIANT_PORT=18100   port of the first variant; the next ones count up
#   START_ETCD=0      1 starts a throwaway single-member etcd (etcd on PATH, else /usr/bin/etcd) on the first free
#                     loopback ports from 12379, with its data in the temporary directory, pinned to SERVER_CPU,
#                     and gives every gateway ETCD_ENDPOINTS pointing at it (REGISTRY_STORE=etcd still has to be set)
set -euo pipefail

ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-30}
CONNECTIONS=${CONNECTIONS:-64}
WRK_TIMEOUT=${WRK_TIMEOUT:-10s}
SCENARIOS=${SCENARIOS:-"json 1mb"}
GW_LOG_LEVEL=${LOG_LEVEL:-Warning}
INFO_RUN=${INFO_RUN:-1}
TRANSFER_MB=${TRANSFER_MB:-200}
SKIP_BUILD=${SKIP_BUILD:-0}
WRK_CPU=${WRK_CPU:-0}
SERVER_CPU=${SERVER_CPU:-1}
read -r -a BACKEND_PORTS <<<"${BACKEND_PORTS:-19001 19002}"
GATEWAY_PORT=${GATEWAY_PORT:-18080}
GATEWAY_INFO_PORT=${GATEWAY_INFO_PORT:-18081}
YARP_PORT=${YARP_PORT:-18090}
PEERS=${PEERS:-}
NGINX_PROXY_PORT=${NGINX_PROXY_PORT:-18091}
HAPROXY_PORT=${HAPROXY_PORT:-18092}
GATEWAY_VARIANTS=${GATEWAY_VARIANTS:-}
read -r -a GATEWAY_VARIANTS <<<"${GATEWAY_VARIANTS//$'\n'/ }" # on one line or several
GATEWAY_MAIN=${GATEWAY_MAIN:-1}
GATEWAY_VARIANT_PORT=${GATEWAY_VARIANT_PORT:-18100}
START_ETCD=${START_ETCD:-0}

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RESULTS_DIR=${RESULTS_DIR:-$REPO/bench/results}
STAMP=$(date +%Y%m%d-%H%M%S)
OUT_DIR=$RESULTS_DIR/proxy-$STAMP
GATEWAY_DLL=$REPO/src/Gateway.Api/bin/Release/net10.0/Gateway.Api.dll
YARP_DLL=$REPO/bench/YarpBaseline/bin/Release/net10.0/YarpBaseline.dll
CLK_TCK=$(getconf CLK_TCK)

WORK=""
PIDS=()

# shellcheck source=bench/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh" # log, die, port_free, status_kb, wait_ready, cleanup

EDGE_SCENARIOS="json-apikey json-jwt json-ratelimit"
PLAIN_SCENARIOS=""
for scenario in $SCENARIOS; do
    [[ " $EDGE_SCENARIOS " == *" $scenario "* ]] || PLAIN_SCENARIOS+="${PLAIN_SCENARIOS:+ }$scenario"
done
BENCH_API_KEY=bench-api-key-0123456789
JWT_TOKEN=""

# The processes cleanup (in common.sh) stops when the script exits, also on Ctrl-C.
running_pids() { printf '%s\n' "${PIDS[@]}"; }

# ---------------------------------------------------------------------------------------------------------- tools
install_tools() {
    local missing=()
    command -v nginx >/dev/null || missing+=(nginx)
    command -v wrk >/dev/null || missing+=(wrk)
    command -v curl >/dev/null || missing+=(curl)
    command -v taskset >/dev/null || missing+=(util-linux)
    [[ " $PEERS " != *" haproxy "* ]] || command -v haproxy >/dev/null || missing+=(haproxy)
    ((${#missing[@]} == 0)) && return
    log "installing ${missing[*]}"
    local sudo=""
    if ((EUID != 0)); then
        command -v sudo >/dev/null || die "need root or sudo to install ${missing[*]}"
        sudo=sudo
    fi
    # Debian's nginx and haproxy packages start a system service unless policy-rc.d forbids it; forbid it for the
    # install if nothing does yet, so that the only nginx and haproxy running are ours.
    local policy=/usr/sbin/policy-rc.d placed=0
    if [[ ! -e $policy ]]; then
        printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null && $sudo chmod +x "$policy" && placed=1
    fi
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    ((placed)) && $sudo rm -f "$policy"
    return 0
}

# -------------------------------------------------------------------------------------------------------- helpers
free_port() { # the first free port from $1 up
    local port=$1
    until port_free "$port"; do port=$((port + 1)); done
    echo "$port"
}

cpu_ticks() { # utime + stime of a process, in clock ticks (fields 14 and 15; the name in field 2 may hold spaces)
    local stat
    stat=$(<"/proc/$1/stat")
    stat=${stat##*) }
    awk '{ print $12 + $13 }' <<<"$stat"
}


pinned() { # cpu command... (no pinning on a one-CPU machine)
    local cpu=$1
    shift
    if ((NCPU > 1)); then
        exec taskset -c "$cpu" "$@"
    else
        exec "$@"
    fi
}

# The .NET runtime's own counters from a Prometheus /metrics page, as: allocated_bytes gen0 gen1 gen2 (collections
# since start), or "- - - -" when the page has none (YARP, nginx) or cannot be read. The exporter's naming is not
# fixed, so any of these spellings is accepted, the first one found winning:
#   allocated: [prefix_]gc_heap_total_allocated[_bytes][_total]  (System.Runtime's dotnet.gc.heap.total_allocated:
#              prometheus-net's meter adapter writes system_runtime_dotnet_gc_heap_total_allocated, OpenTelemetry's
#              exporter dotnet_gc_heap_total_allocated_bytes_total)
#              [prefix_]gc_allocations_size[_bytes][_total]      (OpenTelemetry.Instrumentation.Runtime)
#   collections: [prefix_]gc_collections[_count][_total], [prefix_]collection_count[_total] (prometheus-net's own
#              dotnet stats), one series per generation, labelled gc_heap_generation or generation, "gen1" or "1"
# A name this misses is one more alternative in ALLOCATED or COLLECTIONS below.
runtime_counters() { # url
    [[ -n $1 ]] || { echo "- - - -"; return; }
    curl -s --max-time 5 "$1" 2>/dev/null | awk '
        BEGIN {
            ALLOCATED = "(^|_)gc_(heap_total_allocated|allocations_size)(_bytes)?(_total)?$"
            COLLECTIONS = "(^|_)(gc_collections(_count)?|collection_count)(_total)?$"
        }
        /^#/ || NF < 2 { next }
        {
            # name{labels} value [timestamp]; a label value may hold spaces, so split after the last brace.
            if (match($0, /^[^{ ]+\{.*\}[ \t]/)) {
                i = index($0, "{")
                name = substr($0, 1, i - 1)
                labels = substr($0, i, RLENGTH - i)
                split(substr($0, RLENGTH + 1), f, " ")
                value = f[1]
            } else {
                name = $1; labels = ""; value = $2
            }
            if (name ~ ALLOCATED) {
                if (alloc_name == "") alloc_name = name
                if (name == alloc_name) alloc += value
            } else if (name ~ COLLECTIONS) {
                if (match(labels, /generation="(gen)?[012]"/) == 0) next
                gen = substr(labels, RSTART + RLENGTH - 2, 1)
                if (gc_name == "") gc_name = name
                if (name == gc_name) gc[gen] = value + 0
            }
        }
        END {
            if (alloc_name == "" || gc_name == "") { print "- - - -"; exit }
            printf "%.0f %.0f %.0f %.0f\n", alloc, gc[0], gc[1], gc[2]
        }'
}

# Per request from two runtime_counters readings: bytes_per_request gen0 gen1 gen2 (collections between them), or
# dashes when either reading has none.
runtime_delta() { # "before" "after" requests
    awk -v b="$1" -v a="$2" -v n="$3" 'BEGIN {
        split(b, x, " "); split(a, y, " ")
        if (x[1] == "-" || y[1] == "-" || n <= 0) { print "- - - -"; exit }
        printf "%.0f %d %d %d\n", (y[1] - x[1]) / n, y[2] - x[2], y[3] - x[3], y[4] - x[4]
    }'
}

# Parses a wrk --latency report into: requests rps p50_ms p99_ms errors
parse_wrk() {
    awk '
        function ms(v) {
            if (v ~ /us$/) { sub(/us$/, "", v); return v / 1000 }
            if (v ~ /ms$/) { sub(/ms$/, "", v); return v + 0 }
            if (v ~ /m$/)  { sub(/m$/, "", v);  return v * 60000 }
            if (v ~ /s$/)  { sub(/s$/, "", v);  return v * 1000 }
            return v + 0
        }
        /requests in/ { requests = $1 }
        /^Requests\/sec:/ { rps = $2 }
        $1 == "50%" { p50 = ms($2) }
        $1 == "99%" { p99 = ms($2) }
        /Non-2xx or 3xx responses:/ { errors += $NF }
        /Socket errors:/ {
            gsub(/,/, "")
            for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+$/) errors += $i
        }
        END { printf "%d %.1f %.3f %.3f %d\n", requests, rps, p50, p99, errors }
    ' "$1"
}

is_edge() { [[ " $EDGE_SCENARIOS " == *" $1 "* ]]; }

# Whether the target runs the scenario: the edge ones need the gateway's registry, so only the gateways run them.
runs() { # target scenario
    ! is_edge "$2" || [[ -n ${TARGET_METRICS[$1]:-} ]]
}

# The URL of a scenario on a target: an edge scenario is the json of its own service (bench-apikey, ...).
scenario_url() { # target scenario
    if is_edge "$2"; then echo "${TARGET_URL[$1]}-${2#json-}/json"; else echo "${TARGET_URL[$1]}/$2"; fi
}

# The request header a scenario sends, if any, as "Name: value".
scenario_header() { # scenario
    case $1 in
        json-apikey) echo "X-Api-Key: $BENCH_API_KEY" ;;
        json-jwt) echo "Authorization: Bearer $JWT_TOKEN" ;;
    esac
}

b64url() { base64 -w0 | tr '+/' '-_' | tr -d '='; }

# An RSA key, its public half as a JWKS file, and one RS256 token signed with it that lasts the run.
mint_jwt() { # directory
    local dir=$1 header payload n now
    openssl genrsa -out "$dir/jwt-key.pem" 2048 2>/dev/null || die "openssl could not make an RSA key"
    n=$(openssl rsa -in "$dir/jwt-key.pem" -noout -modulus 2>/dev/null | cut -d= -f2 | xxd -r -p | b64url)
    printf '{"keys":[{"kty":"RSA","use":"sig","alg":"RS256","kid":"bench-1","n":"%s","e":"AQAB"}]}' "$n" >"$dir/jwks.json"
    now=$(date +%s)
    header=$(printf '{"alg":"RS256","typ":"JWT","kid":"bench-1"}' | b64url)
    payload=$(printf '{"iss":"https://issuer.bench","aud":"bench-api","sub":"bench-user","scope":"bench.read","iat":%d,"exp":%d}' \
        "$now" $((now + 86400)) | b64url)
    JWT_TOKEN="$header.$payload.$(printf '%s' "$header.$payload" | openssl dgst -sha256 -sign "$dir/jwt-key.pem" | b64url)"
}

# ------------------------------------------------------------------------------------------------------------ set-up
NCPU=$(nproc)
((NCPU > 1)) || log "warning: one CPU only; running without taskset pinning"
((ROUNDS >= 1 && DURATION >= 1)) || die "ROUNDS and DURATION must be at least 1"
for scenario in $SCENARIOS; do
    if is_edge "$scenario" && [[ " $SCENARIOS " != *" json "* ]]; then die "SCENARIOS: $scenario is compared with json, which must be there too"; fi
done

install_tools

# Gateway variants: "name=dll" or "name=dll:KEY=VALUE,KEY=VALUE", each an extra target on its own port.
declare -A VARIANT_DLL VARIANT_ENV VARIANT_PORT
VARIANTS=()
((GATEWAY_MAIN)) || INFO_RUN=0
NEED_MAIN_BUILD=$GATEWAY_MAIN
next_port=$GATEWAY_VARIANT_PORT
for spec in "${GATEWAY_VARIANTS[@]}"; do
    [[ $spec == ?*=* ]] || die "GATEWAY_VARIANTS: '$spec' is not name=dll or name=dll:KEY=VALUE,..."
    name=${spec%%=*}
    rest=${spec#*=}
    dll=${rest%%:*}
    pairs=()
    [[ $rest == *:* ]] && IFS=, read -r -a pairs <<<"${rest#*:}"
    [[ $name =~ ^[A-Za-z0-9._-]+$ ]] || die "GATEWAY_VARIANTS: the name '$name' may hold only letters, digits, '.', '_' and '-'"
    case $name in gateway | gateway-info | yarp | nginx | haproxy | direct | backends | etcd-server) die "GATEWAY_VARIANTS: the name '$name' is taken" ;; esac
    [[ -z ${VARIANT_PORT[$name]:-} ]] || die "GATEWAY_VARIANTS: two variants are named '$name'"
    for pair in "${pairs[@]}"; do
        [[ $pair =~ ^[A-Za-z_][A-Za-z0-9_]*= ]] || die "GATEWAY_VARIANTS: '$pair' in variant '$name' is not KEY=VALUE"
    done
    if [[ -z $dll ]]; then
        dll=$GATEWAY_DLL
        NEED_MAIN_BUILD=1
    fi
    VARIANT_DLL[$name]=$(realpath -m "$dll")
    VARIANT_ENV[$name]=${pairs[*]}
    VARIANT_PORT[$name]=$next_port
    VARIANTS+=("$name")
    next_port=$((next_port + 1))
done
((GATEWAY_MAIN || ${#VARIANTS[@]} > 0)) || die "GATEWAY_MAIN=0 leaves no gateway to measure; set GATEWAY_VARIANTS"

PORTS=("${BACKEND_PORTS[@]}" "$YARP_PORT")
((GATEWAY_MAIN)) && PORTS+=("$GATEWAY_PORT")
((INFO_RUN)) && PORTS+=("$GATEWAY_INFO_PORT")
for name in "${VARIANTS[@]}"; do PORTS+=("${VARIANT_PORT[$name]}"); done
for peer in $PEERS; do
    case $peer in
        nginx) PORTS+=("$NGINX_PROXY_PORT") ;;
        haproxy) PORTS+=("$HAPROXY_PORT") ;;
        direct) ;;
        *) die "PEERS: '$peer' is not nginx, haproxy or direct" ;;
    esac
done
for port in "${PORTS[@]}"; do
    port_free "$port" || die "port $port is in use; set BACKEND_PORTS/GATEWAY_PORT/GATEWAY_INFO_PORT/YARP_PORT/GATEWAY_VARIANT_PORT"
done

if [[ $SKIP_BUILD != 1 ]]; then
    if ((NEED_MAIN_BUILD)); then
        log "building the gateway and the YARP baseline (Release)"
        dotnet build -c Release --nologo -v quiet "$REPO/src/Gateway.Api" >/dev/null || die "gateway build failed (run: dotnet build -c Release src/Gateway.Api)"
    else
        log "building the YARP baseline (Release)"
    fi
    dotnet build -c Release --nologo -v quiet "$REPO/bench/YarpBaseline" >/dev/null || die "YARP baseline build failed"
fi
[[ -f $YARP_DLL ]] || die "missing $YARP_DLL"
((NEED_MAIN_BUILD == 0)) || [[ -f $GATEWAY_DLL ]] || die "missing $GATEWAY_DLL"
for name in "${VARIANTS[@]}"; do
    [[ -f ${VARIANT_DLL[$name]} ]] || die "variant $name: missing ${VARIANT_DLL[$name]}"
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/proxy-bench.XXXXXX")
chmod 755 "$WORK" # nginx workers run as an unprivileged user and must reach the files
mkdir -p "$WORK/nginx" "$OUT_DIR/raw"

head -c $((1024 * 1024)) /dev/urandom >"$WORK/1mb.bin"
if ((TRANSFER_MB > 0)); then
    fallocate -l $((TRANSFER_MB * 1024 * 1024)) "$WORK/big.bin" 2>/dev/null || truncate -s $((TRANSFER_MB * 1024 * 1024)) "$WORK/big.bin"
fi
chmod 644 "$WORK"/*.bin

{
    echo "worker_processes 1;"
    echo "daemon off;"
    echo "pid $WORK/nginx.pid;"
    echo "error_log $WORK/nginx-error.log warn;"
    echo "events { worker_connections 4096; }"
    echo "http {"
    echo "  access_log off;"
    echo "  sendfile on;"
    echo "  tcp_nopush on;"
    echo "  keepalive_requests 1000000;"
    echo "  keepalive_timeout 120s;"
    for port in "${BACKEND_PORTS[@]}"; do
        echo "  server {"
        echo "    listen 127.0.0.1:$port;"
        echo "    location = /health { default_type application/json; return 200 '{\"status\":\"healthy\"}'; }"
        echo "    location = /json { default_type application/json; return 200 '{\"ok\":true,\"backend\":$port,\"message\":\"hello from the bench backend\",\"items\":[1,2,3]}'; }"
        echo "    location = /1mb { default_type application/octet-stream; alias $WORK/1mb.bin; }"
        echo "    location = /big { default_type application/octet-stream; alias $WORK/big.bin; }"
        echo "  }"
    done
    echo "}"
} >"$WORK/nginx.conf"

log "starting nginx backends on ports ${BACKEND_PORTS[*]} (CPU $SERVER_CPU)"
(pinned "$SERVER_CPU" nginx -p "$WORK/nginx" -e "$WORK/nginx-error.log" -c "$WORK/nginx.conf") >"$WORK/backends.log" 2>&1 &
NGINX_PID=$!
PIDS+=("$NGINX_PID")
wait_ready backends "$NGINX_PID" "http://127.0.0.1:${BACKEND_PORTS[0]}/json"

BACKENDS=""
REGISTRY_INSTANCES=""
for port in "${BACKEND_PORTS[@]}"; do
    BACKENDS+="${BACKENDS:+,}127.0.0.1:$port"
    REGISTRY_INSTANCES+="${REGISTRY_INSTANCES:+, }{\"Host\": \"127.0.0.1\", \"Port\": $port}"
done
mint_jwt "$WORK"
api_key_hash=$(printf '%s' "$BENCH_API_KEY" | sha256sum | cut -c1-64)
cat >"$WORK/registry.json" <<EOF
{
  "bench": {"LoadBalancer": "round_robin", "HealthCheckPath": "/health", "Instances": [$REGISTRY_INSTANCES]},
  "bench-apikey": {"HealthCheckPath": "/health", "Instances": [$REGISTRY_INSTANCES],
    "Auth": {"Type": "api_key", "Keys": [{"Name": "bench", "Sha256": "$api_key_hash"}]}},
  "bench-jwt": {"HealthCheckPath": "/health", "Instances": [$REGISTRY_INSTANCES],
    "Auth": {"Type": "jwt", "Issuer": "https://issuer.bench", "Audiences": ["bench-api"], "JwksFile": "$WORK/jwks.json",
      "RequiredScopes": ["bench.read"], "ForwardClaims": {"sub": "X-User-Id"}}},
  "bench-ratelimit": {"HealthCheckPath": "/health", "Instances": [$REGISTRY_INSTANCES],
    "RateLimit": {"PermitsPerSecond": 1000000, "Burst": 1000000}}
}
EOF

ETCD_URL=""
if ((START_ETCD)); then
    etcd_bin=$(command -v etcd || echo /usr/bin/etcd)
    [[ -x $etcd_bin ]] || die "START_ETCD=1 needs etcd on PATH or at /usr/bin/etcd (apt-get install etcd-server)"
    etcd_client=$(free_port 12379)
    etcd_peer=$(free_port $((etcd_client + 1)))
    ETCD_URL=http://127.0.0.1:$etcd_client
    log "starting etcd on $ETCD_URL (peer port $etcd_peer, CPU $SERVER_CPU)"
    (
        # etcd also takes its flags from ETCD_* variables (ETCD_ENDPOINTS and ETCD_PREFIX among them): none may reach it.
        unset $(compgen -e | grep '^ETCD_' || true)
        pinned "$SERVER_CPU" "$etcd_bin" --name bench --data-dir "$WORK/etcd-data" \
            --listen-client-urls "$ETCD_URL" --advertise-client-urls "$ETCD_URL" \
            --listen-peer-urls "http://127.0.0.1:$etcd_peer" --initial-advertise-peer-urls "http://127.0.0.1:$etcd_peer" \
            --initial-cluster "bench=http://127.0.0.1:$etcd_peer" --initial-cluster-state new
    ) >"$WORK/etcd-server.log" 2>&1 &
    ETCD_PID=$!
    PIDS+=("$ETCD_PID")
    wait_ready etcd-server "$ETCD_PID" "$ETCD_URL/health"
fi

declare -A TARGET_PID TARGET_URL TARGET_METRICS # TARGET_METRICS: the /metrics page of the gateways
TARGETS=()

start_gateway() { # name port dll [KEY=VALUE...]: the environment pairs come last and win
    local name=$1 port=$2 dll=$3 level=$GW_LOG_LEVEL others="" pair
    shift 3
    for pair in "$@"; do
        if [[ $pair == LOG_LEVEL=* ]]; then level=${pair#*=}; else others+=" $pair"; fi
    done
    log "starting $name on port $port (LOG_LEVEL=$level$others, CPU $SERVER_CPU)"
    (
        cd "$(dirname "$dll")"
        export GATEWAY_HOST=127.0.0.1 GATEWAY_PORT=$port LOG_LEVEL=$GW_LOG_LEVEL GATEWAY_REGISTRY_FILE=$WORK/registry.json
        if [[ -n $ETCD_URL ]]; then export ETCD_ENDPOINTS=$ETCD_URL; fi
        pinned "$SERVER_CPU" env "$@" dotnet "$dll"
    ) >"$WORK/$name.log" 2>&1 &
    TARGET_PID[$name]=$!
    TARGET_URL[$name]=http://127.0.0.1:$port/bench
    TARGET_METRICS[$name]=http://127.0.0.1:$port/metrics
    PIDS+=("$!")
    TARGETS+=("$name")
    wait_ready "$name" "$!" "http://127.0.0.1:$port/bench/json"
}

if ((GATEWAY_MAIN)); then
    start_gateway gateway "$GATEWAY_PORT" "$GATEWAY_DLL"
fi

log "starting yarp on port $YARP_PORT (CPU $SERVER_CPU)"
(
    cd "$(dirname "$YARP_DLL")"
    pinned "$SERVER_CPU" dotnet "$YARP_DLL" --port "$YARP_PORT" --backends "$BACKENDS"
) >"$WORK/yarp.log" 2>&1 &
TARGET_PID[yarp]=$!
TARGET_URL[yarp]=http://127.0.0.1:$YARP_PORT/bench
PIDS+=("$!")
TARGETS+=(yarp)
wait_ready yarp "${TARGET_PID[yarp]}" "http://127.0.0.1:$YARP_PORT/bench/json"

if ((INFO_RUN)); then
    start_gateway gateway-info "$GATEWAY_INFO_PORT" "$GATEWAY_DLL" LOG_LEVEL=Information
fi

for name in "${VARIANTS[@]}"; do
    read -r -a pairs <<<"${VARIANT_ENV[$name]}"
    start_gateway "$name" "${VARIANT_PORT[$name]}" "${VARIANT_DLL[$name]}" "${pairs[@]}"
done

# Peers: other proxies doing the same job with their usual production settings (keep-alive to the backends, one
# worker), and the backend on its own. Each is one process, so its CPU and RSS read like the .NET proxies'.
start_peer() { # name url command...
    local name=$1 url=$2
    shift 2
    log "starting $name (CPU $SERVER_CPU)"
    (pinned "$SERVER_CPU" "$@") >"$WORK/$name.log" 2>&1 &
    TARGET_PID[$name]=$!
    TARGET_URL[$name]=$url
    PIDS+=("$!")
    TARGETS+=("$name")
    wait_ready "$name" "$!" "$url/json"
}

for peer in $PEERS; do
    case $peer in
        nginx)
            # master_process off: the one process that serves is the one measured. proxy_buffering off streams
            # the body as the .NET proxies do, instead of spooling large answers to temporary files, through a
            # 64 KiB buffer as theirs.
            mkdir -p "$WORK/nginx-proxy"
            {
                echo "worker_processes 1;"
                echo "master_process off;"
                echo "daemon off;"
                echo "pid $WORK/nginx-proxy.pid;"
                echo "error_log $WORK/nginx-proxy-error.log warn;"
                echo "events { worker_connections 4096; }"
                echo "http {"
                echo "  access_log off;"
                echo "  keepalive_requests 1000000;"
                echo "  keepalive_timeout 120s;"
                echo "  upstream backends {"
                for port in "${BACKEND_PORTS[@]}"; do echo "    server 127.0.0.1:$port;"; done
                echo "    keepalive 128;"
                echo "  }"
                echo "  server {"
                echo "    listen 127.0.0.1:$NGINX_PROXY_PORT;"
                echo "    location /bench/ {"
                echo "      proxy_pass http://backends/;"
                echo "      proxy_http_version 1.1;"
                echo "      proxy_set_header Connection \"\";"
                echo "      proxy_buffering off;"
                echo "      proxy_buffer_size 64k;"
                echo "      proxy_busy_buffers_size 64k;"
                echo "      proxy_buffers 4 64k;"
                echo "    }"
                echo "  }"
                echo "}"
            } >"$WORK/nginx-proxy.conf"
            start_peer nginx "http://127.0.0.1:$NGINX_PROXY_PORT/bench" \
                nginx -p "$WORK/nginx-proxy" -e "$WORK/nginx-proxy-error.log" -c "$WORK/nginx-proxy.conf"
            ;;
        haproxy)
            {
                echo "global"
                echo "  nbthread 1"
                echo "  maxconn 8192"
                echo "defaults"
                echo "  mode http"
                echo "  timeout connect 5s"
                echo "  timeout client 60s"
                echo "  timeout server 60s"
                echo "  http-reuse always"
                echo "frontend bench"
                echo "  bind 127.0.0.1:$HAPROXY_PORT"
                echo "  default_backend backends"
                echo "backend backends"
                echo "  balance roundrobin"
                echo "  http-request replace-path /bench(/.*) \\1"
                for port in "${BACKEND_PORTS[@]}"; do echo "  server b$port 127.0.0.1:$port"; done
            } >"$WORK/haproxy.cfg"
            start_peer haproxy "http://127.0.0.1:$HAPROXY_PORT/bench" haproxy -db -f "$WORK/haproxy.cfg"
            ;;
        direct)
            # No proxy: wrk talks to the first backend. Its CPU per request and RSS are those of the nginx worker
            # that serves both backends (the master only starts it).
            worker=$(ps -o pid= --ppid "$NGINX_PID" | head -n 1 | tr -d ' ')
            [[ -n $worker ]] || die "no nginx worker under $NGINX_PID"
            TARGET_PID[direct]=$worker
            TARGET_URL[direct]=http://127.0.0.1:${BACKEND_PORTS[0]}
            TARGETS+=(direct)
            ;;
    esac
done

for target in "${TARGETS[@]}"; do
    for scenario in $SCENARIOS; do
        runs "$target" "$scenario" || continue
        header=$(scenario_header "$scenario")
        url=$(scenario_url "$target" "$scenario")
        code=$(curl -s -o /dev/null -w '%{http_code}' ${header:+-H "$header"} "$url")
        [[ $code == 200 ]] || die "$target answered $code for $url"
    done
done

run_wrk() { # target scenario seconds output
    local header
    header=$(scenario_header "$2")
    (pinned "$WRK_CPU" wrk -t1 -c"$CONNECTIONS" -d"${3}s" --timeout "$WRK_TIMEOUT" --latency ${header:+-H "$header"} "$(scenario_url "$1" "$2")") >"$4" 2>&1
}

alive() { kill -0 "${TARGET_PID[$1]}" 2>/dev/null || { tail -n 30 "$WORK/$1.log" >&2 || true; die "$1 died"; }; }

# ------------------------------------------------------------------------------------------------------- measuring
# The body must stream: a large download through a proxy should leave its memory where it was. Measured first, on
# processes that have served only the start-up checks, so that pools grown by the load rounds cannot hide growth.
declare -A XFER_AFTER XFER_PEAK XFER_OK
if ((TRANSFER_MB > 0)); then
    for target in "${TARGETS[@]}"; do
        pid=${TARGET_PID[$target]}
        before=$(status_kb "$pid" VmRSS)
        (
            peak=0
            while kill -0 "$pid" 2>/dev/null; do
                rss=$(status_kb "$pid" VmRSS 2>/dev/null || echo 0)
                ((rss > peak)) && peak=$rss
                echo "$peak" >"$WORK/peak-$target"
                [[ -e $WORK/stop-$target ]] && break
                sleep 0.05
            done
        ) &
        sampler=$!
        size=$(curl -s -o /dev/null -w '%{size_download} %{speed_download}' "${TARGET_URL[$target]}/big")
        touch "$WORK/stop-$target"
        wait "$sampler" || true
        after=$(status_kb "$pid" VmRSS)
        peak=$(<"$WORK/peak-$target")
        read -r bytes speed <<<"$size"
        XFER_OK[$target]=$([[ $bytes == $((TRANSFER_MB * 1024 * 1024)) ]] && echo ok || echo "SHORT ($bytes bytes)")
        XFER_AFTER[$target]=$(awk -v a="$after" -v b="$before" 'BEGIN { printf "%.1f", (a - b) / 1024 }')
        XFER_PEAK[$target]=$(awk -v a="$peak" -v b="$before" 'BEGIN { printf "%.1f", (a - b) / 1024 }')
        log "$TRANSFER_MB MB through $target: ${XFER_OK[$target]}, $(awk -v s="$speed" 'BEGIN { printf "%.0f", s / 1048576 }') MiB/s, RSS $(awk -v b="$before" 'BEGIN { printf "%.1f", b / 1024 }') MB before, +${XFER_AFTER[$target]} MB after, +${XFER_PEAK[$target]} MB at peak"
    done
fi

if ((WARMUP > 0)); then
    log "warming up: ${WARMUP}s per .NET target and scenario (at most 5 s for the peers, which have no JIT)"
    for target in "${TARGETS[@]}"; do
        seconds=$WARMUP
        case $target in nginx | haproxy | direct) ((seconds <= 5)) || seconds=5 ;; esac
        for scenario in $SCENARIOS; do
            runs "$target" "$scenario" || continue
            run_wrk "$target" "$scenario" "$seconds" "$OUT_DIR/raw/warmup-$target-$scenario.txt"
            alive "$target"
        done
    done
fi

DATA=$OUT_DIR/rounds.tsv
printf 'round\tscenario\ttarget\trequests\trps\tp50_ms\tp99_ms\terrors\tcpu_us_per_req\talloc_bytes_per_req\tgen0\tgen1\tgen2\n' >"$DATA"
ntargets=${#TARGETS[@]}
read -r -a SCENARIO_LIST <<<"$SCENARIOS"
nscenarios=${#SCENARIO_LIST[@]}
for ((round = 1; round <= ROUNDS; round++)); do
    # The paths rotate too: a path compared with another of the same round (json-jwt with json) must not always be
    # the one measured later, when the machine may have warmed up or got busier.
    for ((j = 0; j < nscenarios; j++)); do
        scenario=${SCENARIO_LIST[$(((j + round - 1) % nscenarios))]}
        # Rotate the order every round so that no target always runs first, or right after the same other one.
        for ((k = 0; k < ntargets; k++)); do
            target=${TARGETS[$(((k + round - 1) % ntargets))]}
            runs "$target" "$scenario" || continue
            pid=${TARGET_PID[$target]}
            raw=$OUT_DIR/raw/round$round-$target-$scenario.txt
            # The runtime's counters are read outside the CPU window, so that the scrapes' CPU is not counted; what
            # they allocate themselves (tens of KB) is, spread over the run's requests.
            counters_before=$(runtime_counters "${TARGET_METRICS[$target]:-}")
            before=$(cpu_ticks "$pid")
            run_wrk "$target" "$scenario" "$DURATION" "$raw"
            after=$(cpu_ticks "$pid")
            counters_after=$(runtime_counters "${TARGET_METRICS[$target]:-}")
            alive "$target"
            read -r requests rps p50 p99 errors < <(parse_wrk "$raw")
            cpu=$(awk -v t=$((after - before)) -v hz="$CLK_TCK" -v n="$requests" 'BEGIN { printf "%.1f", (n > 0 ? t / hz / n * 1e6 : 0) }')
            read -r alloc gen0 gen1 gen2 < <(runtime_delta "$counters_before" "$counters_after" "$requests")
            printf '%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "$scenario" "$target" "$requests" "$rps" "$p50" "$p99" "$errors" "$cpu" \
                "$alloc" "$gen0" "$gen1" "$gen2" >>"$DATA"
            gc=""
            [[ $alloc == - ]] || gc=", $alloc B allocated/req, GCs gen0 $gen0 gen1 $gen1 gen2 $gen2"
            log "round $round/$ROUNDS $scenario $target: $rps req/s, p50 ${p50} ms, p99 ${p99} ms, errors $errors, ${cpu} us CPU/req$gc"
        done
    done
done

declare -A PEAK_MB
for target in "${TARGETS[@]}"; do
    PEAK_MB[$target]=$(awk -v kb="$(status_kb "${TARGET_PID[$target]}" VmHWM)" 'BEGIN { printf "%.1f", kb / 1024 }')
done

# ---------------------------------------------------------------------------------------------------------- report
# Variants against the first one, round by round, and how much every target's own numbers moved between rounds.
report_variants() {
    local name pairs
    echo "Variants (port, dll, environment):"
    for name in "${VARIANTS[@]}"; do
        pairs=${VARIANT_ENV[$name]}
        printf '  %-14s %5s  %s%s\n' "$name" "${VARIANT_PORT[$name]}" "${VARIANT_DLL[$name]}" "${pairs:+  $pairs}"
    done
    if [[ -n $ETCD_URL ]]; then echo "  (every gateway had ETCD_ENDPOINTS=$ETCD_URL, the script's own etcd)"; fi
    awk -F'\t' -v ref="${VARIANTS[0]}" -v variants="${VARIANTS[*]}" -v targets="${TARGETS[*]}" -v scenarios="$PLAIN_SCENARIOS" -v rounds="$ROUNDS" '
        function sort(a, n,   i, j, t) {
            for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
        }
        function median(a, n) { return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
        NR > 1 {
            v[$1, $2, $3, "rps"] = $5; v[$1, $2, $3, "p50"] = $6; v[$1, $2, $3, "p99"] = $7; v[$1, $2, $3, "cpu"] = $9
            if ($10 ~ /^[0-9]/) v[$1, $2, $3, "alloc"] = $10
        }
        END {
            nv = split(variants, V, " "); nt = split(targets, T, " "); ns = split(scenarios, S, " ")
            split("rps cpu p50 p99 alloc", M, " "); split("req/s|CPU us/request|p50 ms|p99 ms|bytes/request", L, "|")
            if (nv > 1) {
                print ""
                print "Variants against " ref ": the ratio within each round, its median over rounds and its range"
                printf "%-6s %-16s %-24s %8s %17s  %s\n", "path", "metric", "ratio", "median", "lowest..highest", "per round"
                for (s = 1; s <= ns; s++) for (i = 2; i <= nv; i++) for (m = 1; m <= 5; m++) {
                    n = 0; per = ""
                    for (r = 1; r <= rounds; r++) {
                        if (v[r, S[s], ref, M[m]] > 0) {
                            x = v[r, S[s], V[i], M[m]] / v[r, S[s], ref, M[m]]
                            a[++n] = x; per = per sprintf(" %.3f", x)
                        } else per = per " -"
                    }
                    if (n == 0) continue
                    sort(a, n)
                    printf "%-6s %-16s %-24s %8.3f %17s  %s\n", S[s], L[m], V[i] "/" ref, median(a, n), sprintf("%.3f..%.3f", a[1], a[n]), substr(per, 2)
                }
            }
            print ""
            print "Noise: highest/lowest across rounds of each target'"'"'s own value (1.00 = every round alike)"
            hdr = sprintf("%-6s %-16s", "path", "metric")
            for (t = 1; t <= nt; t++) hdr = hdr sprintf(" %12s", T[t])
            print hdr
            for (s = 1; s <= ns; s++) for (m = 1; m <= 2; m++) {
                line = sprintf("%-6s %-16s", S[s], L[m])
                for (t = 1; t <= nt; t++) {
                    n = 0
                    for (r = 1; r <= rounds; r++) if ((r, S[s], T[t], M[m]) in v) a[++n] = v[r, S[s], T[t], M[m]]
                    sort(a, n)
                    line = line (n > 0 && a[1] > 0 ? sprintf(" %12.2f", a[n] / a[1]) : sprintf(" %12s", "-"))
                }
                print line
            }
        }' "$DATA"
}

# Each gateway's edge scenarios against its own json of the same round: CPU us/request more, and the ratios.
report_edge() {
    local gateways=() target
    for target in "${TARGETS[@]}"; do [[ -z ${TARGET_METRICS[$target]:-} ]] || gateways+=("$target"); done
    echo "Edge policies against the same gateway's json in the same round: median over rounds, and each round's +us"
    awk -F'\t' -v gateways="${gateways[*]}" -v scenarios="$SCENARIOS" -v edge="$EDGE_SCENARIOS" -v rounds="$ROUNDS" '
        function sort(a, n,   i, j, t) {
            for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
        }
        function median(a, n) { return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
        NR > 1 { cpu[$1, $2, $3] = $9; rps[$1, $2, $3] = $5 }
        END {
            ng = split(gateways, G, " "); ns = split(scenarios, S, " ")
            limit["json-jwt"] = 15; limit["json-ratelimit"] = 2
            printf "%-14s %-15s %12s %10s %10s  %s\n", "gateway", "scenario", "+CPU us/req", "CPU ratio", "rps ratio", "+CPU us/req per round"
            for (g = 1; g <= ng; g++) for (s = 1; s <= ns; s++) {
                if (index(" " edge " ", " " S[s] " ") == 0) continue
                n = 0; per = ""
                for (r = 1; r <= rounds; r++) {
                    if (!((r, "json", G[g]) in cpu) || !((r, S[s], G[g]) in cpu) || cpu[r, "json", G[g]] <= 0) { per = per " -"; continue }
                    n++
                    d[n] = cpu[r, S[s], G[g]] - cpu[r, "json", G[g]]
                    q[n] = cpu[r, S[s], G[g]] / cpu[r, "json", G[g]]
                    t[n] = rps[r, "json", G[g]] > 0 ? rps[r, S[s], G[g]] / rps[r, "json", G[g]] : 0
                    per = per sprintf(" %.1f", d[n])
                }
                if (n == 0) continue
                sort(d, n); sort(q, n); sort(t, n)
                printf "%-14s %-15s %12.1f %10.2f %10.2f  %s\n", G[g], S[s], median(d, n), median(q, n), median(t, n), substr(per, 2)
                if (G[g] == "gateway" && (S[s] in limit)) {
                    x = median(d, n)
                    printf "  %-4s %s CPU %.1f us/request more than json (target <= %d)\n", x <= limit[S[s]] ? "PASS" : "FAIL", S[s], x, limit[S[s]]
                }
            }
        }' "$DATA"
}

report() {
    echo "Proxy benchmark $STAMP"
    echo "machine: $(nproc) CPUs, $(uname -r); load average before the report: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "settings: ROUNDS=$ROUNDS DURATION=${DURATION}s WARMUP=${WARMUP}s wrk -t1 -c$CONNECTIONS --timeout $WRK_TIMEOUT --latency;" \
        "wrk on CPU $WRK_CPU, proxies and nginx on CPU $SERVER_CPU; gateway LOG_LEVEL=$GW_LOG_LEVEL"
    echo
    echo "Per round:"
    if command -v column >/dev/null; then column -t -s $'\t' "$DATA"; else cat "$DATA"; fi
    echo
    echo "Medians across rounds (errors: total). Ratio = median over rounds of gateway/yarp from the same round."
    echo "bytes/request and GCs/run (a run is ${DURATION} s): the runtime's counters on the gateways' /metrics, read before and after each run."
    [[ " $PEERS " != *" direct "* ]] || echo "direct: wrk straight at a backend; its CPU and RSS are the backend nginx worker's own."
    awk -F'\t' -v targets="${TARGETS[*]}" -v scenarios="$PLAIN_SCENARIOS" '
        function median(list,   n, a, i, j, t) {
            n = split(list, a, " ")
            for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
            if (n == 0) return ""
            return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
        }
        NR > 1 {
            key = $2 SUBSEP $3
            rps[key] = rps[key] " " $5; p50[key] = p50[key] " " $6; p99[key] = p99[key] " " $7
            cpu[key] = cpu[key] " " $9; err[key] += $8
            v[$1, $2, $3, "rps"] = $5; v[$1, $2, $3, "p50"] = $6; v[$1, $2, $3, "p99"] = $7; v[$1, $2, $3, "cpu"] = $9
            if ($10 ~ /^[0-9]/) {
                alloc[key] = alloc[key] " " $10; g0[key] = g0[key] " " $11; g1[key] = g1[key] " " $12; g2[key] = g2[key] " " $13
                v[$1, $2, $3, "alloc"] = $10
            }
            rounds[$1] = 1
        }
        function ratio(s, t, m,   r, list, x) {
            list = ""
            for (r in rounds) if (v[r, s, "yarp", m] > 0) list = list " " v[r, s, t, m] / v[r, s, "yarp", m]
            x = median(list)
            return x == "" ? "-" : sprintf("%.2f", x)
        }
        END {
            nt = split(targets, T, " "); ns = split(scenarios, S, " ")
            hdr = sprintf("%-6s %-16s", "path", "metric")
            for (i = 1; i <= nt; i++) hdr = hdr sprintf(" %12s", T[i])
            for (i = 1; i <= nt; i++) if (T[i] != "yarp") hdr = hdr sprintf(" %14s", T[i] "/yarp")
            print hdr
            split("rps p50 p99 cpu err alloc g0 g1 g2", M, " ")
            split("req/s|p50 ms|p99 ms|CPU us/request|errors|bytes/request|gen0 GCs/run|gen1 GCs/run|gen2 GCs/run", L, "|")
            for (s = 1; s <= ns; s++) for (m = 1; m <= 9; m++) {
                line = sprintf("%-6s %-16s", S[s], L[m])
                for (i = 1; i <= nt; i++) {
                    key = S[s] SUBSEP T[i]
                    if (M[m] == "rps") x = sprintf("%.0f", median(rps[key]))
                    else if (M[m] == "p50") x = sprintf("%.3f", median(p50[key]))
                    else if (M[m] == "p99") x = sprintf("%.3f", median(p99[key]))
                    else if (M[m] == "cpu") x = sprintf("%.1f", median(cpu[key]))
                    else if (M[m] == "err") x = err[key] + 0
                    # The runtime counters exist only for the gateways (from their /metrics page).
                    else if (M[m] == "alloc") x = alloc[key] == "" ? "-" : sprintf("%.0f", median(alloc[key]))
                    else if (M[m] == "g0") x = g0[key] == "" ? "-" : sprintf("%g", median(g0[key]))
                    else if (M[m] == "g1") x = g1[key] == "" ? "-" : sprintf("%g", median(g1[key]))
                    else x = g2[key] == "" ? "-" : sprintf("%g", median(g2[key]))
                    line = line sprintf(" %12s", x)
                }
                for (i = 1; i <= nt; i++) if (T[i] != "yarp") line = line sprintf(" %14s", M[m] ~ /^(err|g[012])$/ ? "-" : ratio(S[s], T[i], M[m]))
                print line
            }
        }' "$DATA"
    printf '%-6s %-16s' "all" "peak RSS MB"
    for target in "${TARGETS[@]}"; do printf ' %12s' "${PEAK_MB[$target]}"; done
    for target in "${TARGETS[@]}"; do
        [[ $target == yarp ]] || printf ' %14s' "$(awk -v a="${PEAK_MB[$target]}" -v b="${PEAK_MB[yarp]}" 'BEGIN { printf "%.2f", a / b }')"
    done
    echo
    if ((TRANSFER_MB > 0)); then
        printf '%-6s %-16s' "big" "${TRANSFER_MB}MB dRSS after"
        for target in "${TARGETS[@]}"; do printf ' %12s' "${XFER_AFTER[$target]}"; done
        echo
        printf '%-6s %-16s' "big" "${TRANSFER_MB}MB dRSS peak"
        for target in "${TARGETS[@]}"; do printf ' %12s' "${XFER_PEAK[$target]}"; done
        echo
    fi
    if ((GATEWAY_MAIN)); then
        echo
        echo "Targets (gateway at LOG_LEVEL=$GW_LOG_LEVEL against yarp):"
        awk -F'\t' -v scenarios="$PLAIN_SCENARIOS" -v peak="${PEAK_MB[gateway]}" -v xfer="${XFER_PEAK[gateway]:-}" -v xfer_after="${XFER_AFTER[gateway]:-}" -v duration="$DURATION" '
            function median(list,   n, a, i, j, t) {
                n = split(list, a, " ")
                for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
                return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
            }
            NR > 1 { v[$1, $2, $3, "rps"] = $5; v[$1, $2, $3, "p99"] = $7; v[$1, $2, $3, "cpu"] = $9; rounds[$1] = 1 }
            NR > 1 && $3 == "gateway" && $10 ~ /^[0-9]/ {
                alloc[$2] = alloc[$2] " " $10; gen1[$2] += $12; gen2[$2] += $13; seconds[$2] += duration
            }
            function ratio(s, m,   r, list) {
                list = ""
                for (r in rounds) if (v[r, s, "yarp", m] > 0) list = list " " v[r, s, "gateway", m] / v[r, s, "yarp", m]
                return median(list)
            }
            function check(ok, text) { printf "  %-4s %s\n", ok ? "PASS" : "FAIL", text }
            END {
                ns = split(scenarios, S, " ")
                for (s = 1; s <= ns; s++) {
                    x = ratio(S[s], "rps"); check(x >= 1.0, sprintf("%-5s req/s       gateway/yarp %.2f (target >= 1.00)", S[s], x))
                    x = ratio(S[s], "cpu"); check(x <= 1.0, sprintf("%-5s CPU/request gateway/yarp %.2f (target <= 1.00)", S[s], x))
                    x = ratio(S[s], "p99"); check(x <= 1.2, sprintf("%-5s p99         gateway/yarp %.2f (target <= 1.20)", S[s], x))
                }
                # The allocation budget, for the small requests, from the runtime counters on /metrics.
                if ("json" in alloc) {
                    x = median(alloc["json"]); check(x <= 6144, sprintf("json  allocated    %.0f B/request (target <= 6144)", x))
                    x = gen1["json"] * 5 / seconds["json"]; check(x <= 3, sprintf("json  gen1 GCs     %.1f per 5 s (target <= 3)", x))
                    check(gen2["json"] == 0, sprintf("json  gen2 GCs     %d in %d s of load (target 0)", gen2["json"], seconds["json"]))
                } else if (scenarios ~ /(^| )json( |$)/) {
                    print "  (no allocation figures: the gateway'"'"'s /metrics has no runtime counters; see runtime_counters)"
                }
                check(peak < 150, sprintf("peak RSS %.1f MB (target < 150 MB)", peak))
                if (xfer != "") {
                    x = xfer > xfer_after ? xfer : xfer_after
                    check(x < 30, sprintf("'"$TRANSFER_MB"' MB transfer raised RSS by %.1f MB at most (target < 30 MB)", x))
                }
            }' "$DATA"
    fi
    if [[ $SCENARIOS != "$PLAIN_SCENARIOS" ]]; then
        echo
        report_edge
    fi
    if ((${#VARIANTS[@]} > 0)); then
        echo
        report_variants
    fi
    echo
    echo "Raw wrk output: $OUT_DIR/raw/"
}

report | tee "$OUT_DIR/summary.txt"
for target in "${TARGETS[@]}"; do cp "$WORK/$target.log" "$OUT_DIR/$target.log" 2>/dev/null || true; done
# The Information run logs a line per request; keep only its tail.
if [[ -f $OUT_DIR/gateway-info.log ]]; then
    tail -n 200 "$OUT_DIR/gateway-info.log" >"$OUT_DIR/gateway-info.log.tail" && rm -f "$OUT_DIR/gateway-info.log"
fi
# So may a variant (LOG_LEVEL=Information among its settings): keep only the tail of a log over 1 MiB.
for name in "${VARIANTS[@]}"; do
    log_file=$OUT_DIR/$name.log
    if [[ -f $log_file ]] && (($(stat -c %s "$log_file") > 1048576)); then
        tail -n 200 "$log_file" >"$log_file.tail" && rm -f "$log_file"
    fi
done
log "results in $OUT_DIR"
