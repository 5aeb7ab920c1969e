#!/bin/sh
# Builds one bare-metal program for QEMU virt: build.sh <program> <out.elf> [extra gcc flags...]
# (the Java tests and benchmarks/compare-qemu.sh run the same command).
set -e
dir=$(cd "$(dirname "$0")" && pwd)
prog=$1; out=$2; shift 2
# programs that install exception vectors (they name el1_vectors) link vectors.S too
vectors=
if grep -q el1_vectors "$dir/$prog.c"; then vectors="$dir/vectors.S"; fi
# a program with assembly of its own (e.g. its own vectors) has it in <program>.S
if [ -f "$dir/$prog.S" ]; then vectors="$vectors $dir/$prog.S"; fi
aarch64-linux-gnu-gcc -O2 -ffreestanding -nostdlib -mgeneral-regs-only -mstrict-align -static \
    -fno-tree-loop-distribute-patterns -fno-pic -fno-pie -no-pie -Wall -Werror \
    -Wl,--build-id=none -Wl,--no-warn-rwx-segments \
    -T "$dir/virt.ld" -o "$out" "$dir/crt0.S" $vectors "$dir/rt.c" "$dir/$prog.c" "$@"
