#!/usr/bin/env bash
# Builds the root filesystems the scanner's integration tests run against, as directories:
#
#   minbase   Debian bookworm, `debootstrap --variant=minbase`, exactly as shipped.
#   hardened  minbase plus real packages installed with apt in a chroot and configured the
#             way a careful device maker would: pam_faillock, pwquality, auditd with rules,
#             chrony with NTS, nftables default-drop, sshd hardening with a banner, ...
#   busybox   a BusyBox system as small devices ship it, from Debian's busybox-static and
#             dropbear-bin packages, with the mistakes such images carry (a root password
#             printed in /etc/issue, root/root, a root shell on the serial console, a
#             public test key as the update-signing key).
#
# usage: scripts/images/build.sh [DEST]
#        (as root; needs debootstrap, apt, dpkg-deb, openssl, mkpasswd from whois)
# DEST defaults to ${TEKIGO_CACHE_DIR:-$HOME/.cache/tekigo}/images/KEY where KEY is printed by
# key.sh: a hash of this directory, so the images are rebuilt only when this script changes.
# A finished image directory holds a file `.tekigo-image-complete`; a half-built one is
# removed and built again.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
dest=${1:-${TEKIGO_CACHE_DIR:-$HOME/.cache/tekigo}/images/$("$here/key.sh")}
suite=bookworm

if [ "$(id -u)" != 0 ]; then
    echo "build.sh: must run as root (debootstrap, chroot)" >&2
    exit 2
fi

# The Debian mirror apt already uses on this machine: no other network is reachable.
mirror() {
    local m=""
    if compgen -G "/etc/apt/sources.list.d/*.sources" >/dev/null; then
        m=$(awk '/^URIs:/ {print $2}' /etc/apt/sources.list.d/*.sources |
            grep -v -- '-security' | grep -E '/debian/?$' | head -n1 || true)
    fi
    if [ -z "$m" ] && [ -f /etc/apt/sources.list ]; then
        m=$(sed -E 's/\[[^]]*\]//' /etc/apt/sources.list |
            awk -v s="$suite" '$1=="deb" && $3==s {print $2; exit}')
    fi
    echo "${m:-http://deb.debian.org/debian}"
}

done_mark=.tekigo-image-complete
mkdir -p "$dest"
work=$(mktemp -d "$dest/.work.XXXXXX")
mounted=()
cleanup() {
    for m in "${mounted[@]}"; do umount -l "$m" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT

finish() { # NAME DIR: mark complete and move into place
    touch "$2/$done_mark"
    rm -rf "${dest:?}/$1"
    mv "$2" "$dest/$1"
    echo "built $dest/$1"
}

build_minbase() {
    local r=$work/minbase
    debootstrap --variant=minbase "$suite" "$r" "$(mirror)" >"$work/debootstrap.log" 2>&1 || {
        tail -n 30 "$work/debootstrap.log" >&2
        return 1
    }
    rm -rf "$r/var/cache/apt/archives/"*.deb
    finish minbase "$r"
}

in_chroot() { chroot "$1" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive "${@:2}"; }

build_hardened() {
    local r=$work/hardened
    cp -a "$dest/minbase" "$r"
    rm -f "$r/$done_mark"
    mount -t proc proc "$r/proc" && mounted+=("$r/proc")
    cp /etc/resolv.conf "$r/etc/resolv.conf" 2>/dev/null || true
    # No service may start inside the chroot.
    printf '#!/bin/sh\nexit 101\n' >"$r/usr/sbin/policy-rc.d"
    chmod 755 "$r/usr/sbin/policy-rc.d"
    in_chroot "$r" apt-get update -q >"$work/apt.log" 2>&1
    in_chroot "$r" apt-get install -y -q --no-install-recommends \
        systemd-sysv libpam-pwquality auditd audispd-plugins chrony nftables openssh-server \
        sudo apparmor ca-certificates rsyslog rsyslog-gnutls aide aide-common \
        >>"$work/apt.log" 2>&1 || {
        tail -n 40 "$work/apt.log" >&2
        return 1
    }

    mkdir -p "$r"/etc/{modprobe.d,sysctl.d,profile.d,security/limits.d,rsyslog.d,sudoers.d} \
        "$r"/etc/systemd/{journald.conf.d,system.conf.d}
    # PAM: lock out after 5 failures in every auth path, no nullok, quality and history.
    cat >"$r/etc/pam.d/common-auth" <<'EOF'
# tekigo hardened image: pam_faillock around pam_unix, no nullok.
auth	required			pam_faillock.so preauth
auth	[success=1 default=ignore]	pam_unix.so
auth	[default=die]			pam_faillock.so authfail
auth	sufficient			pam_faillock.so authsucc
auth	requisite			pam_deny.so
auth	required			pam_permit.so
EOF
    cat >"$r/etc/pam.d/common-account" <<'EOF'
account	required			pam_faillock.so
account	[success=1 new_authtok_reqd=done default=ignore]	pam_unix.so
account	requisite			pam_deny.so
account	required			pam_permit.so
EOF
    cat >"$r/etc/pam.d/common-password" <<'EOF'
password	requisite			pam_pwquality.so retry=3
password	required			pam_pwhistory.so remember=5 use_authtok
password	[success=1 default=ignore]	pam_unix.so obscure use_authtok try_first_pass yescrypt
password	requisite			pam_deny.so
password	required			pam_permit.so
EOF
    cat >"$r/etc/security/faillock.conf" <<'EOF'
# tekigo hardened image
deny = 5
fail_interval = 900
unlock_time = 900
even_deny_root
root_unlock_time = 900
audit
EOF
    cat >"$r/etc/security/pwquality.conf" <<'EOF'
# tekigo hardened image
minlen = 12
minclass = 3
maxrepeat = 3
dictcheck = 1
enforce_for_root
EOF
    sed -i -E 's/^#\s*(auth\s+required\s+pam_wheel\.so)\s*$/\1/' "$r/etc/pam.d/su"
    sed -i -E 's/^(PASS_MAX_DAYS\s+).*/\190/; s/^(PASS_MIN_DAYS\s+).*/\11/; s/^(UMASK\s+).*/\1027/' \
        "$r/etc/login.defs"

    # sshd: a drop-in read before the main file's own values (first value wins).
    cat >"$r/etc/ssh/sshd_config.d/10-tekigo-hardening.conf" <<'EOF'
PermitRootLogin no
PermitEmptyPasswords no
PasswordAuthentication no
KbdInteractiveAuthentication no
MaxAuthTries 3
LoginGraceTime 30
ClientAliveInterval 300
ClientAliveCountMax 2
Banner /etc/issue.net
X11Forwarding no
LogLevel VERBOSE
Ciphers chacha20-poly1305@openssh.com,aes256-gcm@openssh.com,aes128-gcm@openssh.com,aes256-ctr,aes128-ctr
MACs hmac-sha2-512-etm@openssh.com,hmac-sha2-256-etm@openssh.com
KexAlgorithms sntrup761x25519-sha512@openssh.com,curve25519-sha256,curve25519-sha256@libssh.org
PubkeyAcceptedAlgorithms ssh-ed25519,ecdsa-sha2-nistp256,rsa-sha2-512,rsa-sha2-256

Match Address 192.0.2.0/24
    MaxAuthTries 2
EOF
    # Host keys are made on first boot, never shipped: every device would share them.
    rm -f "$r"/etc/ssh/ssh_host_*
    : >"$r/etc/machine-id"

    local banner='Authorised use only. Activity on this device is monitored and logged.'
    printf '%s\n' "$banner" >"$r/etc/issue"
    printf '%s\n' "$banner" >"$r/etc/issue.net"
    printf '%s\n' "$banner" >"$r/etc/motd"

    # Audit: rules for the event categories, log kept and rotated, failures reported.
    cat >"$r/etc/audit/rules.d/50-tekigo.rules" <<'EOF'
-w /etc/passwd -p wa -k identity
-w /etc/shadow -p wa -k identity
-w /etc/group -p wa -k identity
-w /etc/gshadow -p wa -k identity
-w /etc/sudoers -p wa -k privilege
-w /etc/sudoers.d/ -p wa -k privilege
-w /etc/audit/ -p wa -k auditconfig
-w /etc/localtime -p wa -k time-change
-a always,exit -F arch=b64 -S adjtimex,settimeofday,clock_settime -k time-change
-w /var/log/lastlog -p wa -k logins
-w /var/run/faillock -p wa -k logins
-a always,exit -F arch=b64 -S open,openat,truncate,ftruncate -F exit=-EACCES -F auid>=1000 -F auid!=unset -k access
-a always,exit -F arch=b64 -S open,openat,truncate,ftruncate -F exit=-EPERM -F auid>=1000 -F auid!=unset -k access
-a always,exit -F arch=b64 -S init_module,finit_module,delete_module -k modules
-a always,exit -F arch=b64 -S execve -F euid=0 -F auid>=1000 -F auid!=unset -k privileged
-e 2
EOF
    sed -i -E 's/^(max_log_file\s*=).*/\1 32/; s/^(num_logs\s*=).*/\1 10/; s/^(log_group\s*=).*/\1 root/' \
        "$r/etc/audit/auditd.conf"
    sed -i -E 's/^(active\s*=).*/\1 yes/' "$r/etc/audit/plugins.d/syslog.conf"

    # Time: authenticated NTS sources only.
    sed -i -E 's/^(pool .*)$/# \1/' "$r/etc/chrony/chrony.conf"
    cat >"$r/etc/chrony/sources.d/tekigo.sources" <<'EOF'
server time.cloudflare.com iburst nts
server nts.netnod.se iburst nts
EOF

    cat >"$r/etc/nftables.conf" <<'EOF'
#!/usr/sbin/nft -f
flush ruleset
table inet filter {
	chain input {
		type filter hook input priority filter; policy drop;
		ct state established,related accept
		ct state invalid drop
		iif "lo" accept
		meta l4proto icmp icmp type echo-request limit rate 10/second accept
		meta l4proto ipv6-icmp accept
		tcp dport 22 ct state new limit rate 15/minute accept
	}
	chain forward {
		type filter hook forward priority filter; policy drop;
	}
	chain output {
		type filter hook output priority filter; policy accept;
	}
}
EOF
    in_chroot "$r" systemctl enable nftables.service chrony.service auditd.service >>"$work/apt.log" 2>&1

    cat >"$r/etc/sysctl.d/90-tekigo.conf" <<'EOF'
net.ipv4.ip_forward = 0
net.ipv4.tcp_syncookies = 1
net.ipv4.icmp_echo_ignore_broadcasts = 1
net.ipv4.conf.all.rp_filter = 1
net.ipv4.conf.default.rp_filter = 1
net.ipv4.conf.all.accept_redirects = 0
net.ipv4.conf.default.accept_redirects = 0
net.ipv6.conf.all.accept_redirects = 0
net.ipv4.conf.all.accept_source_route = 0
net.ipv4.conf.all.send_redirects = 0
kernel.randomize_va_space = 2
kernel.sysrq = 0
kernel.kptr_restrict = 2
kernel.dmesg_restrict = 1
kernel.yama.ptrace_scope = 1
fs.protected_symlinks = 1
fs.protected_hardlinks = 1
fs.suid_dumpable = 0
vm.panic_on_oom = 0
EOF
    cat >"$r/etc/modprobe.d/tekigo-blacklist.conf" <<'EOF'
install usb-storage /bin/false
install cramfs /bin/false
install udf /bin/false
install dccp /bin/false
install sctp /bin/false
install rds /bin/false
install tipc /bin/false
install bluetooth /bin/false
EOF
    cat >>"$r/etc/fstab" <<'EOF'
tmpfs /tmp tmpfs defaults,nosuid,nodev,noexec,size=128M 0 0
tmpfs /dev/shm tmpfs defaults,nosuid,nodev,noexec 0 0
EOF
    cat >"$r/etc/profile.d/tmout.sh" <<'EOF'
TMOUT=900
readonly TMOUT
export TMOUT
EOF
    cat >"$r/etc/security/limits.d/tekigo.conf" <<'EOF'
*	hard	maxlogins	4
*	hard	nproc		512
*	hard	core		0
EOF
    cat >"$r/etc/systemd/journald.conf.d/tekigo.conf" <<'EOF'
[Journal]
Storage=persistent
SystemMaxUse=200M
SystemKeepFree=500M
EOF
    cat >"$r/etc/systemd/system.conf.d/tekigo-watchdog.conf" <<'EOF'
[Manager]
RuntimeWatchdogSec=30s
RebootWatchdogSec=10min
EOF
    cat >"$r/etc/sudoers.d/tekigo" <<'EOF'
Defaults	logfile=/var/log/sudo.log
Defaults	log_input,log_output
Defaults	use_pty
EOF
    chmod 440 "$r/etc/sudoers.d/tekigo"
    cat >"$r/etc/rsyslog.d/60-remote.conf" <<'EOF'
global(DefaultNetstreamDriver="gtls" DefaultNetstreamDriverCAFile="/etc/ssl/certs/ca-certificates.crt")
action(type="omfwd" target="logs.example.invalid" port="6514" protocol="tcp"
       StreamDriver="gtls" StreamDriverMode="1" StreamDriverAuthMode="x509/name"
       StreamDriverPermittedPeers="logs.example.invalid")
EOF

    # One human account with a strong random password (yescrypt), to be changed at first login.
    in_chroot "$r" useradd -m -s /bin/bash -N -g users -G sudo operator
    # Hashed on the host (mkpasswd from Debian's whois): chpasswd in the chroot would go
    # through the pwquality dictionary check, whose dictionary is not built in a chroot.
    printf 'operator:%s\n' "$(mkpasswd -m yescrypt "$(head -c 18 /dev/urandom | base64)")" |
        in_chroot "$r" chpasswd -e
    in_chroot "$r" chage -d 0 operator

    rm -f "$r/usr/sbin/policy-rc.d" "$r/etc/resolv.conf"
    in_chroot "$r" apt-get clean
    rm -rf "$r/var/lib/apt/lists/"*
    umount "$r/proc"
    mounted=()
    finish hardened "$r"
}

build_busybox() {
    local r=$work/busybox debs=$work/debs
    mkdir -p "$debs" "$r"
    (cd "$debs" && apt-get download -q busybox-static dropbear-bin ovmf >/dev/null 2>&1) || {
        echo "build.sh: apt-get download failed (run apt-get update first)" >&2
        return 1
    }
    for deb in "$debs"/*.deb; do dpkg-deb -x "$deb" "$debs/x"; done
    mkdir -p "$r"/{bin,sbin,usr/bin,usr/sbin,etc/init.d,etc/swupdate,etc/dropbear,root,home/admin,tmp,proc,sys,dev,var/log,run}
    chmod 1777 "$r/tmp"
    chmod 700 "$r/root"
    install -m 755 "$debs/x/bin/busybox" "$r/bin/busybox"
    local applet
    for applet in $("$r/bin/busybox" --list-full); do
        [ "$applet" = bin/busybox ] || [ -e "$r/$applet" ] || ln -s /bin/busybox "$r/$applet"
    done
    install -m 755 "$debs/x/usr/sbin/dropbear" "$r/usr/sbin/dropbear"
    # The update-signing key is the public OVMF "snakeoil" test key (a known test key).
    install -m 644 "$debs/x/usr/share/ovmf/PkKek-1-snakeoil.pem" "$r/etc/swupdate/public.pem"

    cat >"$r/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/usr/sbin:/bin/false
admin:x:1000:1000:admin:/home/admin:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
EOF
    cat >"$r/etc/group" <<'EOF'
root:x:0:
daemon:x:1:
admin:x:1000:
nogroup:x:65534:
EOF
    {
        echo "root:$(openssl passwd -1 -salt tekigo1 root):19000:0:99999:7:::"
        echo "daemon:*:19000:0:99999:7:::"
        echo "admin:$(openssl passwd -6 -salt tekigoadminsalt admin):19000:0:99999:7:::"
        echo "nobody:*:19000:0:99999:7:::"
    } >"$r/etc/shadow"
    chmod 600 "$r/etc/shadow"
    chown 1000:1000 "$r/home/admin"
    cat >"$r/etc/inittab" <<'EOF'
::sysinit:/etc/init.d/rcS
ttyS0::respawn:/sbin/getty -n -l /bin/sh -L 115200 ttyS0 vt100
tty1::respawn:/sbin/getty 38400 tty1
::respawn:/usr/sbin/telnetd -F -l /bin/login
::ctrlaltdel:/sbin/reboot
::shutdown:/bin/umount -a -r
EOF
    cat >"$r/etc/init.d/rcS" <<'EOF'
#!/bin/sh
mount -t proc proc /proc
mount -t sysfs sysfs /sys
for s in /etc/init.d/S*; do [ -x "$s" ] && "$s" start; done
EOF
    cat >"$r/etc/init.d/S50dropbear" <<'EOF'
#!/bin/sh
# Dropbear SSH server: -B allows logins with a blank password.
DROPBEAR_ARGS="-B -R"
case "$1" in
    start) /usr/sbin/dropbear $DROPBEAR_ARGS ;;
    stop) killall dropbear ;;
esac
EOF
    chmod 755 "$r/etc/init.d/rcS" "$r/etc/init.d/S50dropbear"
    printf 'Welcome to the debug build\nlogin: root  password: root\n' >"$r/etc/issue"
    printf 'proc /proc proc defaults 0 0\n' >"$r/etc/fstab"
    printf 'device-1\n' >"$r/etc/hostname"
    finish busybox "$r"
}

for name in minbase hardened busybox; do
    if [ -f "$dest/$name/$done_mark" ]; then
        echo "up to date: $dest/$name"
        continue
    fi
    "build_$name"
done
