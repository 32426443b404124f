#!/usr/bin/env bash
# Installs Debian's chromium for the report's browser test; a no-op when it is already there.
# The test drives this binary through Playwright; no browser is ever downloaded by Playwright.
set -euo pipefail
CHROMIUM=/usr/bin/chromium
if [ -x "$CHROMIUM" ]; then
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "browser setup: no $CHROMIUM and no apt-get; the browser test will be skipped" >&2
    exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        SUDO="sudo -n"
    else
        echo "browser setup: not root and no sudo; install chromium yourself (apt-get install chromium)" >&2
        exit 0
    fi
fi
export DEBIAN_FRONTEND=noninteractive
if ! { $SUDO apt-get update -qq && $SUDO apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null; }; then
    # On CI a missing browser is an error; on a laptop without apt access the test skips.
    echo "browser setup: apt-get could not install chromium" >&2
    [ -n "${CI:-}" ] && exit 1
    exit 0
fi
"$CHROMIUM" --version 2>/dev/null
