package org.vcpu4j.backend.hvf;

import java.util.Objects;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vcpu4j.api.BackendUnavailableException;
import org.vcpu4j.api.GuestIsa;
import org.vcpu4j.backend.hvf.sys.FfmHvfApi;
import org.vcpu4j.backend.hvf.sys.HvfApi;
import org.vcpu4j.spi.Availability;
import org.vcpu4j.spi.HypervisorBackend;
import org.vcpu4j.spi.VCpuBackendProvider;

/**
 * The Hypervisor.framework backend ({@code hvf}): AArch64 guests on Apple silicon Macs, priority 100.
 *
 * <p>Construction does nothing. {@link #availability()} probes once and caches the verdict: not macOS,
 * not Apple silicon, native access not enabled ({@code --enable-native-access=org.vcpu4j.backend.hvf}),
 * {@code kern.hv_support} is 0, or {@code hv_vm_create} refused (the {@code com.apple.security.hypervisor}
 * entitlement is missing, with how to sign the {@code java} launcher). The framework is looked up only
 * on macOS on Apple silicon.
 */
public final class HvfBackendProvider implements VCpuBackendProvider {
    /** The backend's id. */
    public static final String ID = "hvf";
    /** The backend's priority: above the emulator. */
    public static final int PRIORITY = 100;

    private static final Logger LOG = LoggerFactory.getLogger(HvfBackendProvider.class);

    private final Supplier<Availability> probe;
    private final Supplier<HvfApi> api;
    private volatile Availability availability;

    /** Creates the provider; nothing is probed or loaded until {@link #availability()} or {@link #open()}. */
    public HvfBackendProvider() {
        this(() -> HvfAvailability.probe(new RealHost(), HvfBackend::vmOpen), RealHost::sharedApi);
    }

    /**
     * Creates a provider over another framework binding (tests use a fake).
     *
     * @param probe computes the availability (called at most once)
     * @param api gives the framework binding when the backend is opened
     */
    HvfBackendProvider(Supplier<Availability> probe, Supplier<HvfApi> api) {
        this.probe = Objects.requireNonNull(probe, "probe");
        this.api = Objects.requireNonNull(api, "api");
    }

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
        Availability a = availability;
        if (a == null) {
            synchronized (this) {
                a = availability;
                if (a == null) {
                    try {
                        a = probe.get();
                    } catch (RuntimeException | LinkageError e) {
                        a = Availability.unavailable("probing Hypervisor.framework failed: " + e);
                    }
                    LOG.debug("hvf backend: {}", a);
                    availability = a;
                }
            }
        }
        return a;
    }

    @Override
    public HypervisorBackend open() {
        Availability a = availability();
        if (!a.available()) {
            throw new BackendUnavailableException("backend 'hvf' is unavailable: " + a.reason());
        }
        return new HvfBackend(api.get());
    }

    @Override
    public String toString() {
        return "HvfBackendProvider[" + ID + "]";
    }

    /** The host this JVM runs on. */
    private static final class RealHost implements HvfAvailability.Host {
        private static volatile HvfApi shared;

        static synchronized HvfApi sharedApi() {
            if (shared == null) {
                shared = FfmHvfApi.load();
            }
            return shared;
        }

        @Override
        public String osName() {
            return System.getProperty("os.name", "unknown");
        }

        @Override
        public String osArch() {
            return System.getProperty("os.arch", "unknown");
        }

        @Override
        public String osVersion() {
            return System.getProperty("os.version", "unknown");
        }

        @Override
        public boolean nativeAccessEnabled() {
            return HvfBackendProvider.class.getModule().isNativeAccessEnabled();
        }

        @Override
        public String nativeAccessTarget() {
            Module m = HvfBackendProvider.class.getModule();
            return m.isNamed() ? m.getName() : "ALL-UNNAMED";
        }

        @Override
        public long hvSupport() {
            return FfmHvfApi.sysctlInt("kern.hv_support");
        }

        @Override
        public HvfApi api() {
            return sharedApi();
        }
    }
}
