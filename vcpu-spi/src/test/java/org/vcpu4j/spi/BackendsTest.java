package org.vcpu4j.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.vcpu4j.api.BackendUnavailableException;
import org.vcpu4j.api.GuestIsa;

/** Backend selection and its messages. */
class BackendsTest {

    @Test
    void describeNamesEveryBackendWithIsaAvailabilityAndReason() {
        String line = Backends.describe(List.of(new FakeBackend(), unavailable("nope", "not on this host")));
        assertEquals("backends: fake (aarch64, available: test double), "
                + "nope (x86_64, unavailable: not on this host)", line);
    }

    @Test
    void unknownBackendFailsWithTheList() {
        var ex = assertThrows(BackendUnavailableException.class, () -> Backends.select("nosuch"));
        assertTrue(ex.getMessage().startsWith("unknown backend 'nosuch'; "), ex.getMessage());
    }

    @Test
    void openingAnUnavailableProviderFailsWithItsReason() {
        var ex = assertThrows(BackendUnavailableException.class,
                () -> Backends.open(unavailable("nope", "no /dev/nope")));
        assertTrue(ex.getMessage().contains("no /dev/nope"), ex.getMessage());
    }

    @Test
    void theSystemPropertyForcesABackend() {
        String old = System.getProperty(Backends.BACKEND_PROPERTY);
        System.setProperty(Backends.BACKEND_PROPERTY, "nosuch");
        try {
            var ex = assertThrows(BackendUnavailableException.class, Backends::select);
            assertTrue(ex.getMessage().contains("'nosuch'"), ex.getMessage());
        } finally {
            if (old == null) {
                System.clearProperty(Backends.BACKEND_PROPERTY);
            } else {
                System.setProperty(Backends.BACKEND_PROPERTY, old);
            }
        }
    }

    private static VCpuBackendProvider unavailable(String id, String reason) {
        return new VCpuBackendProvider() {
            @Override
            public String id() {
                return id;
            }

            @Override
            public GuestIsa guestIsa() {
                return GuestIsa.X86_64;
            }

            @Override
            public int priority() {
                return 1;
            }

            @Override
            public Availability availability() {
                return Availability.unavailable(reason);
            }

            @Override
            public HypervisorBackend open() {
                throw new AssertionError("never opened");
            }
        };
    }
}
