package org.vcpu4j.backend.kvm;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.vcpu4j.api.InterruptControllerConfig;
import org.vcpu4j.backend.kvm.sys.KvmIoctls;
import org.vcpu4j.backend.kvm.sys.KvmIrqLevel;
import org.vcpu4j.spi.InterruptControllerBackend;

/**
 * The x86-64 in-kernel irqchip of a VM (Documentation/virt/kvm/api.rst 4.24 KVM_CREATE_IRQCHIP: two 8259
 * PICs, an IOAPIC with 24 pins, a LAPIC per vCPU created afterwards) and, if asked, the i8254 PIT (4.100
 * KVM_CREATE_PIT2, {@code struct kvm_pit_config}, flags 0). Both must come before {@code KVM_CREATE_VCPU}.
 * Lines are GSIs through {@code KVM_IRQ_LINE} on the VM fd (4.25); with the kernel's default routing GSIs
 * 0-15 reach the PICs and the IOAPIC, 16-23 the IOAPIC. HLT is then handled in the kernel: a halted vCPU
 * blocks in {@code KVM_RUN} until its LAPIC has an interrupt for it.
 */
final class KvmX86Irqchip implements InterruptControllerBackend {
    /** {@code sizeof(struct kvm_pit_config)}: flags u32, pad u32[15]. */
    static final long PIT_CONFIG_SIZE = 64;

    private final KvmCalls calls;
    private final int vmFd;

    private KvmX86Irqchip(KvmCalls calls, int vmFd) {
        this.calls = calls;
        this.vmFd = vmFd;
    }

    /** Creates the irqchip (and the PIT) on a VM with no vCPU yet. */
    static KvmX86Irqchip create(KvmCalls calls, int vmFd, InterruptControllerConfig.X86Irqchip config) {
        calls.ioctl(vmFd, KvmIoctls.KVM_CREATE_IRQCHIP, 0L);
        if (config.pit()) {
            try (Arena arena = Arena.ofConfined()) {
                calls.ioctl(vmFd, KvmIoctls.KVM_CREATE_PIT2, arena.allocate(PIT_CONFIG_SIZE));
            }
        }
        return new KvmX86Irqchip(calls, vmFd);
    }

    /**
     * Sends a fixed, edge-triggered, physically addressed interrupt to one LAPIC as an MSI (SDM vol. 3
     * 11.11.1 "Message Address Register Format": 0xFEE0_0000 | destination APIC id in bits 19:12; 11.11.2
     * "Message Data Register Format": vector in bits 7:0, delivery mode 000 fixed, level bit 14 asserted,
     * trigger mode bit 15 edge). {@code KVM_SIGNAL_MSI} (api.rst 4.71) delivers it like a device's MSI and
     * wakes the vCPU from HLT; callable from any thread.
     */
    static void signalMsi(KvmCalls calls, int vmFd, int apicId, int vector) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment msi = arena.allocate(KvmIoctls.KVM_MSI_SIZE);
            msi.set(java.lang.foreign.ValueLayout.JAVA_INT, 0, 0xFEE0_0000 | (apicId & 0xFF) << 12);
            msi.set(java.lang.foreign.ValueLayout.JAVA_INT, 8, 1 << 14 | vector);
            calls.ioctl(vmFd, KvmIoctls.KVM_SIGNAL_MSI, msi);
        }
    }

    @Override
    public void setLevel(int line, boolean high) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment level = arena.allocate(KvmIrqLevel.layout());
            KvmIrqLevel.fill(level, line, high ? 1 : 0);
            calls.ioctl(vmFd, KvmIoctls.KVM_IRQ_LINE, level);
        }
    }
}
