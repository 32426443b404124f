#!/usr/bin/env bash
# Installs Debian's chromium for the report's browser test; a no-op when it is already there.
# The test drives this binary through Playwright; no browser is ever downloaded by Playwright.
set -euo pipefail
CHROMIUM=/usr/bin/chromium
if [ -x "$CHROMIUM" ]; then
    exit 0
fi
bash "$(dirname "$0")/apt-install.sh" browser chromium fonts-dejavu-core
if [ -x "$CHROMIUM" ]; then "$CHROMIUM" --version 2>/dev/null; fi
