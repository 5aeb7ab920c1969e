package org.vcpu4j.backend.hvf.tck;

import org.vcpu4j.spi.Backends;
import org.vcpu4j.spi.VCpuBackendProvider;
import org.vcpu4j.tck.VCpuBackendTck;

/**
 * Runs the vcpu4j TCK against the Hypervisor.framework backend (AArch64 guests on Apple silicon macOS).
 * Everywhere else the backend is unavailable and every rule is skipped with the probe's reason.
 */
class HvfTckTest extends VCpuBackendTck {

    @Override
    public VCpuBackendProvider provider() {
        return Backends.require("hvf");
    }

    /** Only macOS on Apple silicon must run HVF; elsewhere the skip stays a skip even when CI requires backends. */
    @Override
    public boolean hostShouldSupportBackend() {
        return System.getProperty("os.name", "").startsWith("Mac") && "aarch64".equals(System.getProperty("os.arch"));
    }

    /** Neither hv_gic nor the shared user-space GIC is wired to the contract's interrupt controller yet. */
    @Override
    public boolean interruptControllerOffered() {
        return false;
    }

    @Override
    public int maxVCpus() {
        return 4;
    }
}
