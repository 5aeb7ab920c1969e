package org.vcpu4j.cli;

import java.util.List;
import java.util.Optional;
import org.vcpu4j.api.BackendUnavailableException;
import org.vcpu4j.api.GuestIsa;
import org.vcpu4j.spi.Backends;
import org.vcpu4j.spi.VCpuBackendProvider;

/** The CLI's view of the discovered backends and how it picks one for an image. */
public class BackendCatalog {

    /** {@return every discovered backend, highest priority first} */
    public List<VCpuBackendProvider> all() {
        return Backends.providers();
    }

    /**
     * Picks the backend for a run: the one requested (with {@code --backend} or the {@value
     * Backends#BACKEND_PROPERTY} system property), else the available backend with the highest priority
     * among those that run the image's ISA.
     *
     * @param requested the requested backend id, if any
     * @param isa the image's ISA, if the image says (raw images do not)
     * @return the provider
     * @throws BackendUnavailableException with the one-line list of backends, if none fits
     */
    public VCpuBackendProvider choose(Optional<String> requested, Optional<GuestIsa> isa) {
        Optional<String> id = requested.or(() -> Optional.ofNullable(System.getProperty(Backends.BACKEND_PROPERTY)))
                .filter(s -> !s.isBlank());
        if (id.isPresent()) {
            VCpuBackendProvider p = Backends.select(id.get());
            if (isa.isPresent() && isa.get() != p.guestIsa()) {
                throw new BackendUnavailableException("backend '" + p.id() + "' runs " + p.guestIsa().displayName()
                        + " guests, but the image is " + isa.get().displayName() + "; " + Backends.describe(all()));
            }
            return p;
        }
        if (isa.isEmpty()) {
            return Backends.select();
        }
        return Backends.select(isa.get());
    }
}
