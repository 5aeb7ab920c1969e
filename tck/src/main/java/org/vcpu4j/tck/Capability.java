package org.vcpu4j.tck;

/**
 * What a rule needs from a backend beyond the contract every backend keeps. A backend declares its
 * capabilities by overriding the methods of {@link VCpuBackendTck}; a rule whose capability is not
 * declared is skipped with the reason, never passed.
 */
public enum Capability {
    /** AArch64 guests (the AArch64 rules of areas SYS, PSCI, HVC). */
    AARCH64_GUEST("the backend runs aarch64 guests", "guestIsa()"),
    /** MRS/MSR of registers in the setup's trapped set become SysRegRead/SysRegWrite exits. */
    SYSREG_TRAPS("system-register traps reach the VMM", "sysRegTrapsReachVmm()"),
    /** PSCI calls become CpuUp/CpuDown/SystemDown/SystemReset exits instead of being handled inside. */
    PSCI_FORWARDED("PSCI calls are forwarded to the VMM", "psciForwarded()"),
    /** Hypercalls (HVC/SMC that are not PSCI; x86 VMCALL) become Hypercall exits. */
    HYPERCALLS("hypercalls reach the VMM", "hypercallsReachVmm()"),
    /** The saved state's SIMD&amp;FP registers are the guest's and can be restored. */
    FP_SIMD_STATE("SIMD&FP state is accessible through saveState/restoreState", "fpSimdStateAccessible()"),
    /** Writes of ICC_SGI1R_EL1 become SendIpi exits. */
    IPI_EXITS("ICC_SGI1R_EL1 writes surface as SendIpi exits", "ipisReachVmm()"),
    /** Injected interrupts reach the guest's vector table / IDT. */
    INTERRUPTS("injected interrupts reach the guest", "interruptsInjectable()"),
    /** A VM creates an interrupt controller (GICv3 at QEMU virt's frames; the x86 in-kernel irqchip). */
    INTERRUPT_CONTROLLER("the backend offers a VM interrupt controller", "interruptControllerOffered()"),
    /** A VM can run more than one vCPU at once. */
    SMP("more than one vCPU per VM", "maxVCpus()"),
    /** The host lets the TCK count the process's file descriptors (/proc/self/fd). */
    FD_COUNT("the host exposes /proc/self/fd to count descriptors", "(host: Linux)");

    private final String description;
    private final String declaredBy;

    Capability(String description, String declaredBy) {
        this.description = description;
        this.declaredBy = declaredBy;
    }

    /** {@return what the capability means, for skip reasons} */
    public String description() {
        return description;
    }

    /** {@return the {@link VCpuBackendTck} method that declares it} */
    public String declaredBy() {
        return declaredBy;
    }
}
