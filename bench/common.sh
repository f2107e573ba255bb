# Helpers shared by the scripts in bench/, sourced by each. They expect WORK, the script's temporary
# directory, where each process started by name writes $WORK/<name>.log, and a function running_pids that prints
# the processes the script started and still runs.

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# Release builds of projects given relative to the repository (REPO), quietly; the first failure ends the script.
build_release() {
    local project
    for project; do
        dotnet build -c Release --nologo -v quiet "$REPO/$project" >/dev/null || die "$project: the Release build failed"
    done
}

port_free() { ! ss -Hltn "sport = :$1" | grep -q .; }

status_kb() { awk -v key="$2:" '$1 == key { print $2 }' "/proc/$1/status"; }

wait_ready() { # name pid url
    local i
    for ((i = 0; i < 120; i++)); do
        kill -0 "$2" 2>/dev/null || { tail -n 30 "$WORK/$1.log" >&2 || true; die "$1 exited during start-up"; }
        if [[ $(curl -s -o /dev/null -w '%{http_code}' "$3" || true) == 200 ]]; then
            return 0
        fi
        sleep 0.5
    done
    die "$1 did not answer 200 on $3 within 60 s"
}

# On exit, also on Ctrl-C: stops every process running_pids names, removes WORK, and keeps the script's exit status.
cleanup() {
    local status=$? pid pids
    trap - EXIT INT TERM
    pids=$(running_pids)
    for pid in $pids; do
        kill "$pid" 2>/dev/null || true
    done
    for pid in $pids; do
        wait "$pid" 2>/dev/null || true
    done
    if [[ -n $WORK && -d $WORK ]]; then
        rm -rf "$WORK"
    fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
