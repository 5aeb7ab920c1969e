package org.vcpu4j.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
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
    void selectingAShippedBackendThatIsMissingSaysWhichArtifactToAdd() {
        var ex = assertThrows(BackendUnavailableException.class, () -> Backends.select("kvm"));
        assertTrue(ex.getMessage().endsWith("; add org.vcpu4j:backend-kvm (module org.vcpu4j.backend.kvm) to the "
                + "module path or class path"), ex.getMessage());
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

    @Test
    void selectionByIsaSkipsAHigherPriorityBackendOfTheOtherIsa() {
        VCpuBackendProvider x86 = provider("kvm", GuestIsa.X86_64, 100, Availability.available("/dev/kvm"));
        FakeBackend arm = new FakeBackend();
        List<VCpuBackendProvider> all = List.of(x86, arm);
        assertSame(arm, Backends.select(GuestIsa.AARCH64, all, null));
        assertSame(x86, Backends.select(GuestIsa.X86_64, all, null));
    }

    @Test
    void noBackendForTheIsaNamesTheIsaAndWhyEachBackendIsUnavailable() {
        List<VCpuBackendProvider> all = List.of(unavailable("kvm", "no /dev/kvm"), new FakeBackend());
        var ex = assertThrows(BackendUnavailableException.class, () -> Backends.select(GuestIsa.X86_64, all, null));
        assertEquals("no available backend runs x86_64 guests; backends: kvm (x86_64, unavailable: no /dev/kvm), "
                + "fake (aarch64, available: test double)", ex.getMessage());
    }

    @Test
    void noBackendOfTheIsaOnTheModulePathSaysWhatToAdd() {
        var ex = assertThrows(BackendUnavailableException.class,
                () -> Backends.select(GuestIsa.X86_64, List.of(new FakeBackend()), null));
        assertTrue(ex.getMessage().startsWith("no available backend runs x86_64 guests; backends: fake (aarch64, "),
                ex.getMessage());
        assertTrue(ex.getMessage().endsWith("no backend for x86_64 is on the module path (add org.vcpu4j:backend-kvm"
                + " for 'kvm')"), ex.getMessage());
    }

    @Test
    void openByIsaWithNothingOnTheModulePathFailsNamingTheIsa() {
        var ex = assertThrows(BackendUnavailableException.class, () -> Backends.open(GuestIsa.AARCH64));
        assertTrue(ex.getMessage().startsWith("no available backend runs aarch64 guests; "
                + "no backends were found on the module path"), ex.getMessage());
    }

    @Test
    void aForcedBackendOfTheOtherIsaFailsSelectionByIsa() {
        var ex = assertThrows(BackendUnavailableException.class,
                () -> Backends.select(GuestIsa.X86_64, List.of(new FakeBackend()), "fake"));
        assertTrue(ex.getMessage().startsWith("backend 'fake' (set by vcpu4j.backend) runs aarch64 guests, not x86_64; "),
                ex.getMessage());
    }

    @Test
    void requiringAMissingBackendNamesItThePresentIdsAndTheArtifactToAdd() {
        var ex = assertThrows(BackendUnavailableException.class,
                () -> Backends.require("emulated", List.of(new FakeBackend(), unavailable("kvm", "no /dev/kvm"))));
        assertEquals("backend 'emulated' is not on the module path or class path (backends found: fake, kvm); "
                + "add org.vcpu4j:backend-emulated (module org.vcpu4j.backend.emulated) to the module path or class "
                + "path", ex.getMessage());
    }

    @Test
    void requiringWithNothingRegisteredSaysNoneWereFound() {
        var ex = assertThrows(BackendUnavailableException.class, () -> Backends.require("mybackend"));
        assertTrue(ex.getMessage().startsWith("backend 'mybackend' is not on the module path or class path "
                + "(backends found: none); add the jar of the backend that provides 'mybackend'"), ex.getMessage());
    }

    @Test
    void requireReturnsAnUnavailableBackendSoItsReasonCanBeReported() {
        VCpuBackendProvider kvm = unavailable("kvm", "no /dev/kvm");
        assertSame(kvm, Backends.require("kvm", List.of(new FakeBackend(), kvm)));
    }

    @Test
    void theIsaBlindNoArgumentOpenIsDeprecated() throws NoSuchMethodException {
        assertTrue(Backends.class.getMethod("open").isAnnotationPresent(Deprecated.class));
    }

    private static VCpuBackendProvider unavailable(String id, String reason) {
        return provider(id, GuestIsa.X86_64, 1, Availability.unavailable(reason));
    }

    private static VCpuBackendProvider provider(String id, GuestIsa isa, int priority, Availability availability) {
        return new VCpuBackendProvider() {
            @Override
            public String id() {
                return id;
            }

            @Override
            public GuestIsa guestIsa() {
                return isa;
            }

            @Override
            public int priority() {
                return priority;
            }

            @Override
            public Availability availability() {
                return availability;
            }

            @Override
            public HypervisorBackend open() {
                throw new AssertionError("never opened");
            }
        };
    }
}
