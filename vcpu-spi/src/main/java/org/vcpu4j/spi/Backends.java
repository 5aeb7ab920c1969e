package org.vcpu4j.spi;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vcpu4j.api.BackendUnavailableException;
import org.vcpu4j.api.GuestIsa;
import org.vcpu4j.api.Hypervisor;
import org.vcpu4j.spi.internal.ManagedHypervisor;

/**
 * Finds backends with {@link ServiceLoader} (the only class that does) and opens them wrapped in the
 * library's contract enforcement.
 *
 * <p><b>Backends run different guest ISAs.</b> The emulator runs AArch64 guests, KVM on an x86-64
 * host runs x86-64 guests; code and register layouts are not portable between them. Pick the backend
 * by the ISA your guest is built for:
 *
 * <pre>{@code
 * try (Hypervisor hv = Backends.open(GuestIsa.AARCH64)) { ... }   // best available AArch64 backend
 * try (Hypervisor hv = Backends.open("emulated")) { ... }          // exactly this backend
 * }</pre>
 *
 * <p>Selection by ISA ({@link #select(GuestIsa)}): the backend named by the system property {@value
 * #BACKEND_PROPERTY} if it is set (it must run that ISA), else the available backend for that ISA with
 * the highest {@link VCpuBackendProvider#priority()}. The no-argument {@link #open()} and {@link
 * #select()} ignore the ISA and take the highest priority of all, so the same code gets the AArch64
 * emulator on one host or JVM configuration and x86-64 KVM on another; {@code open()} is deprecated
 * for that reason and both log the backend and ISA they chose at INFO.
 *
 * <p>A backend that is required by id ({@link #require(String)}, {@link #select(String)}) but is not
 * on the module path fails with a message naming it, the backends that are there, and the artifact to
 * add. Every other failure lists every backend, its guest ISA, its availability and the reason.
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
     * {@return the provider with this id, if discovered} To fail with a useful message when it is missing,
     * use {@link #require(String)} rather than {@code provider(id).orElseThrow()}.
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
        VCpuBackendProvider chosen = all.stream().filter(p -> p.availability().available()).findFirst()
                .orElseThrow(() -> new BackendUnavailableException("no vcpu4j backend is available; " + describe(all)));
        LOG.info("no guest ISA requested: chose backend '{}', which runs {} guests (highest priority of {});"
                + " use Backends.open(GuestIsa) to pick by ISA", chosen.id(), chosen.guestIsa().displayName(),
                describe(all));
        return chosen;
    }

    /**
     * {@return the provider to use for guests of this ISA: the one {@value #BACKEND_PROPERTY} names (it
     * must run this ISA), else the available provider for this ISA with the highest priority}
     *
     * @param isa the guest ISA
     * @throws BackendUnavailableException naming the ISA and every backend found, with its ISA and why it is
     *     unavailable, if no backend for this ISA is available (or the named one runs another ISA)
     */
    public static VCpuBackendProvider select(GuestIsa isa) {
        return select(isa, providers(), System.getProperty(BACKEND_PROPERTY));
    }

    static VCpuBackendProvider select(GuestIsa isa, List<VCpuBackendProvider> all, String requested) {
        java.util.Objects.requireNonNull(isa, "isa");
        if (requested != null && !requested.isBlank()) {
            VCpuBackendProvider p = select(requested.strip(), all);
            if (p.guestIsa() != isa) {
                throw new BackendUnavailableException("backend '" + p.id() + "' (set by " + BACKEND_PROPERTY
                        + ") runs " + p.guestIsa().displayName() + " guests, not " + isa.displayName() + "; "
                        + describe(all));
            }
            return p;
        }
        return all.stream().filter(p -> p.guestIsa() == isa && p.availability().available()).findFirst()
                .orElseThrow(() -> new BackendUnavailableException(noBackendFor(isa, all)));
    }

    private static String noBackendFor(GuestIsa isa, List<VCpuBackendProvider> all) {
        boolean anyForIsa = all.stream().anyMatch(p -> p.guestIsa() == isa);
        String hint = anyForIsa ? "" : "; no backend for " + isa.displayName() + " is on the module path ("
                + artifactsFor(isa) + ")";
        return "no available backend runs " + isa.displayName() + " guests; " + describe(all) + hint;
    }

    private static String artifactsFor(GuestIsa isa) {
        return KNOWN_BACKENDS.entrySet().stream().filter(e -> e.getValue().isa() == isa)
                .map(e -> "add org.vcpu4j:" + e.getValue().artifact() + " for '" + e.getKey() + "'")
                .sorted().collect(Collectors.joining(" or "));
    }

    /**
     * {@return the discovered provider with this id, available or not} Use it where an unavailable
     * backend must still be seen, e.g. a TCK test class whose rules skip with the backend's reason.
     *
     * @param id a backend id
     * @throws BackendUnavailableException if no backend with this id is on the module path or class path;
     *     the message names the id, the ids that are there, and the artifact to add
     */
    public static VCpuBackendProvider require(String id) {
        return require(id, providers());
    }

    static VCpuBackendProvider require(String id, List<VCpuBackendProvider> all) {
        return all.stream().filter(c -> c.id().equals(id)).findFirst()
                .orElseThrow(() -> new BackendUnavailableException(notFound(id, all)));
    }

    private static String notFound(String id, List<VCpuBackendProvider> all) {
        String present = all.isEmpty() ? "none"
                : all.stream().map(VCpuBackendProvider::id).collect(Collectors.joining(", "));
        return "backend '" + id + "' is not on the module path or class path (backends found: " + present
                + "); " + whatToAdd(id) + " to the module path or class path";
    }

    private static String whatToAdd(String id) {
        KnownBackend known = KNOWN_BACKENDS.get(id);
        return known == null
                ? "add the jar of the backend that provides '" + id + "' (it must declare `provides "
                        + VCpuBackendProvider.class.getName() + "`)"
                : "add org.vcpu4j:" + known.artifact() + " (module " + known.module() + ")";
    }

    /** The backends this project ships, for telling users which artifact to add. */
    private record KnownBackend(String artifact, String module, GuestIsa isa) {}

    private static final Map<String, KnownBackend> KNOWN_BACKENDS = Map.of(
            "emulated", new KnownBackend("backend-emulated", "org.vcpu4j.backend.emulated", GuestIsa.AARCH64),
            "kvm", new KnownBackend("backend-kvm", "org.vcpu4j.backend.kvm", GuestIsa.X86_64),
            "hvf", new KnownBackend("backend-hvf", "org.vcpu4j.backend.hvf", GuestIsa.AARCH64));

    /**
     * {@return the available provider with this id}
     *
     * @param id a backend id
     * @throws BackendUnavailableException if it is unknown or unavailable, listing every backend
     */
    public static VCpuBackendProvider select(String id) {
        return select(id, providers());
    }

    private static VCpuBackendProvider select(String id, List<VCpuBackendProvider> all) {
        VCpuBackendProvider p = all.stream().filter(c -> c.id().equals(id)).findFirst()
                .orElseThrow(() -> new BackendUnavailableException("unknown backend '" + id + "'; " + describe(all)
                        + "; " + whatToAdd(id) + " to the module path or class path"));
        if (!p.availability().available()) {
            throw new BackendUnavailableException("backend '" + id + "' is unavailable; " + describe(all));
        }
        return p;
    }

    /**
     * Opens the highest-priority available backend of any ISA ({@link #select()}), logging at INFO
     * which backend and ISA it chose.
     *
     * @return the hypervisor
     * @deprecated the guest ISA depends on the host and JVM flags (the AArch64 emulator without {@code
     *     --enable-native-access}, x86-64 KVM with it on an x86-64 Linux host), so guest code written for
     *     one breaks on the other; use {@link #open(GuestIsa)} or {@link #open(String)}
     */
    @Deprecated(since = "0.1.0")
    public static Hypervisor open() {
        return open(select());
    }

    /**
     * Opens the best available backend for guests of this ISA ({@link #select(GuestIsa)}).
     *
     * @param isa the guest ISA the caller's code is built for
     * @return the hypervisor; its {@link Hypervisor#isa()} is {@code isa}
     * @throws BackendUnavailableException naming every backend and why it is unavailable, if none fits
     */
    public static Hypervisor open(GuestIsa isa) {
        return open(select(isa));
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
