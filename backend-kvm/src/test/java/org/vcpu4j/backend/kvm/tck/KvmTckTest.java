package org.vcpu4j.backend.kvm.tck;

import org.vcpu4j.api.GuestIsa;
import org.vcpu4j.spi.Backends;
import org.vcpu4j.spi.VCpuBackendProvider;
import org.vcpu4j.tck.VCpuBackendTck;

/**
 * Runs the vcpu4j TCK against the KVM backend: x86-64 guests on x86-64 hosts, AArch64 guests on arm64
 * hosts (the capability defaults follow the host's guest ISA). Skipped with the probe's reason where
 * {@code /dev/kvm} is unusable, a failure instead when {@code vcpu4j.tck.requireAvailable=true}.
 */
class KvmTckTest extends VCpuBackendTck {

    @Override
    public VCpuBackendProvider provider() {
        return Backends.require("kvm");
    }

    /** KVM is required on Linux only; on other hosts the skip stays a skip. */
    @Override
    public boolean hostShouldSupportBackend() {
        return System.getProperty("os.name", "").startsWith("Linux");
    }

    /**
     * {@return true on x86_64 hosts; false on arm64, where IRQ-001 would run but cannot pass} KVM injects
     * into its in-kernel GICv3, which delivers an interrupt only when the guest has enabled the distributor
     * ({@code GICD_CTLR.EnableGrp1A}) and the interrupt ({@code GICD_ISENABLER}/{@code GICR_ISENABLER0}),
     * and holds a pulse pending only for edge-triggered interrupts (not PPIs, which KVM keeps
     * level-sensitive). IRQ-001's guest programs only the CPU interface (PMR, IGRPEN1), and draws INTIDs
     * 16-1019, PPIs included and some beyond the vGIC's 992 interrupts. {@code KvmVgicV3Test} covers the
     * KVM side instead.
     */
    @Override
    public boolean interruptsInjectable() {
        return guestIsa() != GuestIsa.AARCH64;
    }

    /**
     * {@return true on x86_64} The arm64 vGICv3 is configured through the contract (KvmVgicV3Test, on the fake
     * ioctl layer), but its VM-level state is not saved yet (INT-004), and no arm64 host runs these rules here.
     */
    @Override
    public boolean interruptControllerOffered() {
        return guestIsa() == GuestIsa.X86_64;
    }

    /**
     * {@return false: on arm64 the in-kernel GICv3 handles the guest's ICC_SGI1R_EL1 writes itself, so no
     * SendIpi exit reaches the VMM (IPI-001); x86_64 has no such rule}
     */
    @Override
    public boolean ipisReachVmm() {
        return false;
    }

    @Override
    public int maxVCpus() {
        return 4;
    }
}
