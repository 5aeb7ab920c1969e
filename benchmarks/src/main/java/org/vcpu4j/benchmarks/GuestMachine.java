package org.vcpu4j.benchmarks;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.vcpu4j.api.Hypervisor;
import org.vcpu4j.api.VCpu;
import org.vcpu4j.api.VirtualMachine;
import org.vcpu4j.api.aarch64.Aarch64CreateConfig;
import org.vcpu4j.api.aarch64.Aarch64SetupConfig;
import org.vcpu4j.api.aarch64.Aarch64State;
import org.vcpu4j.spi.Backends;
import org.vcpu4j.spi.VCpuBackendProvider;

/**
 * One emulated VM with RAM and one vCPU bound to the creating thread, through the public API.
 * Closing it releases everything.
 */
public final class GuestMachine implements AutoCloseable {
    private static final String EMULATED = "emulated";
    private static final String PROVIDER_CLASS = "org.vcpu4j.backend.emulated.EmulatedBackendProvider";
    private final Hypervisor hypervisor;
    private final VirtualMachine vm;
    private final VCpu vcpu;

    /**
     * Opens the emulated backend, maps RAM and creates, sets up and binds vCPU 0.
     *
     * @param ramBase the guest-physical address of RAM
     * @param ramSize the RAM size in bytes
     */
    public GuestMachine(long ramBase, long ramSize) {
        hypervisor = Backends.open(emulatedProvider());
        vm = hypervisor.createVirtualMachine();
        vm.mapRam(ramBase, ramSize);
        vcpu = vm.createVCpu(0, Aarch64CreateConfig.ofMpidr(0));
        vcpu.setup(Aarch64SetupConfig.defaults());
        vcpu.bind();
    }

    /**
     * {@return the emulated backend's provider: found by the service loader, or created directly when
     * the backend's jar is on the class path without a service file (it declares the provider in its
     * module descriptor only)}
     */
    public static VCpuBackendProvider emulatedProvider() {
        return Backends.provider(EMULATED).orElseGet(GuestMachine::instantiateProvider);
    }

    private static VCpuBackendProvider instantiateProvider() {
        try {
            return (VCpuBackendProvider) Class.forName(PROVIDER_CLASS).getConstructor().newInstance();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("the emulated backend (" + PROVIDER_CLASS + ") is not on the class path", e);
        }
    }

    /** {@return the VM} */
    public VirtualMachine vm() {
        return vm;
    }

    /** {@return the bound vCPU} */
    public VCpu vcpu() {
        return vcpu;
    }

    /**
     * Writes instruction words into guest memory.
     *
     * @param address the guest-physical address
     * @param words the instructions
     */
    public void writeCode(long address, int... words) {
        ByteBuffer b = ByteBuffer.allocate(4 * words.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int w : words) {
            b.putInt(w);
        }
        vm.memory().write(address, b.array());
    }

    /**
     * Sets PC and some registers, with the rest of the state unchanged (EL1h, DAIF masked).
     *
     * @param pc the program counter
     * @param regs pairs of register index and value
     */
    public void start(long pc, long... regs) {
        Aarch64State.Builder b = ((Aarch64State) vcpu.saveState()).toBuilder();
        for (int i = 0; i + 1 < regs.length; i += 2) {
            b.x((int) regs[i], regs[i + 1]);
        }
        vcpu.restoreState(b.pc(pc).pstate(Aarch64State.PSTATE_EL1H_MASKED).build());
    }

    @Override
    public void close() {
        vcpu.unbind();
        vcpu.close();
        vm.close();
        hypervisor.close();
    }
}
