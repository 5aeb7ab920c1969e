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

    @Override
    public void close() {
        List<ManagedVirtualMachine> toClose;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            toClose = new ArrayList<>(vms);
        }
        try {
            for (ManagedVirtualMachine vm : toClose) {
                vm.close();
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
