package org.vcpu4j.tck.selftest;

import java.util.Objects;
import org.vcpu4j.spi.VCpuBackendProvider;
import org.vcpu4j.tck.VCpuBackendTck;

/**
 * The TCK class the self-tests launch: its provider is whatever {@link #use} set (a broken wrapper of
 * the emulated backend, the plain one, an unavailable one). Not named *Test: Surefire does not run it by
 * itself, only through the JUnit Platform test kit.
 */
public class BrokenEmulatedTck extends VCpuBackendTck {
    private static volatile VCpuBackendProvider provider;
    private static volatile boolean applicable = true;

    /** Created by JUnit. */
    public BrokenEmulatedTck() {}

    /**
     * Sets the provider the next launches test.
     *
     * @param p the provider
     */
    static void use(VCpuBackendProvider p) {
        provider = Objects.requireNonNull(p);
    }

    /**
     * Sets what the next launches declare through {@link #hostShouldSupportBackend()}.
     *
     * @param a whether the backend applies to this host
     */
    static void applicable(boolean a) {
        applicable = a;
    }

    @Override
    public boolean hostShouldSupportBackend() {
        return applicable;
    }

    @Override
    public VCpuBackendProvider provider() {
        return Objects.requireNonNull(provider, "BrokenEmulatedTck.use(provider) was not called");
    }

    @Override
    public int maxVCpus() {
        return 4;
    }
}
