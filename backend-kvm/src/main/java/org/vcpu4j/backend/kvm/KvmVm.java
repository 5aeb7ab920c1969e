package org.vcpu4j.backend.kvm;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;
import org.vcpu4j.api.AccessKind;
import org.vcpu4j.api.GuestIsa;
import org.vcpu4j.api.GuestMemory;
import org.vcpu4j.api.InterruptControllerConfig;
import org.vcpu4j.api.MemoryMapException;
import org.vcpu4j.api.MemoryRegion;
import org.vcpu4j.api.VCpuCreateConfig;
import org.vcpu4j.api.aarch64.Aarch64CreateConfig;
import org.vcpu4j.backend.kvm.sys.KvmDeviceAttr;
import org.vcpu4j.backend.kvm.sys.KvmIoctls;
import org.vcpu4j.backend.kvm.sys.KvmSmcccFilter;
import org.vcpu4j.backend.kvm.sys.KvmUserspaceMemoryRegion;
import org.vcpu4j.backend.kvm.sys.KvmVcpuInit;
import org.vcpu4j.backend.kvm.sys.NoReserveRam;
import org.vcpu4j.spi.ArchVCpu;
import org.vcpu4j.spi.Availability;
import org.vcpu4j.spi.InterruptControllerBackend;
import org.vcpu4j.spi.GuestRamAllocator;
import org.vcpu4j.spi.VmBackend;
import org.vcpu4j.spi.aarch64.Psci;

/**
 * A KVM VM ({@code KVM_CREATE_VM}): each mapped region is one memory slot; vCPUs are created on its fd.
 * On arm64 the VM also forwards PSCI calls to user space through the SMCCC filter when the kernel has
 * it, reads the preferred vCPU target once, and creates the in-kernel GICv3 ({@link KvmVgicV3}), which
 * the first {@code run()} of any vCPU initialises; from then on no vCPU can be created.
 */
final class KvmVm implements VmBackend {
    /** Guest-physical limit: the 512 GiB the x86_64 setup's identity map (one PML4 entry) covers. */
    static final long ADDRESS_LIMIT = 1L << 39;
    /** Page size, the alignment of slots. */
    static final long GRANULE = 4096;
    /** {@code sizeof(struct kvm_enable_cap)}: cap u32, flags u32, args u64[4], pad u8[64]. */
    private static final long ENABLE_CAP_SIZE = 104;

    private final KvmCalls calls;
    private final int vmFd;
    private final GuestIsa isa;
    private final long runMmapSize;
    private final boolean readonlyMemory;
    private final MemorySegment supportedCpuid;
    private final BitSet usedSlots = new BitSet();
    private final Map<Long, Integer> slotByAddress = new HashMap<>();
    private volatile GuestMemory memory = GuestMemory.empty(GRANULE, ADDRESS_LIMIT);
    private int arm64Target = -1;
    private boolean psciForwarded;
    private KvmVgicV3 vgic;
    /** vCPUs KVM_CREATE_VCPU made: KVM's vCPU index (kvm_get_vcpu) of the next one. */
    private int vcpusCreated;
    private boolean closed;
    private volatile boolean x86Irqchip;
    private final int maxVCpuId;

    KvmVm(KvmCalls calls, int vmFd, GuestIsa isa, long runMmapSize, boolean readonlyMemory,
            MemorySegment supportedCpuid) {
        this.calls = calls;
        this.supportedCpuid = supportedCpuid;
        this.vmFd = vmFd;
        this.isa = isa;
        this.runMmapSize = runMmapSize;
        this.readonlyMemory = readonlyMemory;
        this.maxVCpuId = queryMaxVCpuId(calls, vmFd);
        if (isa == GuestIsa.AARCH64) {
            configureArm64();
        }
    }

    /**
     * KVM_CREATE_VCPU takes ids below {@code KVM_CAP_MAX_VCPU_ID}, or below {@code KVM_CAP_MAX_VCPUS} where
     * that capability is missing (Documentation/virt/kvm/api.rst, 4.7 KVM_CREATE_VCPU).
     */
    @Override
    public int maxVCpuId() {
        return maxVCpuId;
    }

    private static int queryMaxVCpuId(KvmCalls calls, int vmFd) {
        int limit = calls.ioctl(vmFd, KvmIoctls.KVM_CHECK_EXTENSION, KvmIoctls.KVM_CAP_MAX_VCPU_ID);
        if (limit <= 0) {
            limit = calls.ioctl(vmFd, KvmIoctls.KVM_CHECK_EXTENSION, KvmIoctls.KVM_CAP_MAX_VCPUS);
        }
        return limit > 0 ? limit - 1 : Integer.MAX_VALUE;
    }

    private void configureArm64() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment init = arena.allocate(KvmVcpuInit.layout());
            calls.ioctl(vmFd, KvmIoctls.KVM_ARM_PREFERRED_TARGET, init);
            arm64Target = KvmVcpuInit.target(init);
            MemorySegment filter = arena.allocate(KvmSmcccFilter.layout());
            MemorySegment attr = arena.allocate(KvmDeviceAttr.layout());
            KvmDeviceAttr.fill(attr, KvmIoctls.KVM_ARM_VM_SMCCC_CTRL, KvmIoctls.KVM_ARM_VM_SMCCC_FILTER, filter);
            boolean hasFilter;
            try {
                calls.ioctl(vmFd, KvmIoctls.KVM_HAS_DEVICE_ATTR, attr);
                hasFilter = true;
            } catch (KvmException e) {
                hasFilter = false; // older kernel: PSCI stays in the kernel
            }
            if (hasFilter) {
                // Forward both PSCI function-id ranges (SMC32 0x84000000-1F, SMC64 0xC4000000-1F) to user space.
                for (int base : new int[] {Psci.BASE32, Psci.BASE64}) {
                    KvmSmcccFilter.fill(filter, base, 0x20, KvmIoctls.KVM_SMCCC_FILTER_FWD_TO_USER);
                    calls.ioctl(vmFd, KvmIoctls.KVM_SET_DEVICE_ATTR, attr);
                }
                psciForwarded = true;
            }
            if (calls.ioctl(vmFd, KvmIoctls.KVM_CHECK_EXTENSION, KvmIoctls.KVM_CAP_ARM_NISV_TO_USER) > 0) {
                MemorySegment cap = arena.allocate(ENABLE_CAP_SIZE, 8);
                cap.set(ValueLayout.JAVA_INT, 0, KvmIoctls.KVM_CAP_ARM_NISV_TO_USER);
                calls.ioctl(vmFd, KvmIoctls.KVM_ENABLE_CAP, cap);
            }
        }
        // The vGIC comes with createInterruptController (configured) or the first vCPU (QEMU virt's layout);
        // CTRL_INIT waits for the first run (initialiseVgic).
    }

    /** {@return the in-kernel GICv3 (arm64; null on x86_64)} */
    KvmVgicV3 vgic() {
        return vgic;
    }

    /**
     * Initialises the vGIC before a vCPU's first {@code KVM_RUN}, once per VM: every vCPU that exists
     * has been created and {@code KVM_ARM_VCPU_INIT}-ed (the constructor does both), and, since this runs
     * under the VM's lock and before any vCPU's first entry, none has entered the guest.
     */
    synchronized void initialiseVgic() {
        vgic.initialise();
    }

    /** {@return whether PSCI calls reach user space as hypercall exits (arm64)} */
    boolean psciForwarded() {
        return psciForwarded;
    }

    /** {@return the current memory map} */
    GuestMemory memory() {
        return memory;
    }

    @Override
    public long granule() {
        return GRANULE;
    }

    @Override
    public long addressLimit() {
        return ADDRESS_LIMIT;
    }

    /** {@return anonymous {@code MAP_NORESERVE} memory, committed page by page as the guest touches it} */
    @Override
    public GuestRamAllocator ramAllocator() {
        return NoReserveRam.INSTANCE;
    }

    @Override
    public synchronized void map(MemoryRegion region, GuestMemory after) {
        MemorySegment host = region.host();
        if (!host.isNative()) {
            throw new MemoryMapException("region " + region.describe() + ": KVM maps native memory only (allocate it "
                    + "with an Arena or mmap, 4 KiB-aligned); a heap segment cannot back guest memory");
        }
        if ((host.address() & (GRANULE - 1)) != 0) {
            throw new MemoryMapException(String.format("region %s: host memory at 0x%x is not 4 KiB-aligned",
                    region.describe(), host.address()));
        }
        int flags = 0;
        if (!region.allows(AccessKind.WRITE)) {
            if (!readonlyMemory) {
                throw new MemoryMapException("region " + region.describe() + " is read-only, but this kernel lacks "
                        + "KVM_CAP_READONLY_MEM; map it writable");
            }
            flags = KvmIoctls.KVM_MEM_READONLY;
        }
        int slot = usedSlots.nextClearBit(0);
        setSlot(slot, flags, region.guestAddress(), region.size(), host.address());
        usedSlots.set(slot);
        slotByAddress.put(region.guestAddress(), slot);
        memory = after;
    }

    @Override
    public synchronized void unmap(MemoryRegion region, GuestMemory after) {
        Integer slot = slotByAddress.remove(region.guestAddress());
        if (slot == null) {
            throw new MemoryMapException("region " + region.describe() + " is not mapped in this VM");
        }
        setSlot(slot, 0, region.guestAddress(), 0, 0);
        usedSlots.clear(slot);
        memory = after;
    }

    private void setSlot(int slot, int flags, long guestAddress, long size, long hostAddress) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(KvmUserspaceMemoryRegion.layout());
            KvmUserspaceMemoryRegion.fill(s, slot, flags, guestAddress, size, hostAddress);
            calls.ioctl(vmFd, KvmIoctls.KVM_SET_USER_MEMORY_REGION, s);
        }
    }

    @Override
    public Availability interruptControllerSupport(InterruptControllerConfig config) {
        if (config instanceof InterruptControllerConfig.X86Irqchip) {
            return Availability.available("KVM_CREATE_IRQCHIP (PICs, IOAPIC, LAPICs) and KVM_CREATE_PIT2 in the kernel");
        }
        return KvmVgicV3.supported(calls, vmFd)
                ? Availability.available("the in-kernel vGICv3 (KVM_DEV_TYPE_ARM_VGIC_V3) at the configured frames")
                : Availability.unavailable("this KVM has no in-kernel GICv3 (KVM_CREATE_DEVICE_TEST for "
                        + "KVM_DEV_TYPE_ARM_VGIC_V3 failed)");
    }

    @Override
    public synchronized InterruptControllerBackend createInterruptController(InterruptControllerConfig config) {
        if (config instanceof InterruptControllerConfig.GicV3 gic) {
            KvmVgicV3 created = KvmVgicV3.create(calls, vmFd, gic.distributorBase(), gic.redistributorBase(),
                    32 + gic.spiCount());
            if (!created.available()) {
                created.requireAvailable(gic.firstLine());
            }
            vgic = created;
            return new InterruptControllerBackend() {
                @Override
                public void setLevel(int line, boolean high) {
                    created.setSpiLevel(line, high);
                }
            };
        }
        InterruptControllerBackend chip = KvmX86Irqchip.create(calls, vmFd, (InterruptControllerConfig.X86Irqchip) config);
        x86Irqchip = true;
        return chip;
    }

    /** {@return whether the x86 in-kernel irqchip exists (then the LAPIC, not KVM_INTERRUPT, takes vectors)} */
    boolean hasX86Irqchip() {
        return x86Irqchip;
    }

    /** Delivers {@code vector} to the LAPIC with {@code apicId} as an MSI (the in-kernel irqchip exists). */
    void signalMsi(int apicId, int vector) {
        KvmX86Irqchip.signalMsi(calls, vmFd, apicId, vector);
    }

    @Override
    public synchronized ArchVCpu createVCpu(int id, VCpuCreateConfig config) {
        if (closed) {
            throw new IllegalStateException("the VM is closed");
        }
        if (vgic != null && vgic.initialised()) {
            throw new IllegalStateException("vCPU " + id + " cannot be created: this VM's in-kernel GICv3 was "
                    + "initialised (KVM_DEV_ARM_VGIC_CTRL_INIT) when a vCPU first ran, and KVM refuses "
                    + "KVM_CREATE_VCPU after that (EBUSY); create every vCPU before the first run()");
        }
        if (isa == GuestIsa.AARCH64 && vgic == null) {
            vgic = KvmVgicV3.create(calls, vmFd); // no controller configured: QEMU virt's, as before issue 13
        }
        if (vgic != null && vgic.available() && vcpusCreated >= vgic.maxRedistributors()) {
            throw new IllegalStateException(String.format("vCPU %d cannot be created: this VM has %d vCPUs, and "
                    + "QEMU virt's redistributor region 0x%x-0x08ff_ffff holds %d redistributors", id, vcpusCreated,
                    KvmVgicV3.REDISTRIBUTOR_BASE, KvmVgicV3.MAX_REDISTRIBUTORS));
        }
        int vcpuFd = calls.ioctl(vmFd, KvmIoctls.KVM_CREATE_VCPU, id);
        int index = vcpusCreated++; // KVM keeps the vCPU (and its index) until the VM goes, even if we fail below
        MemorySegment run;
        try {
            run = calls.mapRun(vcpuFd, runMmapSize);
        } catch (RuntimeException e) {
            calls.close(vcpuFd);
            throw e;
        }
        try {
            return switch (isa) {
                case X86_64 -> new KvmX86VCpu(calls, vcpuFd, run, this, supportedCpuid,
                        ((org.vcpu4j.api.x86_64.X86_64CreateConfig) config).apicId());
                case AARCH64 -> new KvmArm64VCpu(calls, vcpuFd, run, arm64Target, (Aarch64CreateConfig) config,
                        psciForwarded, this, id, index);
            };
        } catch (RuntimeException e) {
            calls.unmapRun(run);
            calls.close(vcpuFd);
            throw e;
        }
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            try {
                if (vgic != null) {
                    vgic.close();
                }
            } finally {
                calls.close(vmFd);
            }
        }
    }
}
