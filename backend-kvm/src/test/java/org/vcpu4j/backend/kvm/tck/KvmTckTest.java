package org.vcpu4j.backend.kvm.tck;

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

    @Override
    public int maxVCpus() {
        return 4;
    }
}
