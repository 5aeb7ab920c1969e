package org.vcpu4j.benchmarks.kvm;

import org.vcpu4j.api.Hypervisor;
import org.vcpu4j.api.VCpu;
import org.vcpu4j.api.VCpuExit;
import org.vcpu4j.api.VirtualMachine;
import org.vcpu4j.api.x86_64.X86_64CreateConfig;
import org.vcpu4j.api.x86_64.X86_64SetupConfig;
import org.vcpu4j.spi.Backends;

/**
 * An x86_64 guest on the kvm backend that exits forever, one exit per loop iteration: {@code pio} runs
 * {@code out dx, al; jmp .-3} (KVM_EXIT_IO on port 0x3F8), {@code mmio} runs {@code mov [rbx], al;
 * jmp .-4} (KVM_EXIT_MMIO at 0x10000000, outside guest RAM). The same guest as exit_bench.c, in long
 * mode set up by the backend. The vCPU is bound to the thread that creates this object.
 */
public final class KvmExitGuest implements AutoCloseable {
    /** Guest-physical address of the MMIO store. */
    public static final long MMIO_ADDRESS = 0x1000_0000L;
    /** The port of the OUT. */
    public static final int PORT = 0x3F8;

    private final Hypervisor hypervisor;
    private final VirtualMachine vm;
    private final VCpu vcpu;

    /**
     * Creates the guest and binds its vCPU to the calling thread.
     *
     * @param mode {@code pio} or {@code mmio}
     */
    public KvmExitGuest(String mode) {
        byte[] code = switch (mode) {
            case "pio" -> new byte[] {(byte) 0xEE, (byte) 0xEB, (byte) 0xFD};
            case "mmio" -> new byte[] {(byte) 0x88, 0x03, (byte) 0xEB, (byte) 0xFC};
            default -> throw new IllegalArgumentException("mode must be pio or mmio, not " + mode);
        };
        hypervisor = Backends.open("kvm");
        vm = hypervisor.createVirtualMachine();
        vm.mapRam(0, 2 << 20);
        vm.memory().write(0x1000, code);
        vcpu = vm.createVCpu(0, X86_64CreateConfig.bootstrap());
        vcpu.setEntry(0x1000);
        vcpu.setup(new X86_64SetupConfig(0x8000));
        vcpu.setGpr(2, PORT); // rdx
        vcpu.setGpr(3, MMIO_ADDRESS); // rbx
        vcpu.setGpr(0, 'x'); // rax
        vcpu.bind();
    }

    /**
     * Runs the guest to its next exit.
     *
     * @return the exit (an IoWrite or MmioWrite)
     */
    public VCpuExit exit() {
        return vcpu.run();
    }

    @Override
    public void close() {
        vcpu.unbind();
        vm.close();
        hypervisor.close();
    }
}
