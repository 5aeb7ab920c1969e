package org.vcpu4j.backend.kvm;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.vcpu4j.api.InterruptControllerConfig;
import org.vcpu4j.api.InterruptControllerState;
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

    /** The chips of {@code struct kvm_irqchip} (KVM_IRQCHIP_PIC_MASTER, _PIC_SLAVE, _IOAPIC), then the PIT. */
    private static final int PIC_MASTER = 0;
    private static final int PIC_SLAVE = 1;
    private static final int IOAPIC = 2;
    private static final int PIT = 3;
    private static final long CHIP_STATE_OFFSET = 8;
    private static final long CHIP_STATE_SIZE = 512;

    private final KvmCalls calls;
    private final int vmFd;
    private final InterruptControllerConfig.X86Irqchip config;
    /** The GSIs the VMM holds high: KVM keeps the levels but cannot report them. */
    private final java.util.BitSet high = new java.util.BitSet(InterruptControllerConfig.X86Irqchip.IOAPIC_PINS);

    private KvmX86Irqchip(KvmCalls calls, int vmFd, InterruptControllerConfig.X86Irqchip config) {
        this.calls = calls;
        this.vmFd = vmFd;
        this.config = config;
    }

    /** Creates the irqchip (and the PIT) on a VM with no vCPU yet. */
    static KvmX86Irqchip create(KvmCalls calls, int vmFd, InterruptControllerConfig.X86Irqchip config) {
        calls.ioctl(vmFd, KvmIoctls.KVM_CREATE_IRQCHIP, 0L);
        if (config.pit()) {
            try (Arena arena = Arena.ofConfined()) {
                calls.ioctl(vmFd, KvmIoctls.KVM_CREATE_PIT2, arena.allocate(PIT_CONFIG_SIZE));
            }
        }
        return new KvmX86Irqchip(calls, vmFd, config);
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
    public synchronized void setLevel(int line, boolean high) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment level = arena.allocate(KvmIrqLevel.layout());
            KvmIrqLevel.fill(level, line, high ? 1 : 0);
            calls.ioctl(vmFd, KvmIoctls.KVM_IRQ_LINE, level);
        }
        this.high.set(line, high);
    }

    /**
     * The VM-level state: the two PICs' and the IOAPIC's {@code KVM_GET_IRQCHIP} unions and, with the PIT,
     * its {@code KVM_GET_PIT2} state, as little-endian 64-bit words keyed {@code chip << 16 | byte offset}
     * (chips 0-2 as KVM numbers them, 3 the PIT), and the GSIs held high.
     */
    @Override
    public synchronized InterruptControllerState saveState() {
        java.util.Map<Integer, Long> words = new java.util.TreeMap<>();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment chip = arena.allocate(KvmIoctls.KVM_IRQCHIP_SIZE);
            for (int id : new int[] {PIC_MASTER, PIC_SLAVE, IOAPIC}) {
                chip.fill((byte) 0);
                chip.set(ValueLayout.JAVA_INT, 0, id);
                calls.ioctl(vmFd, KvmIoctls.KVM_GET_IRQCHIP, chip);
                putWords(words, id, chip.asSlice(CHIP_STATE_OFFSET, CHIP_STATE_SIZE));
            }
            if (config.pit()) {
                MemorySegment pit = arena.allocate(KvmIoctls.KVM_PIT_STATE2_SIZE);
                calls.ioctl(vmFd, KvmIoctls.KVM_GET_PIT2, pit);
                putWords(words, PIT, pit);
            }
        }
        return new InterruptControllerState(config, words, high.stream().boxed().collect(java.util.stream.Collectors.toSet()));
    }

    /** Writes the chips back ({@code KVM_SET_IRQCHIP}, {@code KVM_SET_PIT2}), then drives every GSI to its level. */
    @Override
    public synchronized void restoreState(InterruptControllerState state) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment chip = arena.allocate(KvmIoctls.KVM_IRQCHIP_SIZE);
            for (int id : new int[] {PIC_MASTER, PIC_SLAVE, IOAPIC}) {
                chip.fill((byte) 0);
                chip.set(ValueLayout.JAVA_INT, 0, id);
                getWords(state.registers(), id, chip.asSlice(CHIP_STATE_OFFSET, CHIP_STATE_SIZE));
                calls.ioctl(vmFd, KvmIoctls.KVM_SET_IRQCHIP, chip);
            }
            if (config.pit()) {
                MemorySegment pit = arena.allocate(KvmIoctls.KVM_PIT_STATE2_SIZE);
                getWords(state.registers(), PIT, pit);
                calls.ioctl(vmFd, KvmIoctls.KVM_SET_PIT2, pit);
            }
        }
        for (int gsi = 0; gsi < InterruptControllerConfig.X86Irqchip.IOAPIC_PINS; gsi++) {
            setLevel(gsi, state.levels().contains(gsi));
        }
    }

    private static void putWords(java.util.Map<Integer, Long> words, int chip, MemorySegment s) {
        for (long off = 0; off < s.byteSize(); off += 8) {
            words.put(chip << 16 | (int) off, s.get(LE64, off));
        }
    }

    private static void getWords(java.util.Map<Integer, Long> words, int chip, MemorySegment s) {
        for (long off = 0; off < s.byteSize(); off += 8) {
            Long w = words.get(chip << 16 | (int) off);
            if (w == null) {
                throw new IllegalArgumentException(String.format("the state has no word at 0x%x of chip %d", off, chip));
            }
            s.set(LE64, off, w);
        }
    }

    private static final ValueLayout.OfLong LE64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);
}
