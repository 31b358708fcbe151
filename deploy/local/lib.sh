# shellcheck shell=bash
# Shared helpers for ripple's local service scripts (kafka, dgraph,
# alertmanager, prometheus).
# Sourced, never run. Every service runs on loopback only, keeps a pid file,
# and writes its log to a file whose path is printed on failure.

RIPPLE_CACHE=${RIPPLE_CACHE:-$HOME/.cache/ripple}
RIPPLE_RUN=${RIPPLE_RUN:-$RIPPLE_CACHE/run}

say() { printf '%s: %s\n' "$SERVICE" "$*" >&2; }
die() { say "$*"; exit 1; }

# running PIDFILE: true when the pid in PIDFILE is a live process.
running() {
	local pid
	[ -f "$1" ] || return 1
	pid=$(cat "$1")
	[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null
}

# port_busy PORT: true when something listens on 127.0.0.1:PORT.
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# stop_pid PIDFILE NAME: stop the process we started (and only it), waiting
# up to 30 s for a clean exit before SIGKILL.
stop_pid() {
	local pidfile=$1 name=$2 pid i
	if ! running "$pidfile"; then
		rm -f "$pidfile"
		return 0
	fi
	pid=$(cat "$pidfile")
	kill -TERM "$pid" 2>/dev/null || true
	for i in $(seq 1 300); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		say "$name (pid $pid) did not stop in 30 s; killing it"
		kill -KILL "$pid" 2>/dev/null || true
		sleep 0.2
	fi
	rm -f "$pidfile"
	say "$name stopped"
}

# need_apt CMD PACKAGE...: install Debian packages when CMD is missing.
need_apt() {
	local cmd=$1
	shift
	command -v "$cmd" >/dev/null 2>&1 && return 0
	say "installing $* (needed for $cmd)"
	export DEBIAN_FRONTEND=noninteractive
	if [ ! -f "$RIPPLE_CACHE/.apt-updated" ]; then
		apt-get update -qq >&2 || die "apt-get update failed; install $* by hand"
		mkdir -p "$RIPPLE_CACHE" && touch "$RIPPLE_CACHE/.apt-updated"
	fi
	apt-get install -y -qq "$@" >&2 || die "apt-get install $* failed; install it by hand and retry"
}

# http_ready PORT: true when GET /-/ready on 127.0.0.1:PORT answers 200 (the
# readiness endpoint of Prometheus and Alertmanager), over bash's /dev/tcp
# (no curl to install).
http_ready() {
	timeout 3 bash -c '
		exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
		printf "GET /-/ready HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n" >&3
		head -n 1 <&3' _ "$1" 2>/dev/null | grep -q '^HTTP/1\.[01] 200'
}

# show_log FILE: the last lines of a service log, for failures.
show_log() {
	say "last lines of $1:"
	tail -n 40 "$1" >&2 || true
	say "full log: $1"
}
