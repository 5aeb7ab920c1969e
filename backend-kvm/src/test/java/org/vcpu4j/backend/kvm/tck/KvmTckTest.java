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
        return Backends.provider("kvm").orElseThrow();
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
     * and holds a pulse pending only for interrupts the guest configured edge-triggered. IRQ-001's guest
     * programs only the CPU interface (PMR, IGRPEN1), and draws INTIDs up to 1019, beyond the vGIC's 992
     * interrupts. The KVM behaviour is covered by {@code KvmVgicV3Test} instead.
     */
    @Override
    public boolean interruptsInjectable() {
        return guestIsa() != GuestIsa.AARCH64;
    }

    @Override
    public int maxVCpus() {
        return 4;
    }
}
