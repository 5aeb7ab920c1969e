package org.vcpu4j.benchmarks;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.vcpu4j.api.VCpuExit;

/**
 * Speed of the emulated backend through the public API. The two loop benchmarks report guest
 * instructions per microsecond, i.e. guest MIPS (one JMH operation = one guest instruction); the MMIO
 * benchmark reports exit round trips per second.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar EmulatorBenchmarks}.
 */
@BenchmarkMode(Mode.Throughput)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Thread)
public class EmulatorBenchmarks {
    static final long RAM = 0x4000_0000L;
    static final long CODE = RAM;
    static final long DATA = RAM + 0x10_0000;
    static final long UNMAPPED = 0x0900_0000L;

    /** Iterations of the integer loop per invocation: 4 instructions each, plus the HVC. */
    static final int INT_ITERATIONS = 1_000_000;
    /** Iterations of the memory loop per invocation: 7 instructions each, plus the HVC. */
    static final int MEM_ITERATIONS = 500_000;
    /** MMIO exits per invocation. */
    static final int EXITS = 10_000;

    // intloop: add x1,x1,x2; eor x2,x2,x1,lsl #3; subs x0,x0,#1; b.ne intloop; hvc #0
    static final int[] INT_LOOP = {0x8b020021, 0xca010c42, 0xf1000400, 0x54ffffa1, 0xd4000002};
    // memloop: ldr x3,[x4,x5,lsl #3]; add x3,x3,x0; str x3,[x4,x5,lsl #3]; add x5,x5,#1;
    //          and x5,x5,#0xfff; subs x0,x0,#1; b.ne memloop; hvc #0
    static final int[] MEM_LOOP = {
        0xf8657883, 0x8b000063, 0xf8257883, 0x910004a5, 0x92402ca5, 0xf1000400, 0x54ffff41, 0xd4000002};
    // mmioloop: str w1,[x2]; add w1,w1,#1; b mmioloop
    static final int[] MMIO_LOOP = {0xb9000041, 0x11000421, 0x17fffffe};

    private GuestMachine machine;

    /** Creates the VM and places the three loops. */
    @Setup(Level.Trial)
    public void setUp() {
        machine = new GuestMachine(RAM, 4L << 20);
        machine.writeCode(CODE, INT_LOOP);
        machine.writeCode(CODE + 0x100, MEM_LOOP);
        machine.writeCode(CODE + 0x200, MMIO_LOOP);
    }

    /** Releases the VM. */
    @TearDown(Level.Trial)
    public void tearDown() {
        machine.close();
    }

    private static void expectHypercall(VCpuExit exit) {
        if (!(exit instanceof VCpuExit.Hypercall)) {
            throw new IllegalStateException("the loop ended with " + exit + ", not the hvc #0 at its end");
        }
    }

    /** {@return x1 after an integer loop; ops/us = guest MIPS} */
    @Benchmark
    @OperationsPerInvocation(4 * INT_ITERATIONS + 1)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public long integerLoopMips() {
        machine.start(CODE, 0, INT_ITERATIONS, 1, 1, 2, 3);
        expectHypercall(machine.vcpu().run());
        return machine.vcpu().gpr(1);
    }

    /** {@return x3 after a load/add/store loop over 32 KiB; ops/us = guest MIPS} */
    @Benchmark
    @OperationsPerInvocation(7 * MEM_ITERATIONS + 1)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public long memoryLoopMips() {
        machine.start(CODE + 0x100, 0, MEM_ITERATIONS, 4, DATA, 5, 0);
        expectHypercall(machine.vcpu().run());
        return machine.vcpu().gpr(3);
    }

    /** {@return the last stored value; ops/s = MMIO exit round trips per second} */
    @Benchmark
    @OperationsPerInvocation(EXITS)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public long mmioExitRoundTrips() {
        machine.start(CODE + 0x200, 1, 0, 2, UNMAPPED);
        long last = 0;
        for (int i = 0; i < EXITS; i++) {
            VCpuExit exit = machine.vcpu().run();
            if (!(exit instanceof VCpuExit.MmioWrite w)) {
                throw new IllegalStateException("expected an MMIO write exit, got " + exit);
            }
            last = w.data();
        }
        return last;
    }
}
