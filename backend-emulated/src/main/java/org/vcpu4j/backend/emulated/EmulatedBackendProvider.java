package org.vcpu4j.backend.emulated;

import org.vcpu4j.api.GuestIsa;
import org.vcpu4j.spi.Availability;
import org.vcpu4j.spi.HypervisorBackend;
import org.vcpu4j.spi.VCpuBackendProvider;

/**
 * The emulated backend's provider: id {@code emulated}, AArch64 guests, priority 10 (below the
 * hardware backends), always available.
 */
public final class EmulatedBackendProvider implements VCpuBackendProvider {
    /** The backend id. */
    public static final String ID = "emulated";
    /** The selection priority (hardware backends use 100). */
    public static final int PRIORITY = 10;

    /** Creates the provider; has no side effects. */
    public EmulatedBackendProvider() {}

    @Override
    public String id() {
        return ID;
    }

    @Override
    public GuestIsa guestIsa() {
        return GuestIsa.AARCH64;
    }

    @Override
    public int priority() {
        return PRIORITY;
    }

    @Override
    public Availability availability() {
        return Availability.available("pure-Java AArch64 interpreter; runs on any JVM");
    }

    @Override
    public HypervisorBackend open() {
        return new EmulatedHypervisor();
    }
}
