package org.vcpu4j.api.aarch64;

import org.vcpu4j.api.GuestIsa;
import org.vcpu4j.api.VCpuCreateConfig;

/**
 * Parameters for creating an AArch64 vCPU (arm_vcpu's {@code Aarch64VCpuCreateConfig}).
 *
 * @param mpidr the affinity the guest reads from MPIDR_EL1 (bit 31, RES1, is added by the backend)
 * @param dtbAddress the guest-physical address of the device tree, placed in x0 at creation (0 for none)
 */
public record Aarch64CreateConfig(long mpidr, long dtbAddress) implements VCpuCreateConfig {

    /** {@return a configuration with affinity {@code mpidr} and no device tree}
     *
     * @param mpidr the affinity (Aff0 in bits 7:0 ...)
     */
    public static Aarch64CreateConfig ofMpidr(long mpidr) {
        return new Aarch64CreateConfig(mpidr, 0);
    }

    @Override
    public GuestIsa isa() {
        return GuestIsa.AARCH64;
    }
}
