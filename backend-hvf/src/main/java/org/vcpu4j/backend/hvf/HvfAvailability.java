package org.vcpu4j.backend.hvf;

import java.util.Locale;
import java.util.function.BooleanSupplier;
import org.vcpu4j.backend.hvf.sys.HvReturn;
import org.vcpu4j.backend.hvf.sys.HvfApi;
import org.vcpu4j.backend.hvf.sys.HvfException;
import org.vcpu4j.spi.Availability;

/**
 * Decides whether Hypervisor.framework can be used here, and says why not, checking in this order: the
 * OS is macOS, the CPU is Apple silicon, native access is enabled for this module, {@code
 * kern.hv_support} is 1, the framework links, and {@code hv_vm_create} is allowed (the entitlement).
 * Each step runs only when the ones before it passed, so on Linux nothing native is touched.
 */
final class HvfAvailability {
    /** The entitlement a process needs to create a VM. */
    static final String ENTITLEMENT = "com.apple.security.hypervisor";

    /** What the probe asks of the host; the real one is {@link HvfBackendProvider}'s. */
    interface Host {
        /** @return the system property {@code os.name} */
        String osName();

        /** @return the system property {@code os.arch} */
        String osArch();

        /** @return the system property {@code os.version} */
        String osVersion();

        /** @return whether this module may make restricted (native) calls */
        boolean nativeAccessEnabled();

        /** @return the {@code --enable-native-access} value that names this module */
        String nativeAccessTarget();

        /** @return {@code kern.hv_support} (read through {@code sysctlbyname}) */
        long hvSupport();

        /** @return the bound framework */
        HvfApi api();
    }

    private HvfAvailability() {}

    /**
     * Probes the host. Never throws.
     *
     * @param host the host
     * @param vmOpen whether this process already has a VM of this backend open (then {@code
     *     hv_vm_create} is not tried again)
     * @return the verdict and its reason
     */
    static Availability probe(Host host, BooleanSupplier vmOpen) {
        try {
            return probeOrThrow(host, vmOpen);
        } catch (RuntimeException | LinkageError e) {
            return Availability.unavailable("probing Hypervisor.framework failed: " + e);
        }
    }

    private static Availability probeOrThrow(Host host, BooleanSupplier vmOpen) {
        String os = String.valueOf(host.osName());
        if (!os.toLowerCase(Locale.ROOT).startsWith("mac")) {
            return Availability.unavailable("not macOS (os.name is " + os
                    + "); Hypervisor.framework exists only on macOS");
        }
        String arch = String.valueOf(host.osArch());
        if (!arch.equals("aarch64") && !arch.equals("arm64")) {
            return Availability.unavailable("not Apple silicon (os.arch is " + arch
                    + "); this backend runs AArch64 guests on Apple silicon Macs only (an Intel Mac, or an x86_64 JDK"
                    + " under Rosetta, does not qualify)");
        }
        String flag = "--enable-native-access=" + host.nativeAccessTarget();
        if (!host.nativeAccessEnabled()) {
            return Availability.unavailable("native access is not enabled for " + host.nativeAccessTarget()
                    + ": start java with " + flag);
        }
        long support;
        try {
            support = host.hvSupport();
        } catch (IllegalCallerException e) {
            return Availability.unavailable("native access was refused: start java with " + flag);
        } catch (RuntimeException e) {
            return Availability.unavailable("could not read sysctl kern.hv_support: " + e.getMessage());
        }
        if (support == 0) {
            return Availability.unavailable("kern.hv_support is 0: this Mac offers no hardware virtualization"
                    + " to processes (is macOS itself running in a VM without nested virtualization?)");
        }
        if (vmOpen.getAsBoolean()) {
            return Availability.available(describe(host) + "; a VM of this backend is open in this process");
        }
        HvfApi api;
        try {
            api = host.api();
        } catch (IllegalCallerException e) {
            return Availability.unavailable("native access was refused: start java with " + flag);
        } catch (RuntimeException e) {
            return Availability.unavailable("could not link Hypervisor.framework: " + e.getMessage());
        }
        try {
            api.vmCreate();
        } catch (HvfException e) {
            return Availability.unavailable(vmCreateRefused(e));
        }
        try {
            api.vmDestroy();
        } catch (HvfException e) {
            return Availability.unavailable("hv_vm_create worked but the probe VM could not be destroyed: "
                    + e.getMessage());
        }
        return Availability.available(describe(host) + "; hv_vm_create allowed");
    }

    /**
     * {@return the reason for a refused {@code hv_vm_create}, with what to do about it}
     *
     * @param e the refusal
     */
    static String vmCreateRefused(HvfException e) {
        if (e.code() == HvReturn.HV_DENIED.code()) {
            return "hv_vm_create was refused (" + HvReturn.describe(e.code()) + "): the java launcher lacks the "
                    + ENTITLEMENT + " entitlement. Sign it: write entitlements.plist containing <key>" + ENTITLEMENT
                    + "</key><true/> (in a <plist><dict>), then run codesign --sign - --force --entitlements"
                    + " entitlements.plist \"$JAVA_HOME/bin/java\" (use a copy of the JDK if it lives in a"
                    + " read-only or notarized location)";
        }
        if (e.code() == HvReturn.HV_BUSY.code()) {
            return "hv_vm_create was refused (" + HvReturn.describe(e.code()) + "): this process already has a"
                    + " VM (Hypervisor.framework allows one per process), created outside this backend";
        }
        return "hv_vm_create was refused: " + e.getMessage();
    }

    private static String describe(Host host) {
        return "Hypervisor.framework on macOS " + host.osVersion() + " (" + host.osArch() + "), kern.hv_support = 1";
    }
}
