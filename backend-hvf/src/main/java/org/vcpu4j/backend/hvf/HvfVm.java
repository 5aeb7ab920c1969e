package org.vcpu4j.backend.hvf;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.EnumSet;
import org.vcpu4j.api.AccessKind;
import org.vcpu4j.api.GuestMemory;
import org.vcpu4j.api.MemoryMapException;
import org.vcpu4j.api.MemoryRegion;
import org.vcpu4j.api.VCpuCreateConfig;
import org.vcpu4j.api.aarch64.Aarch64CreateConfig;
import org.vcpu4j.backend.hvf.sys.HvReg;
import org.vcpu4j.backend.hvf.sys.HvfApi;
import org.vcpu4j.backend.hvf.sys.HvfException;
import org.vcpu4j.spi.ArchVCpu;
import org.vcpu4j.spi.VmBackend;

/**
 * The process's Hypervisor.framework VM: guest memory through {@code hv_vm_map} in 16 KiB pages (the
 * Apple silicon page size), vCPUs created lazily by {@link HvfVCpu#bind()}.
 */
final class HvfVm implements VmBackend {
    /** Apple silicon's page size, the granule of {@code hv_vm_map}. */
    static final long GRANULE = 16 * 1024;
    /** The default IPA size of a VM created with a NULL configuration: 36 bits (64 GiB). */
    static final long ADDRESS_LIMIT = 1L << 36;
    /** The backend's scratch page ({@link VectorLoadStub}): the last page of the IPA space, kept from users. */
    static final long SCRATCH_IPA = ADDRESS_LIMIT - GRANULE;

    private final HvfApi api;
    private final Arena scratchArena = Arena.ofShared();
    private MemorySegment scratch;
    private long vtimerBase;
    private boolean closed;

    HvfVm(HvfApi api) {
        this.api = api;
    }

    /** Records the host count at creation: every vCPU's virtual count starts at 0 then, so all vCPUs agree. */
    void started() {
        vtimerBase = api.machAbsoluteTime();
    }

    /** {@return the vtimer offset new vCPUs get (the host count when the VM was created)} */
    long vtimerBase() {
        return vtimerBase;
    }

    HvfApi api() {
        return api;
    }

    @Override
    public long granule() {
        return GRANULE;
    }

    @Override
    public long addressLimit() {
        return SCRATCH_IPA;
    }

    /**
     * {@return the scratch page holding {@link VectorLoadStub}'s code, mapped read+execute at {@link
     * #SCRATCH_IPA} on first use; callers synchronise on this VM while they use it}
     */
    synchronized MemorySegment scratchPage() {
        if (scratch == null) {
            MemorySegment page = scratchArena.allocate(GRANULE, GRANULE);
            VectorLoadStub.writeCode(page);
            api.vmMap(page, SCRATCH_IPA, GRANULE, HvReg.MEMORY_READ | HvReg.MEMORY_EXEC);
            scratch = page;
        }
        return scratch;
    }

    @Override
    public void map(MemoryRegion region, GuestMemory after) {
        if (!region.host().isNative()) {
            throw new MemoryMapException("region " + region.describe() + " is backed by a Java heap segment;"
                    + " Hypervisor.framework maps host memory by address: allocate it natively (Arena.allocate"
                    + " with 16 KiB alignment) or use mapRam");
        }
        try {
            api.vmMap(region.host(), region.guestAddress(), region.size(), flags(region));
        } catch (HvfException e) {
            MemoryMapException m = new MemoryMapException("region " + region.describe() + " could not be mapped: "
                    + e.getMessage());
            m.initCause(e);
            throw m;
        }
    }

    /**
     * {@return the {@code hv_memory_flags_t} of a region's permissions}
     *
     * @param region the region
     */
    static long flags(MemoryRegion region) {
        EnumSet<AccessKind> p = EnumSet.copyOf(region.permissions());
        return (p.contains(AccessKind.READ) ? HvReg.MEMORY_READ : 0)
                | (p.contains(AccessKind.WRITE) ? HvReg.MEMORY_WRITE : 0)
                | (p.contains(AccessKind.EXECUTE) ? HvReg.MEMORY_EXEC : 0);
    }

    @Override
    public void unmap(MemoryRegion region, GuestMemory after) {
        api.vmUnmap(region.guestAddress(), region.size());
    }

    @Override
    public ArchVCpu createVCpu(int id, VCpuCreateConfig config) {
        return new HvfVCpu(this, id, (Aarch64CreateConfig) config);
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            api.vmDestroy();
        } finally {
            HvfBackend.released(this);
            scratchArena.close();
        }
    }

    @Override
    public String toString() {
        return "HvfVm@" + Integer.toHexString(System.identityHashCode(this));
    }
}
