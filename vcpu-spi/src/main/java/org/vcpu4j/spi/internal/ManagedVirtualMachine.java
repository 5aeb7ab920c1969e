package org.vcpu4j.spi.internal;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import org.vcpu4j.api.GuestIsa;
import org.vcpu4j.api.GuestMemory;
import org.vcpu4j.api.IllegalVCpuStateException;
import org.vcpu4j.api.InterruptController;
import org.vcpu4j.api.InterruptControllerConfig;
import org.vcpu4j.api.InterruptControllerSupport;
import org.vcpu4j.api.MemoryMapException;
import org.vcpu4j.api.MemoryRegion;
import org.vcpu4j.api.VCpu;
import org.vcpu4j.api.VCpuCreateConfig;
import org.vcpu4j.api.VCpuState;
import org.vcpu4j.api.VirtualMachine;
import org.vcpu4j.spi.ArchVCpu;
import org.vcpu4j.spi.Availability;
import org.vcpu4j.spi.VmBackend;

/**
 * The library's {@link VirtualMachine}: validates memory maps and vCPU ids around a {@link VmBackend}.
 *
 * <p>Ownership of guest memory: {@link #mapRam} memory belongs to the VM. It is checked first (alignment,
 * the backend's address limit, overlaps, and at most what the host could ever hold: {@link HostMemory}),
 * then reserved lazily by the backend's {@link org.vcpu4j.spi.GuestRamAllocator} in an arena of its own,
 * which is closed at once if the map is refused, when the region is unmapped, or when the VM closes.
 * Memory given to {@link #map} stays the caller's: the caller keeps its arena open until the region is
 * unmapped or the VM is closed. The VM refuses a segment whose scope is dead or confined to one thread
 * at {@code map()}, and every {@code run()} refuses to start while a mapped region's scope is dead, so
 * no guest starts on freed memory.
 *
 * <p>Closing: {@link #close} is atomic with {@code run()}: while any vCPU runs it throws and changes
 * nothing; once it has begun, no vCPU can enter {@code run()}.
 */
public final class ManagedVirtualMachine implements VirtualMachine {
    private final GuestIsa isa;
    private final VmBackend backend;
    private final ManagedHypervisor owner;
    /** The arena of each mapRam region, by guest address; guarded by this. */
    private final Map<Long, Arena> ramArenas = new HashMap<>();
    /** Arenas of unmapped regions that could not be closed at unmap (in use by another thread). */
    private final List<Arena> arenasToClose = new ArrayList<>();
    private final Map<Integer, ManagedVCpu> vcpus = new TreeMap<>();
    private volatile GuestMemory memory;
    private volatile ManagedInterruptController interruptController;
    /** Whether a vCPU was ever created (an interrupt controller must come first); guarded by this. */
    private boolean vcpuCreated;
    private volatile boolean closed;
    /** vCPUs inside run(), guarded by this. */
    private int running;

    ManagedVirtualMachine(GuestIsa isa, VmBackend backend, ManagedHypervisor owner) {
        this.isa = isa;
        this.backend = backend;
        this.owner = owner;
        this.memory = GuestMemory.empty(backend.granule(), backend.addressLimit());
    }

    @Override
    public GuestIsa isa() {
        return isa;
    }

    @Override
    public GuestMemory memory() {
        return memory;
    }

    @Override
    public synchronized MemoryRegion map(MemoryRegion region) {
        Objects.requireNonNull(region, "region");
        ensureOpen();
        checkHost(region);
        GuestMemory next = memory.with(region);
        backend.map(region, next);
        memory = next;
        return region;
    }

    @Override
    public synchronized MemoryRegion mapRam(long guestAddress, long size) {
        ensureOpen();
        checkRamPlacement(guestAddress, size);
        Arena regionArena = Arena.ofShared();
        try {
            MemorySegment host = reserveRam(size, regionArena);
            MemoryRegion region = map(MemoryRegion.ram(guestAddress, host));
            ramArenas.put(guestAddress, regionArena);
            return region;
        } catch (RuntimeException | Error e) {
            regionArena.close(); // a refused map keeps nothing
            throw e;
        }
    }

    /** Refuses a mapRam region before anything is reserved for it, with the messages of map(). */
    private void checkRamPlacement(long guestAddress, long size) {
        long granule = backend.granule();
        if (size <= 0 || (size & (granule - 1)) != 0) {
            throw new MemoryMapException(String.format(
                    "RAM size 0x%x must be a positive multiple of 0x%x", size, granule));
        }
        if ((guestAddress & (granule - 1)) != 0) {
            throw new MemoryMapException(String.format("RAM at 0x%x (0x%x bytes) is misaligned: address and size "
                    + "must be multiples of 0x%x", guestAddress, size, granule));
        }
        long limit = backend.addressLimit();
        if (guestAddress < 0 || guestAddress > limit || size > limit - guestAddress) {
            throw new MemoryMapException(String.format("RAM [0x%x, +0x%x) reaches beyond the guest-physical limit "
                    + "0x%x of this backend", guestAddress, size, limit));
        }
        long end = guestAddress + size;
        for (MemoryRegion r : memory.regions()) {
            if (guestAddress < r.end() && r.guestAddress() < end) {
                throw new MemoryMapException(String.format("RAM [0x%x, 0x%x) overlaps region %s",
                        guestAddress, end, r.describe()));
            }
        }
        if (size > HostMemory.RESERVABLE) {
            throw new MemoryMapException(String.format("RAM of 0x%x bytes (%s) is more than this host's memory and "
                    + "swap (%s) could ever hold", size, HostMemory.describe(size),
                    HostMemory.describe(HostMemory.RESERVABLE)));
        }
    }

    private MemorySegment reserveRam(long size, Arena regionArena) {
        long alignment = Math.max(backend.granule(), 4096);
        MemorySegment host;
        try {
            host = backend.ramAllocator().reserve(size, alignment, regionArena);
        } catch (OutOfMemoryError e) {
            throw new MemoryMapException(String.format("the host cannot reserve 0x%x bytes (%s) of guest RAM: %s",
                    size, HostMemory.describe(size), e.getMessage()));
        }
        if (host.byteSize() != size || (host.address() & (alignment - 1)) != 0 || !host.isNative()
                || !host.scope().equals(regionArena.scope())) {
            throw new MemoryMapException(String.format("the backend's RAM allocator returned %s for 0x%x bytes "
                    + "aligned to 0x%x in the region's arena", host, size, alignment));
        }
        return host;
    }

    @Override
    public synchronized void unmap(long guestAddress) {
        ensureOpen();
        GuestMemory next = memory.without(guestAddress);
        MemoryRegion region = memory.regionAt(guestAddress).orElseThrow();
        backend.unmap(region, next);
        memory = next;
        Arena ram = ramArenas.remove(guestAddress);
        if (ram != null) {
            try {
                ram.close(); // no vCPU can reach the region any more: backend.unmap() guarantees it
            } catch (IllegalStateException e) {
                arenasToClose.add(ram); // in use by another thread right now: freed when the VM closes
            }
        }
    }

    @Override
    public InterruptControllerSupport interruptControllerSupport(InterruptControllerConfig config) {
        Objects.requireNonNull(config, "config");
        if (config.isa() != isa) {
            return new InterruptControllerSupport(false, "this VM runs " + isa.displayName() + " guests; "
                    + config + " is for " + config.isa().displayName());
        }
        Availability a = Objects.requireNonNull(backend.interruptControllerSupport(config), "support");
        return new InterruptControllerSupport(a.available(), a.reason());
    }

    @Override
    public synchronized InterruptController createInterruptController(InterruptControllerConfig config) {
        Objects.requireNonNull(config, "config");
        ensureOpen();
        if (config.isa() != isa) {
            throw new IllegalArgumentException("this VM runs " + isa.displayName() + " guests; " + config
                    + " is for " + config.isa().displayName());
        }
        if (interruptController != null) {
            throw new IllegalStateException("this VM already has its interrupt controller: "
                    + interruptController.config());
        }
        if (vcpuCreated) {
            throw new IllegalStateException("create the interrupt controller before the first vCPU: vCPU(s) "
                    + vcpus.keySet() + " exist already");
        }
        Availability a = backend.interruptControllerSupport(config);
        if (!a.available()) {
            throw new UnsupportedOperationException("this backend cannot create " + config + ": " + a.reason());
        }
        ManagedInterruptController c = new ManagedInterruptController(config,
                Objects.requireNonNull(backend.createInterruptController(config), "backend returned null"), this);
        interruptController = c;
        return c;
    }

    @Override
    public Optional<InterruptController> interruptController() {
        return Optional.ofNullable(interruptController);
    }

    /** Throws if the VM is closed (a device raising a line after close gets a clear error). */
    void ensureOpenForDevices() {
        if (closed) {
            throw new IllegalStateException("the virtual machine is closed");
        }
    }

    @Override
    public synchronized VCpu createVCpu(int id, VCpuCreateConfig config) {
        Objects.requireNonNull(config, "config");
        ensureOpen();
        if (id < 0) {
            throw new IllegalArgumentException("vCPU id must not be negative: " + id);
        }
        int maxId = backend.maxVCpuId();
        if (id > maxId) {
            throw new IllegalArgumentException("vCPU id " + id + " is out of range: this backend's VMs take ids 0 to "
                    + maxId + " (VirtualMachine.maxVCpuId())");
        }
        if (config.isa() != isa) {
            throw new IllegalArgumentException("this VM runs " + isa.displayName() + " guests; a "
                    + config.isa().displayName() + " create config does not apply");
        }
        if (vcpus.containsKey(id)) {
            throw new IllegalArgumentException("vCPU id " + id + " is already in use in this VM");
        }
        ArchVCpu arch = backend.createVCpu(id, config);
        vcpuCreated = true;
        ManagedVCpu vcpu = new ManagedVCpu(id, isa, arch, this);
        vcpus.put(id, vcpu);
        return vcpu;
    }

    @Override
    public int maxVCpuId() {
        return backend.maxVCpuId();
    }

    @Override
    public synchronized List<VCpu> vcpus() {
        return List.copyOf(vcpus.values());
    }

    @Override
    public synchronized Optional<VCpu> vcpu(int id) {
        return Optional.ofNullable(vcpus.get(id));
    }

    synchronized void forget(ManagedVCpu vcpu) {
        vcpus.remove(vcpu.id(), vcpu);
    }

    /**
     * Called by a vCPU (holding its own lock) as it enters run(): refuses if the VM is closed or a region's
     * memory was freed; otherwise counts the vCPU as running until {@link #exitRun()}.
     */
    synchronized void enterRun(int vcpuId) {
        if (closed) {
            throw new IllegalStateException("vCPU " + vcpuId + ": the virtual machine is closed");
        }
        for (MemoryRegion r : memory.regions()) {
            if (!r.host().scope().isAlive()) {
                throw new IllegalStateException("vCPU " + vcpuId + ": the host memory of region " + r.describe()
                        + " was freed (its arena is closed) while mapped; unmap it before closing its arena");
            }
        }
        running++;
    }

    synchronized void exitRun() {
        running--;
    }

    @Override
    public void close() {
        if (seal()) {
            release();
        }
    }

    /**
     * Marks the VM closed unless a vCPU runs (then throws and changes nothing).
     *
     * @return false if it was already closed
     */
    synchronized boolean seal() {
        if (closed) {
            return false;
        }
        if (running > 0) {
            String ids = vcpus.values().stream().filter(ManagedVCpu::isRunning)
                    .map(v -> String.valueOf(v.id())).reduce((a, b) -> a + ", " + b).orElse("?");
            throw new IllegalVCpuStateException("cannot close the VM: vCPU " + ids
                    + " is RUNNING; call requestExit() and let run() return first", VCpuState.RUNNING);
        }
        closed = true;
        return true;
    }

    /** Undoes {@link #seal()} when the owning hypervisor could not close all its VMs. */
    synchronized void unseal() {
        closed = false;
    }

    /** Closes the vCPUs, the backend and the VM's memory; called once, after {@link #seal()}. */
    void release() {
        List<ManagedVCpu> toClose;
        synchronized (this) {
            toClose = new ArrayList<>(vcpus.values());
        }
        try {
            for (ManagedVCpu v : toClose) {
                v.closeByVm();
            }
            backend.close();
        } finally {
            List<Arena> ram;
            synchronized (this) {
                ram = new ArrayList<>(ramArenas.values());
                ram.addAll(arenasToClose);
                ramArenas.clear();
                arenasToClose.clear();
            }
            for (Arena a : ram) {
                try {
                    a.close();
                } catch (IllegalStateException e) {
                    // another thread is reading the memory through a segment it kept: it cannot be freed now
                }
            }
            owner.forget(this);
        }
    }

    private static void checkHost(MemoryRegion region) {
        MemorySegment host = region.host();
        if (!host.scope().isAlive()) {
            throw new MemoryMapException("cannot map " + region.describe()
                    + ": its host memory is already freed (the segment's arena is closed)");
        }
        if (!host.isAccessibleBy(new Thread(() -> { }))) {
            throw new MemoryMapException("cannot map " + region.describe() + ": its host memory belongs to a "
                    + "confined arena (Arena.ofConfined()), which only its owner thread may touch; vCPUs run on "
                    + "other threads: use Arena.ofShared(), Arena.ofAuto() or mapRam()");
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("the virtual machine is closed");
        }
    }
}
