package org.vcpu4j.backend.kvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.vcpu4j.api.GuestIsa;
import org.vcpu4j.spi.Availability;
import org.vcpu4j.spi.Backends;

/** The provider's identity and its availability probe. */
class KvmBackendProviderTest {

    @Test
    void identity() {
        KvmBackendProvider p = new KvmBackendProvider();
        assertEquals("kvm", p.id());
        assertEquals(100, p.priority());
        assertEquals(GuestIsa.X86_64, KvmBackendProvider.hostIsa("amd64"));
        assertEquals(GuestIsa.AARCH64, KvmBackendProvider.hostIsa("aarch64"));
    }

    @Test
    void isFoundByServiceLoader() {
        assertTrue(Backends.provider("kvm").isPresent(), Backends.describe(Backends.providers()));
    }

    @Test
    void isAvailableOnThisHostAndCachesTheAnswer() {
        X86Guest.requireKvm();
        KvmBackendProvider p = new KvmBackendProvider();
        Availability a = p.availability();
        assertTrue(a.reason().contains("/dev/kvm opened, API version 12"), a.reason());
        assertSame(a, p.availability());
    }

    @Test
    void notLinuxIsUnavailable() {
        Availability a = KvmBackendProvider.probe("Mac OS X", "aarch64", KvmBackendProvider.class.getModule());
        assertFalse(a.available());
        assertEquals("not Linux (os.name is Mac OS X)", a.reason());
    }

    @Test
    void withoutNativeAccessTheReasonNamesTheFlag() {
        // Surefire enables native access for org.vcpu4j.backend.kvm only: the unnamed module has none.
        Module unnamed = ClassLoader.getSystemClassLoader().getUnnamedModule();
        Availability a = KvmBackendProvider.probe("Linux", "amd64", unnamed);
        assertFalse(a.available());
        assertTrue(a.reason().contains("--enable-native-access=ALL-UNNAMED"), a.reason());
        assertEquals("--enable-native-access=org.vcpu4j.backend.kvm",
                KvmBackendProvider.nativeAccessFlag(KvmBackendProvider.class.getModule()));
    }

    @Test
    void aMissingDeviceIsUnavailableWithTheErrnoAndPath() {
        Availability a = KvmHypervisor.probeDevice("/dev/no-such-kvm");
        assertFalse(a.available());
        assertTrue(a.reason().startsWith("/dev/no-such-kvm cannot be opened"), a.reason());
        assertTrue(a.reason().contains("ENOENT (2): No such file or directory"), a.reason());
    }

    @Test
    void aDeviceThatIsNotKvmIsUnavailable() {
        Availability a = KvmHypervisor.probeDevice("/dev/null");
        assertFalse(a.available());
        assertTrue(a.reason().contains("KVM_GET_API_VERSION returned -1"), a.reason());
    }

    @Test
    void anUnsupportedArchitectureIsUnavailable() {
        Availability a = KvmBackendProvider.probe("Linux", "riscv64", KvmBackendProvider.class.getModule());
        assertFalse(a.available());
        assertTrue(a.reason().contains("riscv64"), a.reason());
    }
}
