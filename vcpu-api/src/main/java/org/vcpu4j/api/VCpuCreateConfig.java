package org.vcpu4j.api;

import org.vcpu4j.api.aarch64.Aarch64CreateConfig;
import org.vcpu4j.api.x86_64.X86_64CreateConfig;

/** Architecture-specific parameters for creating a vCPU (axvcpu's {@code CreateConfig}). */
public sealed interface VCpuCreateConfig permits Aarch64CreateConfig, X86_64CreateConfig {
    /** {@return the ISA this configuration is for} */
    GuestIsa isa();
}
