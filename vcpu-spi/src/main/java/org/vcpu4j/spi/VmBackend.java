package org.vcpu4j.spi;

import org.vcpu4j.api.GuestMemory;
import org.vcpu4j.api.InterruptControllerConfig;
import org.vcpu4j.api.MemoryRegion;
import org.vcpu4j.api.VCpuCreateConfig;

/**
 * A backend's VM. The library validates every region against {@link #granule()}, {@link
 * #addressLimit()} and the regions already mapped before it calls {@link #map}; the library serialises
 * calls to {@link #map}, {@link #unmap} and {@link #createVCpu}.
 */
public interface VmBackend extends AutoCloseable {

    /** {@return the alignment of guest addresses, sizes and host addresses of regions (a power of two)} */
    long granule();

    /** {@return the first guest-physical address a region may not reach} */
    long addressLimit();

    /**
     * {@return how this backend reserves the memory of {@link org.vcpu4j.api.VirtualMachine#mapRam}} The
     * default is {@link GuestRamAllocator#sparseFile()}, which needs no native access; a hardware backend
     * may reserve anonymous memory instead (e.g. {@code mmap} with {@code MAP_NORESERVE}).
     */
    default GuestRamAllocator ramAllocator() {
        return GuestRamAllocator.sparseFile();
    }

    /**
     * Maps a validated region.
     *
     * @param region the region
     * @param after the VM's memory map including the region
     * @throws org.vcpu4j.api.MemoryMapException if the backend cannot map it (e.g. heap memory on a
     *     hardware backend), with the reason
     */
    void map(MemoryRegion region, GuestMemory after);

    /**
     * Unmaps a region.
     *
     * @param region the region, as mapped
     * @param after the VM's memory map without the region
     */
    void unmap(MemoryRegion region, GuestMemory after);

    /**
     * {@return whether this backend can create an interrupt controller of this configuration (of the VM's
     * ISA, checked by the library), and why not} The default offers none.
     *
     * @param config the configuration
     */
    default Availability interruptControllerSupport(InterruptControllerConfig config) {
        return Availability.unavailable("this backend has no interrupt controller");
    }

    /**
     * Creates the VM's interrupt controller; called at most once, before any vCPU is created, and only
     * when {@link #interruptControllerSupport} said it is available.
     *
     * @param config the configuration
     * @return the controller
     */
    default InterruptControllerBackend createInterruptController(InterruptControllerConfig config) {
        throw new UnsupportedOperationException(interruptControllerSupport(config).reason());
    }

    /**
     * {@return the largest vCPU id {@link #createVCpu} accepts} The library refuses a larger id before it
     * calls the backend. The default, {@code Integer.MAX_VALUE}, is for backends that take any id.
     */
    default int maxVCpuId() {
        return Integer.MAX_VALUE;
    }

    /**
     * Creates a vCPU.
     *
     * @param id the id, 0 to {@link #maxVCpuId()} and unique in this VM (checked by the library)
     * @param config a configuration of the backend's ISA (checked by the library)
     * @return the backend's vCPU
     */
    ArchVCpu createVCpu(int id, VCpuCreateConfig config);

    /** Releases the VM (after the library closed every vCPU and before it frees library-owned memory). */
    @Override
    void close();
}
