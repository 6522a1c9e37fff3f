#!/usr/bin/env bash
# What the tests of `tekigo probe` need (crates/tekigo-cli/tests/probe.rs): iproute2 for
# network namespaces and openssl for the TLS servers of scripts/probe-lab.sh; the sshd,
# telnetd and httpd they start come from the images of 30-images.sh. Also qemu-system-x86
# for scripts/probe-image.sh (booting a device image and probing it). Idempotent.
set -euo pipefail
need=()
command -v ip >/dev/null || need+=(iproute2)
command -v openssl >/dev/null || need+=(openssl)
command -v qemu-system-x86_64 >/dev/null || need+=(qemu-system-x86)
if [ ${#need[@]} -eq 0 ]; then
    echo "80-probe: iproute2, openssl and qemu-system-x86 present"
    exit 0
fi
if [ "$(id -u)" != 0 ]; then
    echo "80-probe: not root, cannot install ${need[*]}; probe tests fail under CI=true" >&2
    exit 0
fi
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq \
    --no-install-recommends "${need[@]}" >/dev/null
echo "80-probe: installed ${need[*]}"
