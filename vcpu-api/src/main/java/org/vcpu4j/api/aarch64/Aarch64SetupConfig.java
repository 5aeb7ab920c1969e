package org.vcpu4j.api.aarch64;

import java.util.Set;
import org.vcpu4j.api.GuestIsa;
import org.vcpu4j.api.VCpuSetupConfig;

/**
 * Parameters for {@code setup} of an AArch64 vCPU (arm_vcpu's {@code Aarch64VCpuSetupConfig}, plus the
 * system registers the VMM wants to see as exits).
 *
 * <p>Setup leaves the guest at EL1h with DAIF masked (SPSR 0x3C5), the MMU off and SCTLR_EL1 =
 * 0x30C50830, as arm_vcpu does.
 *
 * @param passthroughInterrupt whether physical interrupts go straight to the guest (arm_vcpu: IMO/FMO clear)
 * @param passthroughTimer whether the guest owns the EL1 physical timer (arm_vcpu: CNTHCTL_EL2 = 0b11);
 *     when false, physical timer and counter accesses trap as system-register exits where the backend
 *     can trap them
 * @param trappedSystemRegisters ISS-format addresses (see {@link SystemRegister#issAddress()}) of
 *     registers whose MRS/MSR become {@code SysRegRead}/{@code SysRegWrite} exits, where the backend
 *     can trap them
 */
public record Aarch64SetupConfig(boolean passthroughInterrupt, boolean passthroughTimer,
        Set<Long> trappedSystemRegisters) implements VCpuSetupConfig {

    /** Copies the set. */
    public Aarch64SetupConfig {
        trappedSystemRegisters = Set.copyOf(trappedSystemRegisters);
    }

    /** {@return the defaults: interrupts and timer passed through, no extra traps} */
    public static Aarch64SetupConfig defaults() {
        return new Aarch64SetupConfig(true, true, Set.of());
    }

    /**
     * {@return this configuration with more trapped registers}
     *
     * @param issAddresses ISS-format addresses to add
     */
    public Aarch64SetupConfig trapping(long... issAddresses) {
        var set = new java.util.HashSet<>(trappedSystemRegisters);
        for (long a : issAddresses) {
            set.add(a);
        }
        return new Aarch64SetupConfig(passthroughInterrupt, passthroughTimer, set);
    }

    @Override
    public GuestIsa isa() {
        return GuestIsa.AARCH64;
    }
}
