#!/usr/bin/env bash
# A device to probe, made of real services in a network namespace of its own that has only
# a loopback interface: nothing in it can reach, or be reached from, any other network.
# The tests of `tekigo probe`, its benchmark and docs/probe.md use it.
#
#   scripts/probe-lab.sh up NAME SERVICE:PORT...    start the namespace NAME and the services
#   scripts/probe-lab.sh down NAME                  stop them and delete the namespace
#   ip netns exec NAME tekigo probe --target 127.0.0.1 ...
#
# Services (the images are the scanner's test root filesystems, scripts/setup/30-images.sh;
# each runs chrooted in an overlay of its image, in a private mount namespace, so the
# cached image is never written):
#   sshd-good  OpenSSH of the `hardened` image as shipped (pam_faillock deny=5, a banner,
#              strong algorithms), with password logins on so that lockout can be tested
#   sshd-bad   the same OpenSSH with the mistakes devices ship: root/root and admin/admin,
#              no lockout, no banner, CBC, SHA-1 MACs, group14-sha1 and ssh-rsa
#   telnet     BusyBox telnetd of the `busybox` image (root/root, a notice in /etc/issue.net)
#   http       BusyBox httpd serving a login form over plain HTTP
#   tls-weak   openssl s_server -tls1 with SECLEVEL 0 and a 1024-bit RSA, SHA-1 certificate
#   tls-strong openssl s_server, TLS 1.2 and 1.3 only, EC P-256, SHA-256, SAN 127.0.0.1
# Both sshd services have the account `operator` with the password in
# $STATE/NAME/operator.password (for --ssh-user operator --ssh-password-file).
#
# Needs root, iproute2, openssl, and the images. State: ${TEKIGO_LAB_DIR:-/run/tekigo-probe-lab}/NAME.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
state_root=${TEKIGO_LAB_DIR:-/run/tekigo-probe-lab}

die() { echo "probe-lab: $*" >&2; exit 2; }

images() {
    if [ -n "${TEKIGO_IMAGES_DIR:-}" ]; then
        echo "$TEKIGO_IMAGES_DIR"
    else
        echo "${TEKIGO_CACHE_DIR:-$HOME/.cache/tekigo}/images/$("$here/images/key.sh")"
    fi
}

# Runs a command in the namespace, detached, with its own private mount namespace; records
# its process id.
spawn() { # NAME LOG COMMAND...
    local name=$1 log=$2
    shift 2
    setsid ip netns exec "$name" unshare --mount --propagation private "$@" \
        </dev/null >>"$log" 2>&1 &
    echo $! >>"$state_root/$name/pids"
}

# Mounts an overlay of IMAGE at DIR/root with /proc, a minimal /dev and a private devpts;
# prints the shell commands (run inside the private mount namespace).
overlay_cmds() { # IMAGE DIR
    local img=$1 d=$2
    cat <<EOF
set -e
mount -t overlay overlay -o lowerdir=$img,upperdir=$d/upper,workdir=$d/work $d/root
mount -t proc proc $d/root/proc
mount -t tmpfs -o mode=755 tmpfs $d/root/dev
mknod -m 666 $d/root/dev/null c 1 3; mknod -m 666 $d/root/dev/zero c 1 5
mknod -m 666 $d/root/dev/random c 1 8; mknod -m 666 $d/root/dev/urandom c 1 9
mknod -m 666 $d/root/dev/tty c 5 0
mkdir $d/root/dev/pts
mount -t devpts -o newinstance,ptmxmode=0666,mode=620 devpts $d/root/dev/pts
ln -s pts/ptmx $d/root/dev/ptmx
mount -t tmpfs tmpfs $d/root/run
mkdir -p $d/root/run/sshd
EOF
}

hash() { openssl passwd -6 -salt "$(openssl rand -hex 8)" "$1"; }

start_sshd() { # NAME PORT KIND
    local name=$1 port=$2 kind=$3 img
    img=$(images)/hardened
    [ -f "$img/.tekigo-image-complete" ] || die "image $img missing: run scripts/setup/30-images.sh"
    local d=$state_root/$name/sshd-$port
    mkdir -p "$d"/{upper,work,root}
    mkdir -p "$d/upper/etc/ssh/sshd_config.d" "$d/upper/etc/pam.d"
    local pw
    pw=$(cat "$state_root/$name/operator.password")
    {
        echo "PasswordAuthentication yes"
        echo "KbdInteractiveAuthentication no"
        echo "UsePAM yes"
        if [ "$kind" = bad ]; then
            echo "PermitRootLogin yes"
            echo "MaxAuthTries 10"
            echo "Banner none"
            echo "Ciphers aes128-cbc,aes256-cbc,aes128-ctr,aes256-ctr,aes256-gcm@openssh.com"
            echo "MACs hmac-sha1,hmac-sha2-256,hmac-sha2-512"
            echo "KexAlgorithms diffie-hellman-group14-sha1,curve25519-sha256"
            echo "HostKeyAlgorithms ssh-rsa,rsa-sha2-256,rsa-sha2-512,ssh-ed25519"
            echo "PubkeyAcceptedAlgorithms ssh-rsa,rsa-sha2-256,ssh-ed25519"
        fi
    } >"$d/upper/etc/ssh/sshd_config.d/00-probe-lab.conf"
    if [ "$kind" = bad ]; then
        # No lockout: pam_unix alone.
        printf 'auth\t[success=1 default=ignore]\tpam_unix.so nullok\nauth\trequisite\tpam_deny.so\nauth\trequired\tpam_permit.so\n' \
            >"$d/upper/etc/pam.d/common-auth"
        printf 'account\t[success=1 new_authtok_reqd=done default=ignore]\tpam_unix.so\naccount\trequisite\tpam_deny.so\naccount\trequired\tpam_permit.so\n' \
            >"$d/upper/etc/pam.d/common-account"
    fi
    {
        echo "operator:$(hash "$pw")"
        if [ "$kind" = bad ]; then
            echo "root:$(hash root)"
            echo "admin:$(hash admin)"
        fi
    } >"$d/users"
    local setup
    setup="$(overlay_cmds "$img" "$d")
chroot $d/root /usr/bin/ssh-keygen -A >/dev/null
$( if [ "$kind" = bad ]; then echo "chroot $d/root /usr/sbin/useradd -m -s /bin/bash admin"; fi )
chroot $d/root /usr/sbin/chpasswd -e <$d/users
chroot $d/root /usr/bin/chage -d \$(date +%F) operator
$( if [ "$kind" = good ]; then echo "printf 'TMOUT=5\nreadonly TMOUT\nexport TMOUT\n' >$d/root/etc/profile.d/tmout.sh"; fi )
exec chroot $d/root /usr/sbin/sshd -D -e -p $port -o ListenAddress=127.0.0.1"
    spawn "$name" "$d/log" sh -c "$setup"
}

start_telnet() { # NAME PORT
    local name=$1 port=$2 img
    img=$(images)/busybox
    [ -f "$img/.tekigo-image-complete" ] || die "image $img missing: run scripts/setup/30-images.sh"
    local d=$state_root/$name/telnet-$port
    mkdir -p "$d"/{upper,work,root} "$d/upper/etc"
    printf 'Authorised use only. Activity on this device is monitored.\n' >"$d/upper/etc/issue.net"
    mkdir -p "$d/upper/run"
    spawn "$name" "$d/log" sh -c "$(overlay_cmds "$img" "$d")
exec chroot $d/root /usr/sbin/telnetd -F -p $port -b 127.0.0.1 -l /bin/login"
}

start_http() { # NAME PORT
    local name=$1 port=$2 img
    img=$(images)/busybox
    [ -f "$img/.tekigo-image-complete" ] || die "image $img missing: run scripts/setup/30-images.sh"
    local d=$state_root/$name/http-$port
    mkdir -p "$d"/{upper,work,root} "$d/upper/www" "$d/upper/run"
    cat >"$d/upper/www/index.html" <<'EOF'
<html><body><h1>Device configuration</h1>
<form method="post" action="/login">User <input name="user"> Password <input type="password" name="pass"></form>
</body></html>
EOF
    spawn "$name" "$d/log" sh -c "$(overlay_cmds "$img" "$d")
exec chroot $d/root /usr/sbin/httpd -f -p 127.0.0.1:$port -h /www"
}

start_tls() { # NAME PORT KIND
    local name=$1 port=$2 kind=$3
    local d=$state_root/$name/tls-$port
    mkdir -p "$d"
    if [ "$kind" = weak ]; then
        openssl req -x509 -newkey rsa:1024 -sha1 -nodes -days 30 -subj /CN=weak-device \
            -keyout "$d/key.pem" -out "$d/cert.pem" 2>/dev/null
        spawn "$name" "$d/log" openssl s_server -accept "127.0.0.1:$port" -cert "$d/cert.pem" \
            -key "$d/key.pem" -tls1 -cipher 'DEFAULT:@SECLEVEL=0' -www -quiet
    else
        openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -sha256 -nodes -days 365 \
            -subj /CN=device -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
            -keyout "$d/key.pem" -out "$d/cert.pem" 2>/dev/null
        spawn "$name" "$d/log" openssl s_server -accept "127.0.0.1:$port" -cert "$d/cert.pem" \
            -key "$d/key.pem" -min_protocol TLSv1.2 -www -quiet
    fi
}

wait_port() { # NAME PORT
    local i
    for i in $(seq 1 100); do
        if ip netns exec "$1" bash -c "exec 3<>/dev/tcp/127.0.0.1/$2" 2>/dev/null; then
            return 0
        fi
        sleep 0.2
    done
    echo "probe-lab: port $2 did not open; logs:" >&2
    tail -n 20 "$state_root/$1"/*/log >&2 || true
    return 1
}

up() {
    local name=$1
    shift
    [ "$(id -u)" = 0 ] || die "must run as root (network namespaces, mounts, chroot)"
    [[ $name =~ ^[a-z0-9-]{1,20}$ ]] || die "namespace name: 1-20 of a-z 0-9 -"
    ip netns add "$name" || die "cannot create the network namespace $name"
    mkdir -p "$state_root/$name"
    : >"$state_root/$name/pids"
    ip -n "$name" link set lo up
    openssl rand -hex 12 >"$state_root/$name/operator.password"
    chmod 600 "$state_root/$name/operator.password"
    local s
    for s in "$@"; do
        local kind=${s%%:*} port=${s#*:}
        [[ $port =~ ^[0-9]+$ ]] || die "$s: write SERVICE:PORT"
        case $kind in
            sshd-good) start_sshd "$name" "$port" good ;;
            sshd-bad) start_sshd "$name" "$port" bad ;;
            telnet) start_telnet "$name" "$port" ;;
            http) start_http "$name" "$port" ;;
            tls-weak) start_tls "$name" "$port" weak ;;
            tls-strong) start_tls "$name" "$port" strong ;;
            *) die "unknown service $kind" ;;
        esac
    done
    for s in "$@"; do
        wait_port "$name" "${s#*:}" || { down "$name"; exit 2; }
    done
    echo "ready: ip netns exec $name ... (operator password in $state_root/$name/operator.password)"
}

down() {
    local name=$1 pid
    if [ -f "$state_root/$name/pids" ]; then
        while read -r pid; do
            kill -- "-$pid" 2>/dev/null || kill "$pid" 2>/dev/null || true
        done <"$state_root/$name/pids"
    fi
    # Whatever still runs in the namespace was started by this lab (it is ours alone).
    if ip netns list | grep -qw "^$name"; then
        for pid in $(ip netns pids "$name" 2>/dev/null); do kill -9 "$pid" 2>/dev/null || true; done
        ip netns del "$name" 2>/dev/null || true
    fi
    rm -rf "${state_root:?}/$name"
}

case ${1:-} in
    up) [ $# -ge 2 ] || die "usage: $0 up NAME SERVICE:PORT..."; up "${@:2}" ;;
    down) [ $# -eq 2 ] || die "usage: $0 down NAME"; down "$2" ;;
    *) die "usage: $0 up NAME SERVICE:PORT... | down NAME" ;;
esac
