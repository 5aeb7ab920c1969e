package org.vcpu4j.backend.emulated;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.vcpu4j.api.GuestMemory;
import org.vcpu4j.api.InterruptControllerConfig;
import org.vcpu4j.api.MemoryRegion;
import org.vcpu4j.api.VCpuCreateConfig;
import org.vcpu4j.api.aarch64.Aarch64CreateConfig;
import org.vcpu4j.backend.emulated.cpu.PhysicalMap;
import org.vcpu4j.spi.ArchVCpu;
import org.vcpu4j.spi.Availability;
import org.vcpu4j.spi.InterruptControllerBackend;
import org.vcpu4j.spi.aarch64.GicV3Model;
import org.vcpu4j.spi.VmBackend;

/**
 * An emulated VM: the latest guest-physical map, shared by its vCPUs. Heap and native segments are
 * both accepted. Every map change publishes a new {@link PhysicalMap} whose generation tells the
 * vCPUs to drop their cached translations. {@link #unmap} returns only when every running vCPU has
 * picked up the new map (at its next block boundary), so no access reaches an unmapped region after it.
 */
final class EmulatedVm implements VmBackend {
    /** Guest-physical addresses, sizes and host addresses are 4 KiB aligned. */
    static final long GRANULE = 4096;
    /** A 48-bit guest-physical space (ID_AA64MMFR0_EL1.PARange = 0b0101). */
    static final long ADDRESS_LIMIT = 1L << 48;

    private final long counterEpoch = System.nanoTime();
    private final AtomicLong codeGeneration = new AtomicLong();
    private volatile PhysicalMap physical = PhysicalMap.EMPTY;
    private final List<EmulatedVCpu> vcpus = new CopyOnWriteArrayList<>();
    /** The VM's GICv3, once created (before any vCPU: the library guarantees the order). */
    private volatile GicV3Model gic;
    private final boolean instructionCountedTime;

    EmulatedVm(boolean instructionCountedTime) {
        this.instructionCountedTime = instructionCountedTime;
    }

    @Override
    public long granule() {
        return GRANULE;
    }

    @Override
    public long addressLimit() {
        return ADDRESS_LIMIT;
    }

    @Override
    public void map(MemoryRegion region, GuestMemory after) {
        physical = PhysicalMap.of(after, physical.generation() + 1);
    }

    @Override
    public void unmap(MemoryRegion region, GuestMemory after) {
        PhysicalMap next = PhysicalMap.of(after, physical.generation() + 1);
        physical = next;
        for (EmulatedVCpu v : vcpus) {
            v.awaitMapGeneration(next.generation());
        }
    }

    void forget(EmulatedVCpu vcpu) {
        vcpus.remove(vcpu);
    }

    /** {@return the current guest-physical map} */
    PhysicalMap physical() {
        return physical;
    }

    @Override
    public Availability interruptControllerSupport(InterruptControllerConfig config) {
        return config instanceof InterruptControllerConfig.GicV3
                ? Availability.available("a user-space GICv3 (distributor, redistributors, CPU interface) and the "
                        + "generic timer at 62.5 MHz")
                : Availability.unavailable("the emulated backend runs AArch64 guests: it has a GICv3, not " + config);
    }

    @Override
    public InterruptControllerBackend createInterruptController(InterruptControllerConfig config) {
        GicV3Model model = new GicV3Model((InterruptControllerConfig.GicV3) config);
        gic = model;
        return model;
    }

    /** {@return the GIC, or null if the VM has none} */
    GicV3Model gic() {
        return gic;
    }

    @Override
    public ArchVCpu createVCpu(int id, VCpuCreateConfig config) {
        EmulatedVCpu vcpu = new EmulatedVCpu(this, (Aarch64CreateConfig) config, counterEpoch, codeGeneration,
                instructionCountedTime);
        vcpus.add(vcpu);
        return vcpu;
    }

    @Override
    public void close() {
        physical = PhysicalMap.of(GuestMemory.empty(GRANULE, ADDRESS_LIMIT), physical.generation() + 1);
    }
}
