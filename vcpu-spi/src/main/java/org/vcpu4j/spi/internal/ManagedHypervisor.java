package org.vcpu4j.spi.internal;

import java.util.ArrayList;
import java.util.List;
import org.vcpu4j.api.GuestIsa;
import org.vcpu4j.api.Hypervisor;
import org.vcpu4j.api.VirtualMachine;
import org.vcpu4j.spi.HypervisorBackend;

/** The library's {@link Hypervisor}: one opened backend and the VMs it created. */
public final class ManagedHypervisor implements Hypervisor {
    private final String id;
    private final GuestIsa isa;
    private final HypervisorBackend backend;
    private final List<ManagedVirtualMachine> vms = new ArrayList<>();
    private boolean closed;

    /**
     * Wraps an opened backend.
     *
     * @param id the provider's id
     * @param isa the provider's guest ISA
     * @param backend the opened backend
     */
    public ManagedHypervisor(String id, GuestIsa isa, HypervisorBackend backend) {
        this.id = id;
        this.isa = isa;
        this.backend = backend;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public GuestIsa isa() {
        return isa;
    }

    @Override
    public synchronized VirtualMachine createVirtualMachine() {
        if (closed) {
            throw new IllegalStateException("hypervisor '" + id + "' is closed");
        }
        ManagedVirtualMachine vm = new ManagedVirtualMachine(isa, backend.createVm(), this);
        vms.add(vm);
        return vm;
    }

    synchronized void forget(ManagedVirtualMachine vm) {
        vms.remove(vm);
    }

    /**
     * Closes every VM, then the backend, atomically with {@code run()}: if a vCPU of any VM runs, throws
     * {@link org.vcpu4j.api.IllegalVCpuStateException} and changes nothing.
     */
    @Override
    public void close() {
        List<ManagedVirtualMachine> sealed = new ArrayList<>();
        synchronized (this) {
            if (closed) {
                return;
            }
            try {
                for (ManagedVirtualMachine vm : vms) {
                    if (vm.seal()) {
                        sealed.add(vm);
                    }
                }
            } catch (RuntimeException e) {
                sealed.forEach(ManagedVirtualMachine::unseal);
                throw e;
            }
            closed = true;
        }
        try {
            for (ManagedVirtualMachine vm : sealed) {
                vm.release();
            }
        } finally {
            backend.close();
        }
    }

    @Override
    public String toString() {
        return "Hypervisor[" + id + ", " + isa.displayName() + "]";
    }
}
