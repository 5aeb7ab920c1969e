package org.vcpu4j.backend.emulated.tck;

import org.vcpu4j.spi.Backends;
import org.vcpu4j.spi.VCpuBackendProvider;
import org.vcpu4j.tck.VCpuBackendTck;

/**
 * Runs the vcpu4j TCK against the emulated backend. It keeps the AArch64 defaults (every capability) and
 * declares four vCPUs per VM, so no rule is skipped.
 */
class EmulatedTckTest extends VCpuBackendTck {

    @Override
    public VCpuBackendProvider provider() {
        return Backends.require("emulated");
    }

    @Override
    public int maxVCpus() {
        return 4;
    }
}
