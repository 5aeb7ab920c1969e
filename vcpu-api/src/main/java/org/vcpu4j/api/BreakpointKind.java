package org.vcpu4j.api;

/** How a breakpoint is implemented; gdb's {@code Z0} asks for software, {@code Z1} for hardware. */
public enum BreakpointKind {
    /** A software breakpoint (an emulator checks the PC; KVM uses {@code KVM_GUESTDBG_USE_SW_BP}). */
    SOFTWARE,
    /** A hardware breakpoint (debug registers; an emulator may treat it as software). */
    HARDWARE
}
