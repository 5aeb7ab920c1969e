package org.vcpu4j.spi;

/** An opened backend: creates VMs. Implemented by backends; wrapped by the library. */
public interface HypervisorBackend extends AutoCloseable {

    /**
     * Creates a VM.
     *
     * @return the backend's VM
     * @throws org.vcpu4j.api.BackendException if the host refuses
     */
    VmBackend createVm();

    /** Releases the backend (after the library closed every VM). */
    @Override
    void close();
}
