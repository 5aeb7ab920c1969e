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
import org.vcpu4j.spi.Backends;

/**
 * The emulator side: the emulated backend through the public API, with RAM at the harness's
 * addresses, the snippet followed by {@code hvc #0}, run until that hypercall.
 */
final class EmulatorRunner implements AutoCloseable {
    /** Instructions a snippet may retire before it is taken to be stuck (snippets only branch forward). */
    private static final long INSTRUCTION_BUDGET = 100_000;

    private final Hypervisor hypervisor;
    private final VirtualMachine vm;
    private final VCpu vcpu;
    private final Thread owner;

    /** Opens the emulated backend, maps RAM and binds a vCPU to the calling thread. */
    EmulatorRunner() {
        hypervisor = Backends.open("emulated");
        vm = hypervisor.createVirtualMachine();
        vm.mapRam(DifftestLayout.CODE_BASE, DifftestLayout.RAM_SIZE);
        vcpu = vm.createVCpu(0, Aarch64CreateConfig.ofMpidr(0));
        vcpu.setup(Aarch64SetupConfig.defaults());
        vcpu.bind();
        owner = Thread.currentThread();
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
        state.spEl1(DifftestLayout.INITIAL_SP)
                .pc(DifftestLayout.SNIPPET)
                .pstate(Aarch64State.PSTATE_EL1H_MASKED | (long) c.nzcv() << 28);
        vcpu.restoreState(state.build());
        long start = vcpu.retiredInstructions().orElse(0);
        vcpu.setInstructionLimit(start + INSTRUCTION_BUDGET);

        VCpuExit exit = vcpu.run();
        Aarch64State end = (Aarch64State) vcpu.saveState();
        String failure = null;
        boolean hypercallLike = exit instanceof VCpuExit.Hypercall || exit instanceof VCpuExit.SystemDown
                || exit instanceof VCpuExit.SystemReset || exit instanceof VCpuExit.CpuUp
                || exit instanceof VCpuExit.CpuDown;
        if (!hypercallLike || end.pc() != layout.end() + 4) {
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
        return new Outcome(failure, x, end.spEl1(), (int) (end.pstate() >>> 28) & 0xF, changed);
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
