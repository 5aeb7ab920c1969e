package org.vcpu4j.spi;

import org.vcpu4j.api.GuestIsa;

/**
 * A backend, as {@link java.util.ServiceLoader} finds it. Implementations must be cheap to construct
 * and free of side effects until {@link #availability()} or {@link #open()} is called.
 */
public interface VCpuBackendProvider {

    /** {@return a short, stable, lower-case id: {@code emulated}, {@code kvm}, {@code hvf}} */
    String id();

    /** {@return the ISA of the guests this backend runs on this host} */
    GuestIsa guestIsa();

    /**
     * {@return the priority used when no backend is requested: the available provider with the highest
     * priority wins (hardware backends rank above the emulator)}
     */
    int priority();

    /**
     * {@return whether the backend can run here, and why; lazy, cached, side-effect free, never throws}
     */
    Availability availability();

    /**
     * Opens the backend. Called by {@link Backends}, which wraps the result in the library's state
     * machine; users never see it directly.
     *
     * @return the opened backend
     * @throws org.vcpu4j.api.BackendUnavailableException if the backend is unavailable
     */
    HypervisorBackend open();
}
