package org.vcpu4j.api;

/**
 * What a backend's vCPU offers a debugger ({@link VCpu#debugCapabilities()}). An operation whose
 * capability is missing throws {@link UnsupportedOperationException} naming the capability, on every
 * backend alike (the library checks before it calls the backend).
 */
public enum DebugCapability {
    /** {@link VCpu#setSingleStep}: each {@link VCpu#run()} runs one instruction, then stops. */
    SINGLE_STEP,
    /** {@link VCpu#insertBreakpoint} with {@link BreakpointKind#SOFTWARE}. */
    SOFTWARE_BREAKPOINTS,
    /** {@link VCpu#insertBreakpoint} with {@link BreakpointKind#HARDWARE}. */
    HARDWARE_BREAKPOINTS,
    /** {@link VCpu#insertWatchpoint}: data breakpoints on guest-virtual ranges. */
    WATCHPOINTS,
    /** {@link VCpu#translateGva}: guest-virtual to guest-physical through the guest's own translation. */
    TRANSLATE_GVA
}
