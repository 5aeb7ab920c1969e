package org.vcpu4j.tck.internal;

import java.util.List;
import java.util.Set;
import org.vcpu4j.property.Gen;
import org.vcpu4j.api.GuestIsa;
import org.vcpu4j.api.InterruptControllerConfig;
import org.vcpu4j.api.RegisterState;
import org.vcpu4j.api.VCpuCreateConfig;
import org.vcpu4j.api.VCpuSetupConfig;

/** The guest layout and the ISA-specific pieces of a TCK machine. */
public sealed interface IsaKit permits A64Kit, X86Kit {

    /**
     * {@return the kit of an ISA}
     *
     * @param isa the ISA
     */
    static IsaKit of(GuestIsa isa) {
        return isa == GuestIsa.AARCH64 ? new A64Kit() : new X86Kit();
    }

    /** {@return the ISA} */
    GuestIsa isa();

    /** {@return the guest-physical address of RAM} */
    long ramBase();

    /** {@return the interrupt controller the interrupt rules create: QEMU virt's GICv3, or the x86 irqchip} */
    InterruptControllerConfig interruptController();

    /** {@return the size of RAM} */
    long ramSize();

    /** {@return where the code under test is placed} */
    long codeAddress();

    /** {@return a 4 KiB page of RAM for data the guest stores} */
    long dataAddress();

    /**
     * {@return the create configuration of vCPU {@code id}}
     *
     * @param id the vCPU id
     */
    VCpuCreateConfig createConfig(int id);

    /**
     * {@return the setup configuration}
     *
     * @param trappedSystemRegisters ISS addresses to trap (AArch64)
     */
    VCpuSetupConfig setupConfig(Set<Long> trappedSystemRegisters);

    /** {@return the halt instruction (WFI, HLT)} */
    byte[] halt();

    /** {@return a branch to itself} */
    byte[] spin();

    /** {@return aligned guest-physical addresses with nothing mapped, for MMIO} */
    Gen<Long> mmioAddresses();

    /**
     * {@return the PC of a state}
     *
     * @param s the state
     */
    long pc(RegisterState s);

    /**
     * {@return the state with general-purpose registers and the PC replaced}
     *
     * @param baseline the state
     * @param gprs the GPR values, one per register index the ISA has below XZR
     * @param pc the PC
     */
    RegisterState withGprs(RegisterState baseline, List<Long> gprs, long pc);

    /**
     * {@return one line per differing register, ignoring the free-running count (CNTVCT_EL0)}
     *
     * @param expected the expected state
     * @param actual the actual state
     */
    List<String> differences(RegisterState expected, RegisterState actual);

    /**
     * {@return general-purpose register {@code n} of a state}
     *
     * @param s the state
     * @param n the index
     */
    long gpr(RegisterState s, int n);

    /**
     * {@return the state with one register replaced}
     *
     * @param s the state
     * @param n the index (AArch64 31 = XZR: unchanged)
     * @param value the value
     */
    RegisterState withGpr(RegisterState s, int n, long value);

    /**
     * {@return the state with another PC}
     *
     * @param s the state
     * @param pc the PC
     */
    RegisterState withPc(RegisterState s, long pc);

    /** {@return how many general-purpose registers the state holds (31 or 16)} */
    int gprCount();
}
