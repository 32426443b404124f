#!/usr/bin/env bash
# Installs Debian packages for a test that needs a system program: apt-install.sh WHAT PACKAGE...
# Without apt-get or root the tests that need it skip; on CI (CI set) a failed install is an error.
set -euo pipefail
WHAT=$1
shift
if ! command -v apt-get >/dev/null 2>&1; then
    echo "$WHAT setup: no apt-get; the tests that need $WHAT will be skipped" >&2
    exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        SUDO="sudo -n"
    else
        echo "$WHAT setup: not root and no sudo; install it yourself (apt-get install $*)" >&2
        exit 0
    fi
fi
export DEBIAN_FRONTEND=noninteractive
if ! { $SUDO apt-get update -qq && $SUDO apt-get install -y -qq --no-install-recommends "$@" >/dev/null; }; then
    echo "$WHAT setup: apt-get could not install $*" >&2
    [ -n "${CI:-}" ] && exit 1
    exit 0
fi
