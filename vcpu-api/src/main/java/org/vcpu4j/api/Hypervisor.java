package org.vcpu4j.api;

/**
 * One opened backend: creates virtual machines. Obtain it from {@code org.vcpu4j.spi.Backends}.
 */
public interface Hypervisor extends AutoCloseable {

    /** {@return the backend's id, e.g. {@code emulated}, {@code kvm}, {@code hvf}} */
    String id();

    /** {@return the ISA of the guests this backend runs} */
    GuestIsa isa();

    /**
     * Creates a virtual machine.
     *
     * @return the new VM
     * @throws BackendException if the host refuses (a backend may allow only one VM at a time)
     */
    VirtualMachine createVirtualMachine();

    /**
     * Closes every VM this hypervisor created, then the backend. Idempotent. While a vCPU of any VM
     * runs, it throws and changes nothing.
     *
     * @throws IllegalVCpuStateException if a vCPU is running
     */
    @Override
    void close();
}
