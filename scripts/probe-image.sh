#!/usr/bin/env bash
# Boots a device image under QEMU and probes it from the outside with `tekigo probe`, the
# way CIP's CI boots its reference image and tests it (docs/probe.md). The guest's only
# network is a TAP interface inside a network namespace made for this run: the probe
# reaches the guest and nothing else, and the guest reaches nothing.
#
# usage: scripts/probe-image.sh [--kernel FILE --initrd FILE] [--guest-ip ADDR]
#                               [--tekigo BINARY] [-- PROBE ARGUMENTS...]
#
#   --kernel, --initrd  the image to boot. The initrd's init must bring up eth0 with
#                       --guest-ip (the kernel command line carries
#                       `tekigo.ip=ADDR/24`). Default: a demonstration device built from
#                       the scanner's `busybox` test image (dropbear SSH, telnetd, httpd,
#                       root/root) and the kernel of Debian's linux-image-cloud-amd64.
#   --guest-ip          default 192.168.76.2 (the host side of the TAP is .1)
#   --tekigo            default target/debug/tekigo (cargo build -p tekigo-cli first)
#   PROBE ARGUMENTS     passed to `tekigo probe --target GUEST-IP` (default:
#                       --ports 1-1024 --format junit -o probe-junit.xml)
#
# Exit code: the probe's (0 all pass, 1 findings, 2 error), or 2 when the image did not
# boot within 120 s (the serial console is kept in $work/console.log and printed).
# Needs root, qemu-system-x86, iproute2; the default image needs the images of scripts/setup/30-images.sh.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
cache=${TEKIGO_CACHE_DIR:-$HOME/.cache/tekigo}
kernel="" initrd="" guest_ip=192.168.76.2 tekigo=$repo/target/debug/tekigo
while [ $# -gt 0 ]; do
    case $1 in
        --kernel) kernel=$2; shift 2 ;;
        --initrd) initrd=$2; shift 2 ;;
        --guest-ip) guest_ip=$2; shift 2 ;;
        --tekigo) tekigo=$2; shift 2 ;;
        --) shift; break ;;
        *) echo "probe-image: unknown argument $1 (see the header of $0)" >&2; exit 2 ;;
    esac
done
probe_args=("$@")
[ ${#probe_args[@]} -gt 0 ] || probe_args=(--ports 1-1024 --format junit -o probe-junit.xml)
[ "$(id -u)" = 0 ] || { echo "probe-image: needs root (namespace, TAP)" >&2; exit 2; }
command -v qemu-system-x86_64 >/dev/null || { echo "probe-image: qemu-system-x86_64 missing (apt-get install qemu-system-x86)" >&2; exit 2; }
[ -x "$tekigo" ] || { echo "probe-image: $tekigo missing (cargo build -p tekigo-cli)" >&2; exit 2; }

work=$(mktemp -d)
ns=tkimg$$
qemu_pid=""
cleanup() {
    [ -n "$qemu_pid" ] && kill "$qemu_pid" 2>/dev/null || true
    ip netns del "$ns" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

# The demonstration device: the BusyBox image as an initramfs, with the virtio network
# driver of the kernel it boots and an init that starts its services.
demo_image() {
    local kdir=$cache/probe-image/kernel
    if [ ! -f "$kdir/.complete" ]; then
        mkdir -p "$kdir"
        (cd "$work" && apt-get download -q linux-image-cloud-amd64 >/dev/null 2>&1 &&
            dep=$(dpkg-deb -f linux-image-cloud-amd64_*.deb Depends | grep -o 'linux-image-[^ ,]*-cloud-amd64' | head -n1) &&
            apt-get download -q "$dep" >/dev/null 2>&1) ||
            { echo "probe-image: apt-get download of the kernel failed (apt-get update first)" >&2; exit 2; }
        rm -rf "$kdir/x"
        dpkg-deb -x "$(ls "$work"/linux-image-6*.deb | head -n1)" "$kdir/x"
        cp "$kdir"/x/boot/vmlinuz-* "$kdir/vmlinuz"
        touch "$kdir/.complete"
    fi
    local img
    img=${TEKIGO_IMAGES_DIR:-$cache/images/$("$here/images/key.sh")}/busybox
    [ -f "$img/.tekigo-image-complete" ] || { echo "probe-image: $img missing: run scripts/setup/30-images.sh" >&2; exit 2; }
    local root=$work/initramfs
    cp -a "$img" "$root"
    mkdir -p "$root/lib/modules"
    local m
    local modules="virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci failover net_failover virtio_net"
    for m in $modules; do
        find "$kdir/x/lib/modules" -name "$m.ko*" -exec cp {} "$root/lib/modules/" \;
    done
    # dropbear from Debian's dropbear-bin needs its libraries, which the BusyBox image
    # (made for static scanning) does not carry: libtom* from their packages, the rest
    # from this Debian host.
    if [ ! -f "$cache/probe-image/libs/.complete" ]; then
        mkdir -p "$cache/probe-image/libs"
        (cd "$work" && apt-get download -q libtomcrypt1 libtommath1 >/dev/null 2>&1) ||
            { echo "probe-image: apt-get download libtomcrypt1 libtommath1 failed" >&2; exit 2; }
        for deb in "$work"/libtom*.deb; do dpkg-deb -x "$deb" "$cache/probe-image/libs"; done
        touch "$cache/probe-image/libs/.complete"
    fi
    cp -a "$cache/probe-image/libs/usr" "$root/"
    local lib
    for lib in /lib/x86_64-linux-gnu/libz.so.1 /lib/x86_64-linux-gnu/libcrypt.so.1 /lib/x86_64-linux-gnu/libgmp.so.10 \
        /lib/x86_64-linux-gnu/libc.so.6 /lib64/ld-linux-x86-64.so.2; do
        mkdir -p "$root$(dirname "$lib")"
        cp -L "$lib" "$root$lib"
    done
    for m in "$root"/lib/modules/*.ko.xz; do [ -e "$m" ] && xz -d "$m"; done
    cat >"$root/init" <<'EOF'
#!/bin/sh
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts && mount -t devpts devpts /dev/pts
for m in virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci failover net_failover virtio_net; do
    [ -f /lib/modules/$m.ko ] && insmod /lib/modules/$m.ko
done
ip=$(sed -n 's/.*tekigo\.ip=\([^ ]*\).*/\1/p' /proc/cmdline)
ifconfig lo 127.0.0.1 up
ifconfig eth0 ${ip%/*} netmask 255.255.255.0 up
hostname device-1
mkdir -p /etc/dropbear
/usr/sbin/dropbear -R -B
/usr/sbin/telnetd -l /bin/login
/usr/sbin/httpd -h /etc
echo "tekigo-probe-image: services up on ${ip%/*}"
exec /bin/sh
EOF
    chmod 755 "$root/init"
    # BusyBox of the image itself writes the cpio archive: no cpio package needed.
    (cd "$root" && find . | "$img/bin/busybox" cpio -o -H newc 2>/dev/null | gzip -1) >"$work/initrd.gz"
    kernel=$kdir/vmlinuz
    initrd=$work/initrd.gz
}

if [ -z "$kernel" ]; then
    demo_image
fi
[ -f "$kernel" ] && [ -f "$initrd" ] || { echo "probe-image: --kernel and --initrd must name files" >&2; exit 2; }

ip netns add "$ns"
ip -n "$ns" link set lo up
ip -n "$ns" tuntap add dev tap0 mode tap
ip -n "$ns" addr add "${guest_ip%.*}.1/24" dev tap0
ip -n "$ns" link set tap0 up
# TCG by default: a small kernel boots in seconds, and KVM under nested virtualisation
# (CI machines are virtual) hangs or aborts on some hosts. TEKIGO_QEMU_ACCEL=kvm uses KVM.
accel=(-machine "accel=${TEKIGO_QEMU_ACCEL:-tcg}")
ip netns exec "$ns" qemu-system-x86_64 "${accel[@]}" -m 512 -nographic -no-reboot \
    -kernel "$kernel" -initrd "$initrd" \
    -append "console=ttyS0 panic=-1 tekigo.ip=$guest_ip/24" \
    -netdev tap,id=n0,ifname=tap0,script=no,downscript=no -device virtio-net-pci,netdev=n0 \
    -serial "file:$work/console.log" -monitor none -display none </dev/null >/dev/null 2>&1 &
qemu_pid=$!

booted=false
deadline=$((SECONDS + 120))
while [ $SECONDS -lt $deadline ]; do
    if timeout 2 ip netns exec "$ns" bash -c "exec 3<>/dev/tcp/$guest_ip/22" 2>/dev/null; then
        booted=true
        break
    fi
    kill -0 "$qemu_pid" 2>/dev/null || break
    sleep 0.5
done
if [ "$booted" = false ]; then
    echo "probe-image: the guest did not open port 22 within 120 s; console:" >&2
    tail -n 40 "$work/console.log" >&2 || true
    cp "$work/console.log" "${TMPDIR:-/tmp}/probe-image-console.log" 2>/dev/null || true
    exit 2
fi
echo "probe-image: booted, probing $guest_ip" >&2
status=0
ip netns exec "$ns" "$tekigo" probe --target "$guest_ip" "${probe_args[@]}" || status=$?
exit "$status"
