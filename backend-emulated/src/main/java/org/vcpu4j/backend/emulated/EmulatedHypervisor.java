package org.vcpu4j.backend.emulated;

import org.vcpu4j.spi.HypervisorBackend;
import org.vcpu4j.spi.VmBackend;

/** The opened emulated backend: it holds nothing but creates VMs. */
final class EmulatedHypervisor implements HypervisorBackend {
    private final boolean instructionCountedTime;

    EmulatedHypervisor(boolean instructionCountedTime) {
        this.instructionCountedTime = instructionCountedTime;
    }

    @Override
    public VmBackend createVm() {
        return new EmulatedVm(instructionCountedTime);
    }

    @Override
    public void close() {
        // Nothing is held outside the VMs.
    }
}
