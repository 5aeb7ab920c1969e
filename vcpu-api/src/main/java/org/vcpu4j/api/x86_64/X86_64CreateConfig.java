package org.vcpu4j.api.x86_64;

import org.vcpu4j.api.GuestIsa;
import org.vcpu4j.api.VCpuCreateConfig;

/**
 * Parameters for creating an x86-64 vCPU.
 *
 * @param apicId the initial local APIC id the guest sees
 */
public record X86_64CreateConfig(int apicId) implements VCpuCreateConfig {
    /** {@return the configuration for the bootstrap processor, APIC id 0} */
    public static X86_64CreateConfig bootstrap() {
        return new X86_64CreateConfig(0);
    }

    @Override
    public GuestIsa isa() {
        return GuestIsa.X86_64;
    }
}
