package org.vcpu4j.api;

/** The instruction set a backend runs its guests in. */
public enum GuestIsa {
    /** Arm A64 (AArch64), guest at EL1 and EL0. */
    AARCH64,
    /** x86-64, guest entered in 64-bit long mode. */
    X86_64;

    /** {@return the number of general-purpose register indices {@link VCpu#gpr(int)} accepts} */
    public int gprCount() {
        return this == AARCH64 ? 32 : 16;
    }

    /** {@return a lower-case name for messages and command lines: {@code aarch64} or {@code x86_64}} */
    public String displayName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
