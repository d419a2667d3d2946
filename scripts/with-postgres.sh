#!/usr/bin/env bash
# with-postgres.sh: runs a command beside a throwaway PostgreSQL server.
#
#   scripts/with-postgres.sh COMMAND [ARGS...]
#   scripts/with-postgres.sh cargo test --test postgres
#
# Makes a new cluster in a temporary directory (initdb from Debian's postgresql
# package), starts it on a free port on 127.0.0.1 with its Unix socket in that
# directory, runs the command with the server described in the environment, then
# stops the server and deletes the directory, whatever happened: success, failure,
# Ctrl-C or SIGTERM. The script exits with the command's status.
#
# The command sees libpq's usual variables, so `psql` works inside it too:
#   PGHOST      the directory holding the server's Unix socket (.s.PGSQL.$PGPORT)
#   PGPORT      the TCP port on 127.0.0.1 (and the socket's number)
#   PGUSER      the superuser; trusted over the socket, password over TCP
#   PGPASSWORD  its password (SCRAM-SHA-256 over TCP)
#   PGDATABASE  postgres
# and EVLOOP_POSTGRES=1, which tells evloop's tests that this server is theirs to use.
#
# PostgreSQL refuses to run as root, so as root (as CI runs) the server runs as the
# unprivileged `postgres` user the package creates, or as a system user made for it.
# PG_BINDIR overrides where initdb and pg_ctl are looked for.
set -euo pipefail

if [ $# -eq 0 ]; then
    echo "usage: $0 COMMAND [ARGS...]" >&2
    exit 2
fi

bindir=${PG_BINDIR:-}
if [ -z "$bindir" ]; then
    # The newest installed major version.
    bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
fi
if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
    echo "with-postgres.sh: no initdb in /usr/lib/postgresql/*/bin (apt-get install postgresql, or set PG_BINDIR)" >&2
    exit 1
fi

# Who runs the server, and how to run a command as them.
if [ "$(id -u)" -eq 0 ]; then
    server_user=postgres
    if ! id "$server_user" >/dev/null 2>&1; then
        server_user=evloop-pg
        id "$server_user" >/dev/null 2>&1 ||
            useradd --system --no-create-home --shell /usr/sbin/nologin "$server_user"
    fi
    as_server() { (cd / && runuser -u "$server_user" -- "$@"); }
else
    server_user=$(id -un)
    as_server() { (cd / && "$@"); }
fi

dir=$(mktemp -d /tmp/evloop-postgres.XXXXXX)
data="$dir/data"
socket_dir="$dir/socket"
log="$dir/server.log"
password=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')

command_pid=""
cleanup() {
    local status=$?
    trap - EXIT INT TERM
    # Stopped by a signal while the command runs: stop the command first.
    if [ -n "$command_pid" ] && kill -0 "$command_pid" 2>/dev/null; then
        kill -TERM "$command_pid" 2>/dev/null || true
        wait "$command_pid" 2>/dev/null || true
    fi
    if [ -f "$data/postmaster.pid" ]; then
        as_server "$bindir/pg_ctl" -D "$data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

mkdir "$socket_dir"
printf '%s\n' "$password" >"$dir/password"
chown -R "$server_user" "$dir"
chmod 700 "$dir"

as_server "$bindir/initdb" --pgdata="$data" --username=evloop --pwfile="$dir/password" \
    --auth-local=trust --auth-host=scram-sha-256 --encoding=UTF8 --locale=C \
    --no-sync --no-instructions >"$dir/initdb.log" 2>&1 ||
    { cat "$dir/initdb.log" >&2; exit 1; }
rm "$dir/password"

# A free port: ask the kernel for one, then start the server on it. Another process
# may take it in between, so a failed start is tried again on a new port.
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null ||
        echo $((20000 + RANDOM % 30000))
}

started=""
for _ in 1 2 3 4 5; do
    port=$(free_port)
    # fsync and friends off: the cluster lives for one command and nobody needs it
    # to survive a crash.
    if as_server "$bindir/pg_ctl" -D "$data" -l "$log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $socket_dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
        start >/dev/null; then
        started=yes
        break
    fi
done
if [ -z "$started" ]; then
    echo "with-postgres.sh: the server did not start; its log:" >&2
    cat "$log" >&2 || true
    exit 1
fi

echo "with-postgres.sh: PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on 127.0.0.1:$port and $socket_dir (run as $server_user)" >&2
export PGHOST="$socket_dir" PGPORT="$port" PGUSER=evloop PGPASSWORD="$password" PGDATABASE=postgres
export EVLOOP_POSTGRES=1
# Not exec, and in the background: the traps must run when the command ends, and at
# once when this script is told to stop (bash runs a trap only after the foreground
# command returns, but interrupts `wait`).
"$@" &
command_pid=$!
status=0
wait "$command_pid" || status=$?
command_pid=""
exit "$status"
