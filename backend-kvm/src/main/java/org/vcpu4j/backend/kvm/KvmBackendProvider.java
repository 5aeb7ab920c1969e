package org.vcpu4j.backend.kvm;

import java.util.Locale;
import org.vcpu4j.api.BackendUnavailableException;
import org.vcpu4j.api.GuestIsa;
import org.vcpu4j.spi.Availability;
import org.vcpu4j.spi.HypervisorBackend;
import org.vcpu4j.spi.VCpuBackendProvider;

/**
 * The {@code kvm} backend: Linux KVM through {@code java.lang.foreign}, running guests of the host's
 * ISA (x86_64 on amd64 hosts, AArch64 on aarch64 hosts). Construction has no side effects; {@link
 * #availability()} probes once (Linux, native access for this module, {@code /dev/kvm} opens, API
 * version 12) and caches the answer.
 */
public final class KvmBackendProvider implements VCpuBackendProvider {
    /** The device the backend opens. */
    static final String DEVICE = "/dev/kvm";

    private volatile Availability availability;

    /** Creates the provider (no side effects). */
    public KvmBackendProvider() {}

    @Override
    public String id() {
        return "kvm";
    }

    @Override
    public GuestIsa guestIsa() {
        return hostIsa(System.getProperty("os.arch", ""));
    }

    @Override
    public int priority() {
        return 100;
    }

    @Override
    public Availability availability() {
        Availability a = availability;
        if (a == null) {
            synchronized (this) {
                a = availability;
                if (a == null) {
                    a = probe(System.getProperty("os.name", ""), System.getProperty("os.arch", ""),
                            KvmBackendProvider.class.getModule());
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
            throw new BackendUnavailableException("backend 'kvm' is unavailable: " + a.reason());
        }
        return KvmHypervisor.open(DEVICE, LinuxKvmCalls.INSTANCE, guestIsa());
    }

    /**
     * {@return the guest ISA for a host {@code os.arch}}
     *
     * @param osArch the host architecture
     */
    static GuestIsa hostIsa(String osArch) {
        return osArch.equals("aarch64") || osArch.equals("arm64") ? GuestIsa.AARCH64 : GuestIsa.X86_64;
    }

    /**
     * {@return the flag that enables native access for {@code module}}
     *
     * @param module the module the backend runs in
     */
    static String nativeAccessFlag(Module module) {
        return "--enable-native-access=" + (module.isNamed() ? module.getName() : "ALL-UNNAMED");
    }

    /**
     * Probes KVM; never throws.
     *
     * @param osName the {@code os.name}
     * @param osArch the {@code os.arch}
     * @param module the module the backend runs in
     * @return the availability
     */
    static Availability probe(String osName, String osArch, Module module) {
        try {
            if (!osName.toLowerCase(Locale.ROOT).startsWith("linux")) {
                return Availability.unavailable("not Linux (os.name is " + osName + ")");
            }
            if (!osArch.equals("amd64") && !osArch.equals("x86_64") && !osArch.equals("aarch64")) {
                return Availability.unavailable("host architecture " + osArch + " is not x86_64 or aarch64");
            }
            if (!module.isNativeAccessEnabled()) {
                return Availability.unavailable("native access is not enabled for " + describe(module)
                        + "; add " + nativeAccessFlag(module) + " to the java command line");
            }
            return KvmHypervisor.probeDevice(DEVICE);
        } catch (IllegalCallerException e) {
            return Availability.unavailable("native access is refused for " + describe(module) + " ("
                    + e.getMessage() + "); add " + nativeAccessFlag(module) + " to the java command line");
        } catch (RuntimeException | LinkageError e) {
            return Availability.unavailable("probing " + DEVICE + " failed: " + e);
        }
    }

    private static String describe(Module module) {
        return module.isNamed() ? "module " + module.getName() : "the unnamed module (class path)";
    }
}
