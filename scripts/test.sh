#!/usr/bin/env bash
# The test command (README, .ci/run): brings up PostgreSQL and NATS with JetStream where they are
# missing, then runs every test against them. On a fresh Debian/Ubuntu machine it installs them
# (apt-get, as root); otherwise it says what is missing and stops.
set -euo pipefail
cd "$(dirname "$0")/.."

PG_URL="${BERRY_TEST_PG:-postgres://postgres@127.0.0.1:5432/postgres}"
say() { printf 'test.sh: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else return 1; fi; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
pg_ok() { command -v psql >/dev/null && psql "$PG_URL" -Atqc 'select 1' >/dev/null 2>&1; }

apt_install() {
  command -v apt-get >/dev/null || return 1
  say "installing $* with apt-get"
  as_root apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@" >/dev/null
}

ensure_postgres() {
  pg_ok && return 0
  if ! command -v pg_ctlcluster >/dev/null; then
    apt_install postgresql postgresql-contrib || die "PostgreSQL is not running on 127.0.0.1:5432 and could not be installed (apt-get install postgresql)"
  fi
  if ! port_open 5432; then
    say "starting PostgreSQL"
    local v; v=$(ls /etc/postgresql | sort -V | tail -n 1)
    as_root pg_ctlcluster --skip-systemctl-redirect "$v" main start || die "could not start PostgreSQL $v"
    for _ in $(seq 50); do port_open 5432 && break; sleep 0.2; done
  fi
  if ! pg_ok && [ -z "${BERRY_TEST_PG:-}" ]; then
    # A fresh install asks for a password over TCP: give the test user one, used only here.
    say "setting a password for the postgres role (tests connect over TCP)"
    as_root su postgres -c "psql -qc \"ALTER USER postgres PASSWORD 'berry-test'\"" >/dev/null \
      || die "PostgreSQL runs but refuses postgres@127.0.0.1; set BERRY_TEST_PG to a superuser URL"
    PG_URL="postgres://postgres:berry-test@127.0.0.1:5432/postgres"
    export BERRY_TEST_PG="$PG_URL"
  fi
  pg_ok || die "PostgreSQL is not usable at ${PG_URL%%@*}@…; set BERRY_TEST_PG"
}

ensure_nats() {
  port_open 4222 && return 0
  if [ ! -x /usr/sbin/nats-server ] && ! command -v nats-server >/dev/null; then
    apt_install nats-server || die "NATS is not running on 127.0.0.1:4222 and could not be installed (apt-get install nats-server)"
  fi
  local bin; bin=$(command -v nats-server || echo /usr/sbin/nats-server)
  say "starting nats-server with JetStream"
  as_root mkdir -p /var/lib/nats-server
  as_root start-stop-daemon --start --oknodo --background --exec "$bin" -- -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server \
    || die "could not start nats-server"
  for _ in $(seq 50); do port_open 4222 && return 0; sleep 0.2; done
  die "nats-server did not come up on 127.0.0.1:4222"
}

command -v cargo >/dev/null || die "cargo is not installed (https://rustup.rs)"
command -v git >/dev/null || apt_install git || die "git is not installed"
ensure_postgres
ensure_nats
# The man pages are rendered with man(1) by a test; without it that test says SKIPPED.
command -v man >/dev/null || apt_install man-db groff-base || say "man(1) is missing: the man page rendering test is skipped"
exec cargo test --locked --features fault-injection "$@"
