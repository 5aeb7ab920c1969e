package org.vcpu4j.api;

import java.util.List;
import java.util.Optional;

/**
 * A virtual machine: it owns guest memory and creates vCPUs by id. Thread-safe.
 */
public interface VirtualMachine extends AutoCloseable {

    /** {@return the ISA of this VM's guests} */
    GuestIsa isa();

    /** {@return the current guest-physical memory map (an immutable snapshot)} */
    GuestMemory memory();

    /**
     * Maps host memory into the guest. The memory stays the caller's: keep its arena open until the
     * region is unmapped or the VM is closed ({@code run()} refuses to start while a mapped region's memory
     * is freed). Use {@link #mapRam} for memory the VM owns.
     *
     * @param region the region; it must be aligned to {@link GuestMemory#granule()} and overlap nothing
     * @return the region, as mapped
     * @throws MemoryMapException if the region is refused, with the reason and the addresses; among them
     *     a segment whose arena is closed, and one of a confined arena (vCPUs run on other threads)
     */
    MemoryRegion map(MemoryRegion region);

    /**
     * Reserves zeroed, page-aligned native memory owned by this VM and maps it as RAM (read, write,
     * execute). The memory is reserved lazily, as QEMU and rust-vmm do: a page costs host memory when the
     * guest or the caller first touches it, so a large RAM that the guest barely uses is cheap. The region
     * is checked before anything is reserved. The memory is freed when the region is unmapped or the VM is
     * closed (the returned region's segment is then no longer accessible), and at once if the map is
     * refused.
     *
     * @param guestAddress the guest-physical address
     * @param size the size in bytes, a multiple of the granule
     * @return the mapped region
     * @throws MemoryMapException if the region is refused: misaligned, beyond the backend's guest-physical
     *     limit, overlapping a region, larger than the host's memory and swap could ever hold, or not
     *     reservable by the host
     */
    MemoryRegion mapRam(long guestAddress, long size);

    /**
     * Removes the region that starts at {@code guestAddress} from the guest.
     *
     * @param guestAddress the start of a mapped region
     * @throws MemoryMapException if no region starts there
     */
    void unmap(long guestAddress);

    /**
     * Creates a vCPU in state {@link VCpuState#CREATED}.
     *
     * @param id the vCPU id, unique in this VM, 0 to {@link #maxVCpuId()}
     * @param config the ISA's create configuration
     * @return the new vCPU
     * @throws IllegalArgumentException if the id is negative, above {@link #maxVCpuId()} or in use, or the
     *     config is for another ISA; on every backend, before the backend is asked, and the VM stays usable
     */
    VCpu createVCpu(int id, VCpuCreateConfig config);

    /**
     * {@return the largest vCPU id {@link #createVCpu} accepts} It is the backend's: KVM's {@code
     * KVM_CAP_MAX_VCPU_ID} less one, {@code Integer.MAX_VALUE} on the emulator.
     */
    int maxVCpuId();

    /** {@return the vCPUs created and not closed, by id} */
    List<VCpu> vcpus();

    /**
     * {@return the vCPU with this id, if it exists and is not closed}
     *
     * @param id the vCPU id
     */
    Optional<VCpu> vcpu(int id);

    /**
     * {@return whether this VM can create an interrupt controller of this configuration, and why not}
     * Never throws for a configuration of another ISA: it says so.
     *
     * @param config the configuration
     */
    InterruptControllerSupport interruptControllerSupport(InterruptControllerConfig config);

    /**
     * Creates the VM's interrupt controller: once, before the first vCPU is created (KVM wants the x86
     * irqchip before {@code KVM_CREATE_VCPU}, and every backend sizes the redistributors from the vCPUs).
     * From then on the timer's PPIs, SGIs and the lines of {@link InterruptController} go through it,
     * and MMIO to its frames is served inside the backend (no exits).
     *
     * @param config the configuration, of this VM's ISA
     * @return the controller
     * @throws IllegalArgumentException if the config is for another ISA
     * @throws IllegalStateException if a controller exists already, a vCPU was already created, or the VM
     *     is closed
     * @throws UnsupportedOperationException if the backend cannot offer it ({@link
     *     #interruptControllerSupport} says why)
     */
    InterruptController createInterruptController(InterruptControllerConfig config);

    /** {@return the interrupt controller, if one was created} */
    Optional<InterruptController> interruptController();

    /**
     * Closes every vCPU, unmaps all memory and releases the VM. Idempotent. Atomic with {@link VCpu#run}:
     * while a vCPU runs, it throws and changes nothing; once it has begun, {@code run()} is refused.
     *
     * @throws IllegalVCpuStateException if a vCPU is running (call {@link VCpu#requestExit} first)
     */
    @Override
    void close();
}
