package org.vcpu4j.api;

/** The shared messages of the debug operations' defaults. */
final class DebugSupport {
    private DebugSupport() {}

    static UnsupportedOperationException unsupported(DebugCapability capability) {
        return new UnsupportedOperationException("this vCPU's backend does not offer " + capability
                + " (see VCpu.debugCapabilities())");
    }

    static DebugCapability capabilityOf(BreakpointKind kind) {
        return kind == BreakpointKind.HARDWARE ? DebugCapability.HARDWARE_BREAKPOINTS
                : DebugCapability.SOFTWARE_BREAKPOINTS;
    }
}
