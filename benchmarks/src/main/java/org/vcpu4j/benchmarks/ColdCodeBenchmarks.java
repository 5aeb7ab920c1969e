package org.vcpu4j.benchmarks;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.vcpu4j.api.VCpuExit;

/**
 * What guest code costs before it is hot: 64 KiB of code the emulated backend has never seen (16
 * pages of runs of seven ADDs and a branch to the next run), on a fresh VM each invocation, run once
 * (every word decoded, nothing compiled), 300 times and 3,000 times. The loop benchmarks of {@link
 * EmulatorBenchmarks} measure hot code. The score is milliseconds per invocation; guest MIPS =
 * passes x 16,386 / (score x 1,000).
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar ColdCodeBenchmarks}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Thread)
public class ColdCodeBenchmarks {
    static final long RAM = 0x4000_0000L;
    /** Instructions in the straight code before the loop-back: 16 pages. */
    static final int WORDS = 16 * 1024;
    static final int ADD_X1_X1_1 = 0x91000421;
    static final int B_NEXT = 0x14000001;
    static final int SUBS_X0_X0_1 = 0xf1000400;
    static final int HVC_0 = 0xd4000002;

    /** How many times the code runs: once (all decoding), 300 (just past the block threshold), 3,000. */
    @Param({"1", "300", "3000"})
    public int passes;

    private GuestMachine machine;

    /** A fresh VM with the code, so that every invocation starts cold. */
    @Setup(Level.Invocation)
    public void setUp() {
        machine = new GuestMachine(RAM, 1L << 20);
        int[] code = new int[WORDS + 3];
        for (int i = 0; i < WORDS; i++) {
            code[i] = i % 8 == 7 ? B_NEXT : ADD_X1_X1_1;
        }
        code[WORDS] = SUBS_X0_X0_1;
        code[WORDS + 1] = 0x54000001 | ((-(WORDS + 1) & 0x7FFFF) << 5); // b.ne back to the start
        code[WORDS + 2] = HVC_0;
        machine.writeCode(RAM, code);
    }

    /** Releases the VM. */
    @TearDown(Level.Invocation)
    public void tearDown() {
        machine.close();
    }

    private long run(int passes) {
        machine.start(RAM, 0, passes, 1, 0);
        VCpuExit exit = machine.vcpu().run();
        if (!(exit instanceof VCpuExit.Hypercall)) {
            throw new IllegalStateException("the code ended with " + exit + ", not its hvc #0");
        }
        long expected = (long) passes * (WORDS - WORDS / 8);
        if (machine.vcpu().gpr(1) != expected) {
            throw new IllegalStateException("x1 = " + machine.vcpu().gpr(1) + ", expected " + expected);
        }
        return machine.vcpu().gpr(1);
    }

    /** {@return x1 after {@link #passes} passes over never-seen code; guest MIPS = passes x 16,386 / time} */
    @Benchmark
    public long passesOverColdCode() {
        return run(passes);
    }
}
