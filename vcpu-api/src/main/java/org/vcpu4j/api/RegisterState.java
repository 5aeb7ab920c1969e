package org.vcpu4j.api;

import org.vcpu4j.api.aarch64.Aarch64State;
import org.vcpu4j.api.x86_64.X86_64State;

/**
 * The full architectural state of a vCPU as a plain, immutable value: what {@link VCpu#saveState()}
 * returns and {@link VCpu#restoreState} takes. Portable between backends of the same ISA.
 */
public sealed interface RegisterState permits Aarch64State, X86_64State {
    /** {@return the ISA this state belongs to} */
    GuestIsa isa();
}
