#!/usr/bin/env sh
# nginx (the reverse proxy in deploy/nginx/, started by tests/test_proxy.py) and wrk (make
# benchmark-http), from Debian's packages, where they are missing and can be installed.
# Without them the proxy test is skipped (it fails instead under REQUIRE_POSTGRES=1, as in CI).
set -eu

missing=""
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing="$missing nginx-light"
command -v wrk >/dev/null 2>&1 || missing="$missing wrk"
[ -z "$missing" ] && exit 0

if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    # The package's own service is not wanted: the tests and the benchmark start nginx with
    # their own configuration, as the user who runs them.
    apt-get update -qq
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
else
    echo "Not installed and cannot be installed here:$missing. The proxy test will be skipped" \
        "and make benchmark-http cannot run."
fi
