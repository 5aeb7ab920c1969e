#!/bin/sh
# The KVM exit round trip, Java (vcpu4j's kvm backend) beside C (exit_bench.c: the same long-mode guest
# and the same ioctls), in one run on this machine, plus the ioctl syscalls per exit on the Java path.
#
#  1. Alternating whole-process runs, C then Java, ROUNDS times per mode (EXITS timed exits each, after
#     a warm-up in the same process), so load from other processes hits both alike. Each run reports
#     wall-clock time and the vCPU thread's CPU time per exit (CLOCK_THREAD_CPUTIME_ID; it includes the
#     guest and the kernel's exit handling, and is what other load disturbs least). Java/C is the ratio
#     of the medians over the rounds; the fastest wall-clock rounds are compared too.
#  2. The JMH benchmark KvmExitBenchmarks (ns per exit round trip, with its error).
#  3. perf stat -e syscalls:sys_enter_ioctl (else strace -c) on KvmExitLoop with N and 2N exits:
#     (ioctls(2N) - ioctls(N)) / N is the number of ioctls per exit.
#
# Usage: benchmarks/kvm/compare-c.sh [EXITS] [ROUNDS]     (defaults: 200000, 7)
# Needs: gcc and linux-libc-dev (linux/kvm.h), /dev/kvm read-write, JAVA_HOME (Java 25), python3;
# perf (linux-perf) or strace for the syscall count. SKIP_JMH=1 skips step 2.
# Writes benchmarks/target/kvm-compare/*.txt.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
exits=${1:-200000}
rounds=${2:-7}
java=${JAVA_HOME:+$JAVA_HOME/bin/}java
out="$root/benchmarks/target/kvm-compare"
mkdir -p "$out"

gcc -O2 -Wall -Werror -pthread -o "$out/exit_bench" "$here/exit_bench.c"

jar="$root/benchmarks/target/benchmarks.jar"
if [ ! -f "$jar" ] || [ -n "${REBUILD:-}" ]; then
    (cd "$root" && ./mvnw -q -B -pl benchmarks -am package -DskipTests)
fi
loop="$java --enable-native-access=ALL-UNNAMED -cp $jar org.vcpu4j.benchmarks.kvm.KvmExitLoop"

for mode in pio mmio; do
    : > "$out/rounds-$mode.txt"
    r=0
    while [ "$r" -lt "$rounds" ]; do
        c=$("$out/exit_bench" "$mode" "$exits" 1 | sed -n 's/.*median \([0-9]*\) ns\/exit, thread cpu median \([0-9]*\).*/\1 \2/p')
        j=$($loop "$mode" "$exits" 1 2>/dev/null | sed -n 's/.*median \([0-9]*\) ns\/exit, thread cpu median \([0-9]*\).*/\1 \2/p')
        echo "$c $j" >> "$out/rounds-$mode.txt"
        echo "$mode round $r: C (wall cpu) $c ns/exit, Java (wall cpu) $j ns/exit"
        r=$((r + 1))
    done
done
python3 - "$out" <<'PY' | tee "$out/summary.txt"
import pathlib, statistics, sys
out = pathlib.Path(sys.argv[1])
for mode in ("pio", "mmio"):
    # columns: C wall, C thread cpu, Java wall, Java thread cpu (ns per exit)
    rows = [tuple(map(float, l.split())) for l in (out / f"rounds-{mode}.txt").read_text().splitlines() if l.strip()]
    med = [statistics.median(r[i] for r in rows) for i in range(4)]
    low = [min(r[i] for r in rows) for i in range(4)]
    print(f"{mode}: {len(rows)} alternating rounds; thread CPU per exit: median C {med[1]:.0f}, Java {med[3]:.0f} ns, "
          f"Java/C {med[3] / med[1]:.3f}; wall per exit: median C {med[0]:.0f}, Java {med[2]:.0f} ns, "
          f"Java/C {med[2] / med[0]:.3f}; fastest wall round C {low[0]:.0f}, Java {low[2]:.0f} ns, "
          f"Java/C {low[2] / low[0]:.3f}")
PY

if [ -z "${SKIP_JMH:-}" ]; then
    "$java" --enable-native-access=ALL-UNNAMED -jar "$jar" 'org.vcpu4j.benchmarks.kvm.KvmExitBenchmarks' \
        -rf text -rff "$out/jmh.txt" > "$out/jmh-log.txt" 2>&1
    cat "$out/jmh.txt"
fi

count_ioctls() {
    if command -v perf >/dev/null && perf list 2>/dev/null | grep -q 'syscalls:sys_enter_ioctl'; then
        perf stat -x, -e syscalls:sys_enter_ioctl -o "$out/perf-$1-$2.txt" $loop "$1" "$2" 1 0 >/dev/null 2>&1
        grep sys_enter_ioctl "$out/perf-$1-$2.txt" | cut -d, -f1
    else
        strace -f -c -e trace=ioctl -o "$out/strace-$1-$2.txt" $loop "$1" "$2" 1 0 >/dev/null 2>&1
        awk '$NF == "ioctl" { print $4 }' "$out/strace-$1-$2.txt"
    fi
}
n=100000
for mode in pio mmio; do
    a=$(count_ioctls "$mode" "$n")
    b=$(count_ioctls "$mode" $((2 * n)))
    echo "$mode: $a ioctls with $n exits, $b with $((2 * n)) exits: $(( (b - a) / n )).$(( ((b - a) % n) * 1000 / n )) ioctls per exit" \
        | tee "$out/syscalls-$mode.txt"
done
