#!/usr/bin/env bash
# vm.sh: the privileged suite on cgroup v2 kernels, in QEMU virtual machines.
#
#   tests/vm/vm.sh fetch               download Debian's 6.1 and 6.12 kernels (once; cached)
#   tests/vm/vm.sh run BUILD_DIR       boot each kernel twice (a plain init, then systemd) and
#                                      run the suite of BUILD_DIR in every cgroup placement
#   tests/vm/vm.sh shell BUILD_DIR [KERNEL]   a shell in the VM, for debugging
#   tests/vm/vm.sh exec BUILD_DIR KERNEL SCRIPT  runs a script in the VM (a benchmark), prints
#                                      its output and powers off
#
# How: no KVM is needed; QEMU emulates the CPU (TCG). The kernel is Debian's package, only
# unpacked; a small initramfs (busybox and the 9p, virtio and overlay modules) mounts this
# machine's / read-only over 9p with a tmpfs on top and switches into it, so the VM runs the
# very binaries and tests of the build, on a kernel booted with cgroup_no_v1=all (cgroup v2
# only). No network (-nic none). Kernels are cached in GAVEL_VM_CACHE (/var/cache/gavel-vm),
# fetched with apt-get from Debian's archive through a private sources list: the system's
# apt configuration is left as it is.
#
# Settings: GAVEL_VM_KERNELS ("6.1 6.12"), GAVEL_VM_PLACES (all; e.g. "root,login": only those), GAVEL_VM_TIME_FACTOR (4: language and compile
# time limits inside the VM, which runs several times slower than the host; the product's
# defaults are untouched), GAVEL_VM_MEMORY_MB (3072).
# Exit: 0 passed, 1 failed, 77 cannot run here (no QEMU, no root): a failure under CI=true.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SRC=$(cd "$HERE/../.." && pwd)
CACHE=${GAVEL_VM_CACHE:-/var/cache/gavel-vm}
KERNELS=${GAVEL_VM_KERNELS:-6.1 6.12}
FACTOR=${GAVEL_VM_TIME_FACTOR:-4}
MEMORY=${GAVEL_VM_MEMORY_MB:-3072}

say() { printf 'vm: %s\n' "$*" >&2; }
# Cannot run here: skipped on a developer's machine, a failure in CI.
cannot() {
    say "cannot run the cgroup v2 VM leg: $*"
    if [ -n "${CI:-}" ]; then exit 1; fi
    exit 77
}

# apt-get and apt-cache on Debian's archive only, with lists of their own under the cache.
APT_DIR=$CACHE/apt
apt_private() {
    local tool=$1
    shift
    "$tool" -o Dir::Etc::SourceList="$APT_DIR/sources.list" -o Dir::Etc::SourceParts=/dev/null \
        -o Dir::State::Lists="$APT_DIR/lists" -o Dir::Cache="$APT_DIR/cache" \
        -o Dir::State::status=/var/lib/dpkg/status -o APT::Default-Release=bookworm "$@"
}

# The versioned kernel package of a series: 6.1 is bookworm's, 6.12 bookworm-backports'.
kernel_package() {
    local suite=bookworm
    [ "$1" = 6.1 ] || suite=bookworm-backports
    apt_private apt-cache -t "$suite" depends linux-image-amd64 2>/dev/null |
        sed -n 's/^ *Depends: \(linux-image-[0-9].*-amd64\)$/\1/p' | head -n 1
}

# The modules the initramfs loads, dependencies first.
MODULES="virtio virtio_ring virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci netfs fscache
         9pnet 9pnet_virtio 9p overlay"

# Unpacks one kernel package into $CACHE/<series>: vmlinuz, and the modules above,
# decompressed, in load order (those built into this kernel are absent).
unpack_kernel() {
    local series=$1 deb=$2 dir tmp m f
    dir=$CACHE/$series
    tmp=$(mktemp -d "$CACHE/unpack.XXXXXX")
    dpkg-deb -x "$deb" "$tmp"
    rm -rf "$dir.new"
    mkdir -p "$dir.new/modules"
    cp "$tmp"/boot/vmlinuz-* "$dir.new/vmlinuz"
    : >"$dir.new/modules/order"
    for m in $MODULES; do
        f=$(find "$tmp/lib/modules" -name "$m.ko" -o -name "$m.ko.xz" | head -n 1)
        [ -n "$f" ] || continue
        case $f in
        *.xz) xz -dc "$f" >"$dir.new/modules/$m.ko" ;;
        *) cp "$f" "$dir.new/modules/$m.ko" ;;
        esac
        echo "$m" >>"$dir.new/modules/order"
    done
    basename "$deb" >"$dir.new/package"
    rm -rf "$tmp" "$dir"
    mv "$dir.new" "$dir"
}

cmd_fetch() {
    local series pkg deb
    [ "$(id -u)" -eq 0 ] || cannot "fetching kernels needs root (apt-get)"
    mkdir -p "$APT_DIR/lists/partial" "$APT_DIR/cache/archives/partial"
    cat >"$APT_DIR/sources.list" <<'EOF'
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bookworm main
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bookworm-backports main
EOF
    for series in $KERNELS; do
        [ -s "$CACHE/$series/vmlinuz" ] && continue
        if [ -z "$(find "$APT_DIR/lists" -name '*Packages*' -mmin -1440 2>/dev/null | head -n 1)" ]
        then
            apt_private apt-get update -qq >/dev/null || cannot "apt-get update failed"
        fi
        pkg=$(kernel_package "$series")
        [ -n "$pkg" ] || cannot "no Debian kernel package found for $series"
        say "downloading $pkg"
        (cd "$APT_DIR" && apt_private apt-get download -qq "$pkg" >/dev/null) ||
            cannot "cannot download $pkg"
        deb=$(ls "$APT_DIR/$pkg"_*.deb | head -n 1)
        unpack_kernel "$series" "$deb"
        rm -f "$deb"
    done
}

# The initramfs of one kernel: busybox, the modules, and init (tests/vm/init).
build_initramfs() {
    local series=$1 dir=$CACHE/$1 tmp out
    out=$dir/initrd.gz
    if [ -s "$out" ] && [ "$out" -nt "$HERE/init" ] && [ "$out" -nt /bin/busybox ]; then
        return 0
    fi
    tmp=$(mktemp -d)
    mkdir -p "$tmp"/{bin,dev,proc,sys,host,rw,new,modules}
    cp /bin/busybox "$tmp/bin/busybox"
    cp "$HERE/init" "$tmp/init"
    chmod 755 "$tmp/init"
    cp "$dir"/modules/* "$tmp/modules/"
    (cd "$tmp" && find . | cpio -o -H newc --quiet | gzip -6) >"$out.new"
    mv "$out.new" "$out"
    rm -rf "$tmp"
}

# boot SERIES MODE LOG [placements]: one VM until it powers off; its console goes to LOG.
boot() {
    local series=$1 mode=$2 log=$3 places=${4:-}
    local append="console=ttyS0 panic=-1 quiet loglevel=3 gavel.mode=$mode"
    # cgroup v2 only; GAVEL_VM_CGROUP=v1 (vm.sh exec): v1 hierarchies, to compare like for like.
    if [ "${GAVEL_VM_CGROUP:-v2}" = v1 ]; then
        append+=" gavel.cgroup=v1"
    else
        append+=" cgroup_no_v1=all"
    fi
    append+=" gavel.src=$SRC gavel.build=$BUILD gavel.factor=$FACTOR gavel.places=$places"
    append+=" gavel.ci=${CI:+1} gavel.kernel=$series"
    [ "$mode" = systemd ] && append+=" systemd.unit=gavel-vm.target systemd.show_status=0"
    nice -n 10 timeout 700 qemu-system-x86_64 -machine q35 -accel tcg,thread=multi -cpu max \
        -smp 2 -m "$MEMORY" -kernel "$CACHE/$series/vmlinuz" -initrd "$CACHE/$series/initrd.gz" \
        -append "$append" -display none -monitor none -serial stdio -no-reboot -nic none \
        -virtfs local,path=/,mount_tag=host,security_model=none,readonly=on,multidevs=remap \
        </dev/null 2>&1 | tr -d '\r' >"$log" || true
}

# True when a placement of this boot is wanted (GAVEL_VM_PLACES, or all).
mode_wanted() {
    local p places=,${GAVEL_VM_PLACES:-root,service,container,scope,login},
    for p in root service container; do
        [ "$1" = plain ] && [[ $places == *",$p,"* ]] && return 0
    done
    for p in scope login; do
        [ "$1" = systemd ] && [[ $places == *",$p,"* ]] && return 0
    done
    return 1
}

check_can_run() {
    [ "$(id -u)" -eq 0 ] || cannot "needs root"
    command -v qemu-system-x86_64 >/dev/null || cannot "qemu-system-x86_64 missing (apt-get install qemu-system-x86)"
    [ -x /bin/busybox ] || cannot "busybox missing (apt-get install busybox-static)"
    [ -x "$BUILD/bin/gavel-run" ] || cannot "no build in $BUILD"
}

cmd_run() {
    BUILD=$(cd "${1:?usage: vm.sh run BUILD_DIR}" && pwd)
    check_can_run
    cmd_fetch
    local logs series mode t0 t1 status=0 total0
    logs=$BUILD/vm-logs
    mkdir -p "$logs"
    # What it prints goes to the summary too, which `gavel.sh test` shows after ctest.
    exec 2> >(tee "$logs/summary.txt" >&2)
    exec 1>&2
    total0=$(date +%s)
    for series in $KERNELS; do
        build_initramfs "$series"
        for mode in plain systemd; do
            local log=$logs/$series-$mode.log
            mode_wanted $mode || continue
            t0=$(date +%s)
            boot "$series" "$mode" "$log" "${GAVEL_VM_PLACES:-}"
            t1=$(date +%s)
            # The guest prints one line per placement: GAVEL-VM: <placement> <pass|fail> <s>.
            if ! grep -q '^GAVEL-VM: done' "$log"; then
                say "Linux $series ($(cat "$CACHE/$series/package")), $mode boot: did not finish" \
                    "($((t1 - t0)) s); the end of its console:"
                tail -n 60 "$log" | sed 's/^/    /' >&2
                status=1
                continue
            fi
            grep '^GAVEL-VM: placement' "$log" | while read -r _ _ place result secs detail; do
                printf 'vm: Linux %-5s %-8s boot, %-22s %-4s %4s s %s\n' "$series" "$mode" \
                    "$place" "$result" "$secs" "$detail"
            done
            local place
            for place in $(sed -n 's/^GAVEL-VM: placement \([^ ]*\) fail .*/\1/p' "$log"); do
                status=1
                say "$place failed on Linux $series; the end of its output (all of it in $log):"
                grep "^\[$place\] " "$log" | tail -n 80 | sed 's/^/    /' >&2
            done
            say "Linux $series $mode boot: $((t1 - t0)) s in all"
        done
    done
    say "cgroup v2 leg: $(($(date +%s) - total0)) s; $([ $status -eq 0 ] && echo passed || echo FAILED)"
    exit $status
}

cmd_shell() {
    BUILD=$(cd "${1:?usage: vm.sh shell BUILD_DIR [KERNEL]}" && pwd)
    local series=${2:-6.12}
    check_can_run
    cmd_fetch
    build_initramfs "$series"
    exec qemu-system-x86_64 -machine q35 -accel tcg,thread=multi -cpu max -smp 2 -m "$MEMORY" \
        -kernel "$CACHE/$series/vmlinuz" -initrd "$CACHE/$series/initrd.gz" \
        -append "console=ttyS0 cgroup_no_v1=all panic=-1 quiet gavel.mode=shell gavel.src=$SRC gavel.build=$BUILD" \
        -nographic -no-reboot -nic none \
        -virtfs local,path=/,mount_tag=host,security_model=none,readonly=on,multidevs=remap
}

cmd_exec() {
    BUILD=$(cd "${1:?usage: vm.sh exec BUILD_DIR KERNEL SCRIPT}" && pwd)
    local series=${2:?kernel} script log
    script=$(realpath "${3:?script}")
    check_can_run
    cmd_fetch
    build_initramfs "$series"
    log=$(mktemp)
    FACTOR=1
    boot "$series" "exec gavel.script=$script" "$log"
    sed -n '/^GAVEL-VM: Linux/,/^GAVEL-VM: done/p' "$log"
    rm -f "$log"
}

case "${1:-}" in
fetch) cmd_fetch ;;
exec) shift; cmd_exec "$@" ;;
run) shift; cmd_run "$@" ;;
shell) shift; cmd_shell "$@" ;;
*) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
