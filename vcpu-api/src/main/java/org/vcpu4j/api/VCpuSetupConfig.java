package org.vcpu4j.api;

import org.vcpu4j.api.aarch64.Aarch64SetupConfig;
import org.vcpu4j.api.x86_64.X86_64SetupConfig;

/** Architecture-specific parameters for {@link VCpu#setup} (axvcpu's {@code SetupConfig}). */
public sealed interface VCpuSetupConfig permits Aarch64SetupConfig, X86_64SetupConfig {
    /** {@return the ISA this configuration is for} */
    GuestIsa isa();
}
