package org.vcpu4j.backend.hvf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.vcpu4j.api.BackendUnavailableException;
import org.vcpu4j.api.GuestIsa;
import org.vcpu4j.backend.hvf.sys.HvReturn;
import org.vcpu4j.backend.hvf.sys.HvfApi;
import org.vcpu4j.spi.Availability;
import org.vcpu4j.spi.Backends;
import org.vcpu4j.spi.VCpuBackendProvider;

class HvfAvailabilityTest {

    /** A host whose every answer can be set; counts what the probe touched. */
    static final class StubHost implements HvfAvailability.Host {
        String osName = "Mac OS X";
        String osArch = "aarch64";
        boolean nativeAccess = true;
        long hvSupport = 1;
        RuntimeException hvSupportFailure;
        RuntimeException apiFailure;
        FakeHvfApi api = new FakeHvfApi();
        final AtomicInteger sysctlCalls = new AtomicInteger();
        final AtomicInteger apiCalls = new AtomicInteger();

        @Override
        public String osName() {
            return osName;
        }

        @Override
        public String osArch() {
            return osArch;
        }

        @Override
        public String osVersion() {
            return "15.1";
        }

        @Override
        public boolean nativeAccessEnabled() {
            return nativeAccess;
        }

        @Override
        public String nativeAccessTarget() {
            return "org.vcpu4j.backend.hvf";
        }

        @Override
        public long hvSupport() {
            sysctlCalls.incrementAndGet();
            if (hvSupportFailure != null) {
                throw hvSupportFailure;
            }
            return hvSupport;
        }

        @Override
        public HvfApi api() {
            apiCalls.incrementAndGet();
            if (apiFailure != null) {
                throw apiFailure;
            }
            return api;
        }
    }

    @Test
    void onThisLinuxMachineTheRealProviderSaysNotMacOs() {
        String os = System.getProperty("os.name");
        assumeTrue(!os.toLowerCase(Locale.ROOT).startsWith("mac"), "this test is about non-macOS hosts");
        HvfBackendProvider provider = new HvfBackendProvider();
        Availability a = provider.availability();
        assertFalse(a.available());
        assertEquals("not macOS (os.name is " + os + "); Hypervisor.framework exists only on macOS", a.reason());
        assertSame(a, provider.availability(), "the verdict is cached");
        BackendUnavailableException e = assertThrows(BackendUnavailableException.class, provider::open);
        assertTrue(e.getMessage().contains("not macOS"), e.getMessage());
    }

    @Test
    void serviceLoaderFindsTheProviderWithItsIdentity() {
        VCpuBackendProvider p = Backends.require("hvf");
        assertEquals(HvfBackendProvider.class, p.getClass());
        assertEquals("hvf", p.id());
        assertEquals(GuestIsa.AARCH64, p.guestIsa());
        assertEquals(100, p.priority());
        assertTrue(Backends.describe(Backends.providers()).contains("hvf (aarch64, "));
    }

    @Test
    void notMacOsIsDecidedWithoutTouchingAnythingNative() {
        StubHost host = new StubHost();
        host.osName = "Linux";
        Availability a = HvfAvailability.probe(host, () -> false);
        assertFalse(a.available());
        assertTrue(a.reason().startsWith("not macOS (os.name is Linux)"), a.reason());
        assertEquals(0, host.sysctlCalls.get());
        assertEquals(0, host.apiCalls.get());
    }

    @Test
    void intelMacIsNotAppleSilicon() {
        StubHost host = new StubHost();
        host.osArch = "x86_64";
        Availability a = HvfAvailability.probe(host, () -> false);
        assertFalse(a.available());
        assertTrue(a.reason().startsWith("not Apple silicon (os.arch is x86_64)"), a.reason());
        assertEquals(0, host.sysctlCalls.get());
    }

    @Test
    void missingNativeAccessNamesTheFlag() {
        StubHost host = new StubHost();
        host.nativeAccess = false;
        Availability a = HvfAvailability.probe(host, () -> false);
        assertFalse(a.available());
        assertTrue(a.reason().contains("--enable-native-access=org.vcpu4j.backend.hvf"), a.reason());
        assertEquals(0, host.sysctlCalls.get());
    }

    @Test
    void refusedNativeCallAlsoNamesTheFlag() {
        StubHost host = new StubHost();
        host.hvSupportFailure = new IllegalCallerException("denied");
        Availability a = HvfAvailability.probe(host, () -> false);
        assertFalse(a.available());
        assertTrue(a.reason().contains("--enable-native-access=org.vcpu4j.backend.hvf"), a.reason());
    }

    @Test
    void hvSupportZeroIsUnavailable() {
        StubHost host = new StubHost();
        host.hvSupport = 0;
        Availability a = HvfAvailability.probe(host, () -> false);
        assertFalse(a.available());
        assertTrue(a.reason().startsWith("kern.hv_support is 0"), a.reason());
        assertEquals(0, host.apiCalls.get());
    }

    @Test
    void unreadableSysctlIsUnavailableWithTheError() {
        StubHost host = new StubHost();
        host.hvSupportFailure = new IllegalStateException("sysctlbyname(\"kern.hv_support\") returned -1");
        Availability a = HvfAvailability.probe(host, () -> false);
        assertFalse(a.available());
        assertTrue(a.reason().contains("could not read sysctl kern.hv_support"), a.reason());
        assertTrue(a.reason().contains("returned -1"), a.reason());
    }

    @Test
    void frameworkThatDoesNotLinkIsUnavailable() {
        StubHost host = new StubHost();
        host.apiFailure = new IllegalStateException("symbol hv_vcpu_run not found");
        Availability a = HvfAvailability.probe(host, () -> false);
        assertFalse(a.available());
        assertTrue(a.reason().contains("could not link Hypervisor.framework: symbol hv_vcpu_run not found"), a.reason());
    }

    @Test
    void deniedVmCreateNamesTheEntitlementAndHowToSign() {
        StubHost host = new StubHost();
        host.api.fail("hv_vm_create", HvReturn.HV_DENIED);
        Availability a = HvfAvailability.probe(host, () -> false);
        assertFalse(a.available());
        assertTrue(a.reason().contains("HV_DENIED 0xfae94007"), a.reason());
        assertTrue(a.reason().contains("com.apple.security.hypervisor"), a.reason());
        assertTrue(a.reason().contains("codesign --sign - --force --entitlements"), a.reason());
        assertTrue(a.reason().contains("bin/java"), a.reason());
    }

    @Test
    void busyVmCreateSaysAnotherVmExists() {
        StubHost host = new StubHost();
        host.api.fail("hv_vm_create", HvReturn.HV_BUSY);
        Availability a = HvfAvailability.probe(host, () -> false);
        assertFalse(a.available());
        assertTrue(a.reason().contains("HV_BUSY 0xfae94002"), a.reason());
        assertTrue(a.reason().contains("one per process"), a.reason());
    }

    @Test
    void otherVmCreateErrorsAreNamed() {
        StubHost host = new StubHost();
        host.api.fail("hv_vm_create", HvReturn.HV_NO_RESOURCES);
        Availability a = HvfAvailability.probe(host, () -> false);
        assertFalse(a.available());
        assertTrue(a.reason().contains("hv_vm_create failed: HV_NO_RESOURCES 0xfae94005"), a.reason());
    }

    @Test
    void aWorkingHostIsAvailableAndTheProbeVmIsDestroyed() {
        StubHost host = new StubHost();
        Availability a = HvfAvailability.probe(host, () -> false);
        assertTrue(a.available(), a.reason());
        assertTrue(a.reason().contains("hv_vm_create allowed"), a.reason());
        assertEquals(1, host.api.vmCreates);
        assertFalse(host.api.vmExists, "the probe VM must be destroyed");
    }

    @Test
    void anOpenVmOfThisBackendSkipsTheVmCreateProbe() {
        StubHost host = new StubHost();
        Availability a = HvfAvailability.probe(host, () -> true);
        assertTrue(a.available(), a.reason());
        assertEquals(0, host.apiCalls.get());
    }

    @Test
    void aProbeThatThrowsBecomesUnavailableAndIsCached() {
        AtomicInteger probes = new AtomicInteger();
        HvfBackendProvider p = new HvfBackendProvider(() -> {
            probes.incrementAndGet();
            throw new IllegalStateException("boom");
        }, FakeHvfApi::new);
        Availability a = p.availability();
        assertFalse(a.available());
        assertTrue(a.reason().contains("boom"), a.reason());
        p.availability();
        assertEquals(1, probes.get());
    }
}
