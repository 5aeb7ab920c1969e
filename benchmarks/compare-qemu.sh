#!/bin/sh
# Whole process against whole process: the CPU-bound bare-metal program (cpubench.c) under
# qemu-system-aarch64 -M virt (TCG) and on vcpu4j's emulated backend (RunElf), timed by hyperfine.
#
# Usage: benchmarks/compare-qemu.sh [ITERATIONS] [RUNS]     (defaults: 2000 rounds, 5 runs)
# Needs: aarch64-linux-gnu-gcc, qemu-system-aarch64, hyperfine, JAVA_HOME (Java 25).
# Writes benchmarks/target/compare-qemu.{json,md}.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
iterations=${1:-2000}
runs=${2:-5}
java=${JAVA_HOME:+$JAVA_HOME/bin/}java
out="$here/target"
mkdir -p "$out"

for tool in aarch64-linux-gnu-gcc qemu-system-aarch64 hyperfine; do
    command -v "$tool" >/dev/null || {
        echo "missing $tool: apt-get install gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-system-arm hyperfine" >&2
        exit 1
    }
done

elf="$out/cpubench.elf"
sh "$root/backend-emulated/src/test/native/baremetal/build.sh" cpubench "$elf" -DITERATIONS="$iterations"

jar="$out/benchmarks.jar"
if [ ! -f "$jar" ] || [ -n "${REBUILD:-}" ]; then
    (cd "$root" && ./mvnw -q -B -pl benchmarks -am package -DskipTests)
fi

qemu="qemu-system-aarch64 -M virt -cpu cortex-a57 -nographic -nic none -monitor none -kernel $elf"
emu="$java -cp $jar org.vcpu4j.benchmarks.RunElf $elf"

# Both must print the same before their times mean anything.
$qemu > "$out/cpubench.qemu.txt"
$emu > "$out/cpubench.emulated.txt" 2>/dev/null
if ! cmp -s "$out/cpubench.qemu.txt" "$out/cpubench.emulated.txt"; then
    echo "outputs differ:" >&2
    diff "$out/cpubench.qemu.txt" "$out/cpubench.emulated.txt" | head -20 >&2
    exit 1
fi
echo "outputs identical: $(tail -1 "$out/cpubench.qemu.txt")"

hyperfine -N --warmup 1 --runs "$runs" --export-json "$out/compare-qemu.json" \
    --export-markdown "$out/compare-qemu.md" -n qemu-system-aarch64 "$qemu" -n vcpu4j-emulated "$emu"

# speed ratio emulator/QEMU = QEMU time / emulator time (medians)
python3 - "$out/compare-qemu.json" <<'PY' || true
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
q, e = r["qemu-system-aarch64"]["median"], r["vcpu4j-emulated"]["median"]
print(f"median qemu {q:.3f} s, emulated {e:.3f} s: emulator speed = {q / e:.2f}x QEMU's (goal >= 0.25x)")
PY
