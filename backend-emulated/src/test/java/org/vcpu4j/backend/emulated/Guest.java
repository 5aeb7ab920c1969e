package org.vcpu4j.backend.emulated;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import org.vcpu4j.api.Hypervisor;
import org.vcpu4j.api.MemoryRegion;
import org.vcpu4j.api.VCpu;
import org.vcpu4j.api.VCpuExit;
import org.vcpu4j.api.VirtualMachine;
import org.vcpu4j.api.aarch64.Aarch64CreateConfig;
import org.vcpu4j.api.aarch64.Aarch64SetupConfig;
import org.vcpu4j.api.aarch64.Aarch64State;
import org.vcpu4j.api.aarch64.SystemRegister;
import org.vcpu4j.spi.Backends;

/**
 * A test guest on the emulated backend, through the public API: 1 MiB of RAM at {@link #RAM}, one
 * vCPU set up and bound to the calling thread, code loaded at {@link #RAM}.
 */
final class Guest implements AutoCloseable {
    /** Guest-physical base of RAM (QEMU virt's). */
    static final long RAM = 0x4000_0000L;
    /** RAM size. */
    static final long RAM_SIZE = 1 << 20;
    /** The UART QEMU virt has (nothing is mapped there: accesses are MMIO exits). */
    static final long UART = 0x0900_0000L;

    /** Marker in a program: the next word is the byte offset at which the following words go. */
    static final int PAD_TO = 0x7FFF_FFF7;

    private static final ValueLayout.OfInt LE32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong LE64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    final Hypervisor hypervisor;
    final VirtualMachine vm;
    final VCpu vcpu;
    final MemorySegment ram;

    Guest(Aarch64SetupConfig setup, int... code) {
        hypervisor = Backends.open(new EmulatedBackendProvider());
        vm = hypervisor.createVirtualMachine();
        MemoryRegion region = vm.mapRam(RAM, RAM_SIZE);
        ram = region.host();
        vcpu = vm.createVCpu(0, Aarch64CreateConfig.ofMpidr(0));
        load(RAM, code);
        vcpu.setEntry(RAM);
        vcpu.setup(setup);
        vcpu.bind();
    }

    Guest(int... code) {
        this(Aarch64SetupConfig.defaults(), code);
    }

    /** Writes instruction words at a guest-physical address in RAM ({@link #PAD_TO} skips ahead). */
    void load(long address, int... words) {
        long offset = address - RAM;
        for (int i = 0; i < words.length; i++) {
            if (words[i] == PAD_TO) {
                offset = address - RAM + words[++i];
            } else {
                ram.set(LE32, offset, words[i]);
                offset += 4;
            }
        }
    }

    long readLong(long address) {
        return ram.get(LE64, address - RAM);
    }

    void writeLong(long address, long value) {
        ram.set(LE64, address - RAM, value);
    }

    int readInt(long address) {
        return ram.get(LE32, address - RAM);
    }

    Aarch64State state() {
        return (Aarch64State) vcpu.saveState();
    }

    long pc() {
        return state().pc();
    }

    long x(int n) {
        return vcpu.gpr(n);
    }

    VCpuExit run() {
        return vcpu.run();
    }

    /** The level-1 table of {@link #enableMmu}: RAM's last page. */
    static final long IDENTITY_L1 = RAM + RAM_SIZE - 0x1000;

    /**
     * Turns the MMU on with RAM's gigabyte mapped onto itself, EL1 read/write/execute, as one 1 GiB block
     * (Arm ARM D8.3: AF, AttrIndx) from a level-1 table at {@link #IDENTITY_L1}; TCR_EL1.T0SZ 25, so a walk
     * starts at level 1. MAIR_EL1 attribute 0 is Device-nGnRnE, attribute 1 Normal write-back.
     *
     * @param normal whether the block is Normal memory (else Device-nGnRnE)
     */
    void enableMmu(boolean normal) {
        writeLong(IDENTITY_L1 + 8 * (RAM >>> 30), RAM | 1L << 10 | (normal ? 1L << 2 : 0) | 1);
        long tcr = 25 | 25L << 16 | 2L << 30 | 5L << 32; // T0SZ, T1SZ, TG1 4 KiB, IPS 48 bits
        edit(s -> s.sys(SystemRegister.SCTLR_EL1, s.build().sys(SystemRegister.SCTLR_EL1) | 1)
                .sys(SystemRegister.TCR_EL1, tcr).sys(SystemRegister.TTBR0_EL1, IDENTITY_L1)
                .sys(SystemRegister.MAIR_EL1, 0xFFL << 8));
    }

    /** Sets registers before a run by editing the state. */
    void edit(java.util.function.UnaryOperator<Aarch64State.Builder> change) {
        vcpu.restoreState(change.apply(state().toBuilder()).build());
    }

    @Override
    public void close() {
        hypervisor.close();
    }
}
