#!/usr/bin/env bash
# Installs Debian's postgresql for the DuckLake and Prefect-on-PostgreSQL tests; a no-op when
# its binaries are there. The tests start their own server (initdb + pg_ctl in a tmp dir on a
# free port of 127.0.0.1); nothing here starts or enables a system service.
set -euo pipefail
if ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then
    exit 0
fi
bash "$(dirname "$0")/apt-install.sh" postgres postgresql
ls /usr/lib/postgresql/*/bin/pg_ctl 2>/dev/null || true
