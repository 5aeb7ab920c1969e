package org.vcpu4j.backend.emulated.difftest;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.Map;
import org.vcpu4j.api.GuestMemory;
import org.vcpu4j.api.Hypervisor;
import org.vcpu4j.api.VCpu;
import org.vcpu4j.api.VCpuExit;
import org.vcpu4j.api.VirtualMachine;
import org.vcpu4j.api.aarch64.Aarch64CreateConfig;
import org.vcpu4j.api.aarch64.Aarch64SetupConfig;
import org.vcpu4j.api.aarch64.Aarch64State;
import org.vcpu4j.api.aarch64.SystemRegister;
import org.vcpu4j.api.aarch64.Vec128;
import org.vcpu4j.spi.Backends;

/**
 * The emulator side: the emulated backend through the public API, with RAM at the harness's
 * addresses, the snippet followed by {@code hvc #0}, run until that hypercall.
 */
final class EmulatorRunner implements AutoCloseable {
    /** Instructions a snippet may retire before it is taken to be stuck (snippets only branch forward). */
    private static final long INSTRUCTION_BUDGET = 2_000_000;

    /** VBAR_EL1: every vector holds {@code hvc #0}, so that an exception the snippet takes ends the run. */
    static final long VECTORS = DifftestLayout.CODE_BASE + 0x8000;

    /** Stage-1 tables for the MMU-on mode: one level-1 table and one level-2 table in the code page. */
    static final long LEVEL1_TABLE = DifftestLayout.CODE_BASE + 0xA000;
    static final long LEVEL2_TABLE = DifftestLayout.CODE_BASE + 0xB000;
    /** SCTLR_EL1.M, C, SA and I (D19.2.118): MMU and caches on, SP alignment checked, A (alignment) off. */
    static final long SCTLR_MMU_ON_BITS = 1L | 1L << 2 | 1L << 3 | 1L << 12;
    /** TCR_EL1: T0SZ 25 (39-bit VA), IRGN0/ORGN0 write-back, SH0 inner shareable, TG0 4 KiB, EPD1 (D19.2.139). */
    static final long TCR = 25 | 1L << 8 | 1L << 10 | 3L << 12 | 1L << 23;

    private final boolean mmuOn;
    private final Hypervisor hypervisor;
    private final VirtualMachine vm;
    private final VCpu vcpu;
    private final Thread owner;

    /**
     * Opens the emulated backend, maps RAM and binds a vCPU to the calling thread.
     *
     * @param mmuOn false: the MMU off, as after reset (data accesses are Device memory, so they must be
     *     aligned); true: the MMU on with an identity map of Normal write-back memory, where unaligned
     *     accesses work as they do for a Linux process under qemu-aarch64
     */
    EmulatorRunner(boolean mmuOn) {
        this.mmuOn = mmuOn;
        hypervisor = Backends.open("emulated");
        vm = hypervisor.createVirtualMachine();
        vm.mapRam(DifftestLayout.CODE_BASE, DifftestLayout.RAM_SIZE);
        vcpu = vm.createVCpu(0, Aarch64CreateConfig.ofMpidr(0));
        vcpu.setup(Aarch64SetupConfig.defaults());
        vcpu.bind();
        owner = Thread.currentThread();
    }

    /** Writes the vectors and the page tables (again for every case, so that no case depends on another). */
    private void writeFixedMemory(GuestMemory memory) {
        ByteBuffer vectors = ByteBuffer.allocate(0x800).order(ByteOrder.LITTLE_ENDIAN);
        for (int slot = 0; slot < 0x800; slot += 0x80) {
            vectors.putInt(slot, SnippetLayout.HVC0);
        }
        memory.write(VECTORS, vectors.array());
        // Level 1 entry 0: table descriptor; level 2 entry 128: a 2 MiB block at 0x1000_0000, AF, inner
        // shareable, AttrIdx 0, EL1 read/write (Arm ARM D8.3 "Translation table descriptor formats").
        memory.writeLong(LEVEL1_TABLE, LEVEL2_TABLE | 0b11);
        memory.writeLong(LEVEL2_TABLE + 8 * (DifftestLayout.CODE_BASE >>> 21 & 511),
                DifftestLayout.CODE_BASE | 1L << 10 | 3L << 8 | 0b01);
    }

    /** {@return whether this runner's vCPU is bound to the calling thread} */
    boolean ownedByCurrentThread() {
        return owner == Thread.currentThread();
    }

    /**
     * Runs one case.
     *
     * @param c the case
     * @return its outcome
     */
    Outcome run(DiffCase c) {
        GuestMemory memory = vm.memory();
        writeFixedMemory(memory);
        long[] initial = DifftestLayout.scratchFill(c.scratchSeed());
        memory.write(DifftestLayout.SCRATCH_BASE, toBytes(initial));
        SnippetLayout layout = c.layout();
        int[] words = layout.words();
        ByteBuffer code = ByteBuffer.allocate(4 * (words.length + 2)).order(ByteOrder.LITTLE_ENDIAN);
        for (int w : words) {
            code.putInt(w);
        }
        code.putInt(SnippetLayout.HVC0);
        code.putInt(0); // UDF #0 behind the end, so that running past it cannot go unnoticed
        memory.write(DifftestLayout.SNIPPET, code.array());

        Aarch64State.Builder state = ((Aarch64State) vcpu.saveState()).toBuilder();
        for (int i = 0; i < 31; i++) {
            state.x(i, c.x()[i]);
        }
        for (int i = 0; i < 32; i++) {
            state.v(i, new Vec128(c.v()[2 * i], c.v()[2 * i + 1]));
        }
        state.spEl1(DifftestLayout.INITIAL_SP)
                .pc(DifftestLayout.SNIPPET)
                .pstate(Aarch64State.PSTATE_EL1H_MASKED | (long) c.nzcv() << 28)
                .sys(SystemRegister.VBAR_EL1, VECTORS)
                .sys(SystemRegister.CPACR_EL1, 3L << 20) // FPEN: no FP/SIMD trap (D19.2.30), as Linux runs EL0
                .sys(SystemRegister.ESR_EL1, 0)
                .elrEl1(0)
                .spsrEl1(0);
        if (mmuOn) {
            long sctlr = ((Aarch64State) vcpu.saveState()).sys(SystemRegister.SCTLR_EL1);
            state.sys(SystemRegister.SCTLR_EL1, (sctlr | SCTLR_MMU_ON_BITS) & ~2L)
                    .sys(SystemRegister.TCR_EL1, TCR)
                    .sys(SystemRegister.TTBR0_EL1, LEVEL1_TABLE)
                    .sys(SystemRegister.MAIR_EL1, 0xFF); // attribute 0: Normal, write-back
        }
        vcpu.restoreState(state.build());
        long start = vcpu.retiredInstructions().orElse(0);
        vcpu.setInstructionLimit(start + INSTRUCTION_BUDGET);

        VCpuExit exit = vcpu.run();
        Aarch64State end = (Aarch64State) vcpu.saveState();
        String failure = null;
        int signal = 0;
        long faultPc = 0;
        long nzcv = end.pstate();
        boolean hypercallLike = exit instanceof VCpuExit.Hypercall || exit instanceof VCpuExit.SystemDown
                || exit instanceof VCpuExit.SystemReset || exit instanceof VCpuExit.CpuUp
                || exit instanceof VCpuExit.CpuDown;
        if (hypercallLike && end.pc() >= VECTORS && end.pc() < VECTORS + 0x800) {
            long esr = end.sys(SystemRegister.ESR_EL1);
            signal = linuxSignal(esr);
            faultPc = end.elrEl1();
            nzcv = end.spsrEl1();
            if (signal == 0) {
                failure = String.format("the emulator took an exception with ESR_EL1 0x%x (EC 0x%x) at 0x%x", esr,
                        esr >>> 26, faultPc);
            }
        } else if (exit instanceof VCpuExit.MmioRead || exit instanceof VCpuExit.MmioWrite
                || exit instanceof VCpuExit.NestedPageFault) {
            // nothing is mapped there, which a Linux process sees as SIGSEGV at the access; an MMIO exit
            // has the PC past the access already (the PC contract), a nested page fault leaves it on it
            signal = 11;
            faultPc = exit instanceof VCpuExit.NestedPageFault ? end.pc() : end.pc() - 4;
        } else if (!hypercallLike || end.pc() != layout.end() + 4) {
            failure = String.format("the emulator stopped with %s at pc 0x%x (expected the hvc #0 at 0x%x)", exit,
                    end.pc(), layout.end());
        }
        long[] x = new long[31];
        for (int i = 0; i < 31; i++) {
            x[i] = end.x(i);
        }
        byte[] after = memory.read(DifftestLayout.SCRATCH_BASE, DifftestLayout.SCRATCH_SIZE);
        ByteBuffer a = ByteBuffer.wrap(after).order(ByteOrder.LITTLE_ENDIAN);
        Map<Integer, Long> changed = new HashMap<>();
        for (int i = 0; i < initial.length; i++) {
            long v = a.getLong(8 * i);
            if (v != initial[i]) {
                changed.put(8 * i, v);
            }
        }
        long[] v = new long[64];
        for (int i = 0; i < 32; i++) {
            v[2 * i] = end.v(i).low();
            v[2 * i + 1] = end.v(i).high();
        }
        return new Outcome(failure, signal, faultPc, x, end.spEl1(), (int) (nzcv >>> 28) & 0xF, changed, v);
    }

    /**
     * {@return the signal Linux sends for a synchronous exception with this ESR_EL1 (arch/arm64/mm/fault.c
     * and traps.c), or 0 for a class this test does not expect}
     */
    private static int linuxSignal(long esr) {
        int ec = (int) (esr >>> 26) & 0x3F;
        int dfsc = (int) esr & 0x3F;
        return switch (ec) {
            case 0x00, 0x0E -> 4;                         // unknown reason, illegal execution state: SIGILL
            case 0x3C -> 5;                               // BRK: SIGTRAP
            case 0x22, 0x26 -> 7;                         // PC or SP alignment: SIGBUS
            case 0x20, 0x21, 0x24, 0x25 -> dfsc == 0x21 ? 7 : 11; // aborts: alignment SIGBUS, else SIGSEGV
            default -> 0;
        };
    }

    private static byte[] toBytes(long[] words) {
        ByteBuffer b = ByteBuffer.allocate(words.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (long w : words) {
            b.putLong(w);
        }
        return b.array();
    }

    @Override
    public void close() {
        vcpu.unbind();
        vcpu.close();
        vm.close();
        hypervisor.close();
    }
}
