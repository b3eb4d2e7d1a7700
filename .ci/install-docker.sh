#!/usr/bin/env bash
# Make a Docker engine and Buildah available for the end-to-end tests
# (tests/integration/docker.rs, tests/integration/buildah.rs).
#
# Idempotent: installs Debian's docker.io only when `dockerd` is missing, and
# Debian's buildah only when `buildah` is missing, quietly.
# The tests start their own private dockerd (vfs storage, no network, a socket in a
# temporary directory); nothing here starts a service. The tests use the newest
# `docker` client on PATH: the machine image ships Docker CLI 28 in /usr/local/bin,
# while docker.io brings CLI 20.10, whose classic builder uses the older matcher.
set -euo pipefail

have_dockerd() {
    command -v dockerd >/dev/null 2>&1 || [ -x /usr/sbin/dockerd ] || [ -x /sbin/dockerd ]
}

if ! have_dockerd; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "install-docker: dockerd is missing and we are not root; cannot install docker.io" >&2
        exit 1
    fi
    echo "install-docker: installing docker.io (apt)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends docker.io >/dev/null
fi

if ! command -v buildah >/dev/null 2>&1; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "install-docker: buildah is missing and we are not root; cannot install it" >&2
        exit 1
    fi
    echo "install-docker: installing buildah (apt)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends buildah >/dev/null
fi
echo "install-docker: $(buildah --version)"

dockerd_bin=$(command -v dockerd || echo /usr/sbin/dockerd)
echo "install-docker: dockerd: $("$dockerd_bin" --version)"
# Every docker client on PATH, newest wins in the tests.
IFS=: read -r -a path_dirs <<<"$PATH"
seen=""
for d in "${path_dirs[@]}"; do
    c="$d/docker"
    [ -x "$c" ] || continue
    real=$(readlink -f "$c")
    case " $seen " in *" $real "*) continue ;; esac
    seen="$seen $real"
    echo "install-docker: client $c: $("$c" --version)"
done
