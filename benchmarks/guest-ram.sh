#!/bin/sh
# Lazy guest RAM (issue 11, item 5; docs/decisions/0005-lazy-guest-ram.md): wall time (hyperfine median)
# and peak RSS (GNU time %M, median of RUNS) of `./vcpu run --memory SIZE` on a hello guest, per backend,
# at the default 128M and at 16G; then the reservation options compared by guest-ram/GuestRamOptions.java.
# Usage: sh benchmarks/guest-ram.sh [RUNS=5]   (after ./mvnw -q -DskipTests package)
set -eu
runs=${1:-5}
root=$(cd "$(dirname "$0")/.." && pwd)
java=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# the hello guests: AArch64 bare metal for QEMU virt (emulated), x86-64 through COM1 (kvm)
sh "$root/backend-emulated/src/test/native/baremetal/build.sh" hello "$work/hello-a64.elf"
cat > "$work/hello.s" <<'ASM'
.globl _start
_start:
    lea msg(%rip), %rsi
    mov $0x3f8, %dx
1:  lodsb
    test %al, %al
    jz 2f
    out %al, (%dx)
    jmp 1b
2:  cli
    hlt
msg: .asciz "hello from an x86-64 ELF\n"
ASM
as -o "$work/hello.o" "$work/hello.s"
ld -static -Ttext=0x200000 -o "$work/hello-x86.elf" "$work/hello.o"

median_rss() { # command... -> median peak RSS in MiB over $runs runs
    i=0
    while [ $i -lt "$runs" ]; do
        /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -n 1
        i=$((i + 1))
    done | sort -n | awk '{ v[NR] = $1 } END { printf "%.0f", v[int((NR + 1) / 2)] / 1024 }'
}

printf '| backend | --memory | median wall time | peak RSS (median) |\n| --- | --- | --- | --- |\n'
for backend in emulated kvm; do
    if [ $backend = kvm ]; then elf=$work/hello-x86.elf; [ -w /dev/kvm ] || continue; else elf=$work/hello-a64.elf; fi
    for memory in 128M 16G; do
        cmd="$root/vcpu run --backend $backend --memory $memory $elf"
        hyperfine -N --warmup 1 --runs "$runs" --export-json "$work/t.json" "$cmd" >/dev/null 2>&1
        t=$(python3 -c "import json; print('%.3f s' % json.load(open('$work/t.json'))['results'][0]['median'])")
        printf '| %s | %s | %s | %s MiB |\n' $backend $memory "$t" "$(median_rss $cmd)"
    done
done

echo
"$java" --enable-native-access=ALL-UNNAMED "$root/benchmarks/guest-ram/GuestRamOptions.java"
