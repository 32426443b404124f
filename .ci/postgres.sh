#!/usr/bin/env bash
# Installs Debian's postgresql for the DuckLake and Prefect-on-PostgreSQL tests; a no-op when
# its binaries are there. The tests start their own server (initdb + pg_ctl in a tmp dir on a
# free port of 127.0.0.1); nothing here starts or enables a system service.
set -euo pipefail
if ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "postgres setup: no PostgreSQL and no apt-get; the PostgreSQL tests will be skipped" >&2
    exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        SUDO="sudo -n"
    else
        echo "postgres setup: not root and no sudo; install it yourself (apt-get install postgresql)" >&2
        exit 0
    fi
fi
export DEBIAN_FRONTEND=noninteractive
if ! { $SUDO apt-get update -qq && $SUDO apt-get install -y -qq --no-install-recommends postgresql >/dev/null; }; then
    echo "postgres setup: apt-get could not install postgresql" >&2
    [ -n "${CI:-}" ] && exit 1
    exit 0
fi
ls /usr/lib/postgresql/*/bin/pg_ctl
