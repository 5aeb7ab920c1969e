package org.vcpu4j.spi;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vcpu4j.api.BackendUnavailableException;
import org.vcpu4j.api.Hypervisor;
import org.vcpu4j.spi.internal.ManagedHypervisor;

/**
 * Finds backends with {@link ServiceLoader} (the only class that does) and opens them wrapped in the
 * library's contract enforcement.
 *
 * <p>Selection: the backend named by the system property {@value #BACKEND_PROPERTY} if it is set,
 * else the available backend with the highest {@link VCpuBackendProvider#priority()}. A requested
 * backend that is unknown or unavailable fails with one message listing every backend, its guest ISA,
 * its availability and the reason.
 */
public final class Backends {
    /** The system property that forces a backend by id. */
    public static final String BACKEND_PROPERTY = "vcpu4j.backend";

    private static final Logger LOG = LoggerFactory.getLogger(Backends.class);

    private Backends() {}

    /** {@return every discovered provider, highest priority first; broken registrations are skipped} */
    public static List<VCpuBackendProvider> providers() {
        List<VCpuBackendProvider> found = new ArrayList<>();
        var it = ServiceLoader.load(VCpuBackendProvider.class).iterator();
        while (true) {
            try {
                if (!it.hasNext()) {
                    break;
                }
                found.add(it.next());
            } catch (ServiceConfigurationError e) {
                LOG.warn("skipping a backend that failed to load: {}", e.getMessage());
            }
        }
        found.sort(Comparator.comparingInt(VCpuBackendProvider::priority).reversed()
                .thenComparing(VCpuBackendProvider::id));
        return List.copyOf(found);
    }

    /**
     * {@return the provider with this id, if discovered}
     *
     * @param id a backend id
     */
    public static Optional<VCpuBackendProvider> provider(String id) {
        return providers().stream().filter(p -> p.id().equals(id)).findFirst();
    }

    /**
     * {@return the provider to use: the one {@value #BACKEND_PROPERTY} names, else the best available}
     *
     * @throws BackendUnavailableException if the named backend is unknown or unavailable, or none is available
     */
    public static VCpuBackendProvider select() {
        String requested = System.getProperty(BACKEND_PROPERTY);
        if (requested != null && !requested.isBlank()) {
            return select(requested.strip());
        }
        List<VCpuBackendProvider> all = providers();
        return all.stream().filter(p -> p.availability().available()).findFirst()
                .orElseThrow(() -> new BackendUnavailableException("no vcpu4j backend is available; " + describe(all)));
    }

    /**
     * {@return the available provider with this id}
     *
     * @param id a backend id
     * @throws BackendUnavailableException if it is unknown or unavailable, listing every backend
     */
    public static VCpuBackendProvider select(String id) {
        List<VCpuBackendProvider> all = providers();
        VCpuBackendProvider p = all.stream().filter(c -> c.id().equals(id)).findFirst()
                .orElseThrow(() -> new BackendUnavailableException("unknown backend '" + id + "'; " + describe(all)));
        if (!p.availability().available()) {
            throw new BackendUnavailableException("backend '" + id + "' is unavailable; " + describe(all));
        }
        return p;
    }

    /**
     * Opens the selected backend ({@link #select()}).
     *
     * @return the hypervisor
     */
    public static Hypervisor open() {
        return open(select());
    }

    /**
     * Opens the backend with this id.
     *
     * @param id a backend id
     * @return the hypervisor
     */
    public static Hypervisor open(String id) {
        return open(select(id));
    }

    /**
     * Opens a provider, wrapped in the library's contract enforcement. Used by the TCK to run a
     * provider that is not registered, e.g. a deliberately broken one.
     *
     * @param provider the provider
     * @return the hypervisor
     * @throws BackendUnavailableException if the provider is unavailable
     */
    public static Hypervisor open(VCpuBackendProvider provider) {
        Availability a = provider.availability();
        if (!a.available()) {
            throw new BackendUnavailableException("backend '" + provider.id() + "' is unavailable: " + a.reason());
        }
        LOG.debug("opening backend {} ({})", provider.id(), a.reason());
        return new ManagedHypervisor(provider.id(), provider.guestIsa(), provider.open());
    }

    /**
     * {@return one line describing every provider: {@code backends: emulated (aarch64, available: ...),
     * kvm (...)}}
     *
     * @param providers the providers
     */
    public static String describe(List<VCpuBackendProvider> providers) {
        if (providers.isEmpty()) {
            return "no backends were found on the module path";
        }
        return providers.stream()
                .map(p -> p.id() + " (" + p.guestIsa().displayName() + ", " + p.availability() + ")")
                .collect(Collectors.joining(", ", "backends: ", ""));
    }
}
