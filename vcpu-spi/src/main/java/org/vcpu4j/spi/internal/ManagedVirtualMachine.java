package org.vcpu4j.spi.internal;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import org.vcpu4j.api.GuestIsa;
import org.vcpu4j.api.GuestMemory;
import org.vcpu4j.api.IllegalVCpuStateException;
import org.vcpu4j.api.MemoryMapException;
import org.vcpu4j.api.MemoryRegion;
import org.vcpu4j.api.VCpu;
import org.vcpu4j.api.VCpuCreateConfig;
import org.vcpu4j.api.VCpuState;
import org.vcpu4j.api.VirtualMachine;
import org.vcpu4j.spi.ArchVCpu;
import org.vcpu4j.spi.VmBackend;

/** The library's {@link VirtualMachine}: validates memory maps and vCPU ids around a {@link VmBackend}. */
public final class ManagedVirtualMachine implements VirtualMachine {
    private final GuestIsa isa;
    private final VmBackend backend;
    private final ManagedHypervisor owner;
    private final Arena arena = Arena.ofShared();
    private final Map<Integer, ManagedVCpu> vcpus = new TreeMap<>();
    private volatile GuestMemory memory;
    private boolean closed;

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
        GuestMemory next = memory.with(region);
        backend.map(region, next);
        memory = next;
        return region;
    }

    @Override
    public synchronized MemoryRegion mapRam(long guestAddress, long size) {
        ensureOpen();
        if (size <= 0 || (size & (backend.granule() - 1)) != 0) {
            throw new MemoryMapException(String.format(
                    "RAM size 0x%x must be a positive multiple of 0x%x", size, backend.granule()));
        }
        MemorySegment host = arena.allocate(size, Math.max(backend.granule(), 4096));
        return map(MemoryRegion.ram(guestAddress, host));
    }

    @Override
    public synchronized void unmap(long guestAddress) {
        ensureOpen();
        GuestMemory next = memory.without(guestAddress);
        MemoryRegion region = memory.regionAt(guestAddress).orElseThrow();
        backend.unmap(region, next);
        memory = next;
    }

    @Override
    public synchronized VCpu createVCpu(int id, VCpuCreateConfig config) {
        Objects.requireNonNull(config, "config");
        ensureOpen();
        if (id < 0) {
            throw new IllegalArgumentException("vCPU id must not be negative: " + id);
        }
        if (config.isa() != isa) {
            throw new IllegalArgumentException("this VM runs " + isa.displayName() + " guests; a "
                    + config.isa().displayName() + " create config does not apply");
        }
        if (vcpus.containsKey(id)) {
            throw new IllegalArgumentException("vCPU id " + id + " is already in use in this VM");
        }
        ArchVCpu arch = backend.createVCpu(id, config);
        ManagedVCpu vcpu = new ManagedVCpu(id, isa, arch, this);
        vcpus.put(id, vcpu);
        return vcpu;
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

    @Override
    public void close() {
        List<ManagedVCpu> toClose;
        synchronized (this) {
            if (closed) {
                return;
            }
            for (ManagedVCpu v : vcpus.values()) {
                if (v.isRunning()) {
                    throw new IllegalVCpuStateException("cannot close the VM: vCPU " + v.id()
                            + " is RUNNING; call requestExit() and let run() return first", VCpuState.RUNNING);
                }
            }
            closed = true;
            toClose = new ArrayList<>(vcpus.values());
        }
        try {
            for (ManagedVCpu v : toClose) {
                v.close();
            }
            backend.close();
        } finally {
            arena.close();
            owner.forget(this);
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("the virtual machine is closed");
        }
    }
}
