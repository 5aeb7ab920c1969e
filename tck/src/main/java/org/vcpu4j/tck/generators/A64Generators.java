package org.vcpu4j.tck.generators;

import java.util.Arrays;
import java.util.List;
import org.vcpu4j.property.Gen;
import org.vcpu4j.api.AccessWidth;
import org.vcpu4j.api.aarch64.SystemRegister;
import org.vcpu4j.spi.aarch64.Psci;
import org.vcpu4j.tck.asm.A64LoadStore;
import org.vcpu4j.tck.asm.A64SysReg;

/** generators over AArch64 guest code: loads and stores, system registers, calls, interrupt ids. */
public final class A64Generators {
    private A64Generators() {}

    /**
     * {@return every single-register load and store with an immediate offset: all widths, signedness,
     * X and W targets and data registers including XZR (31), base registers X0-X30 other than the data
     * register, scaled and unscaled offsets}
     */
    public static Gen<A64LoadStore> loadStores() {
        Gen<A64LoadStore.Op> ops = Gen.of(A64LoadStore.Op.class);
        Gen<AccessWidth> widths = Gen.of(AccessWidth.class);
        Gen<Integer> rts = Gen.frequencyOf(
                Gen.Weighted.of(1, Gen.just(31)), Gen.Weighted.of(6, Gen.integers().between(0, 30)));
        Gen<Integer> rns = Gen.integers().between(0, 30);
        return Gen.combine(ops, widths, rts, rns, Gen.of(true, false), Gen.integers().between(0, 255))
                .filter((op, width, rt, rn, unscaled, k) -> rt.intValue() != rn.intValue()
                        && !(op == A64LoadStore.Op.LDRS_X && width == AccessWidth.QWORD)
                        && !(op == A64LoadStore.Op.LDRS_W && width.bytes() >= 4))
                .as((op, width, rt, rn, unscaled, k) -> new A64LoadStore(op, width, rt, rn, unscaled,
                        unscaled ? k - 128 : (k & 31) * width.bytes()));
    }

    /**
     * {@return system registers: the IMPLEMENTATION DEFINED space (op0 = 3, CRn = 11 or 15; Arm ARM D23.3.1)
     * and the EL1/EL0 registers a vCPU state holds}
     */
    public static Gen<A64SysReg> systemRegisters() {
        Gen<A64SysReg> implementationDefined = Gen.combine(
                Gen.integers().between(0, 7), Gen.of(11, 15),
                Gen.integers().between(0, 15), Gen.integers().between(0, 7))
                .as((op1, crn, crm, op2) -> new A64SysReg(3, op1, crn, crm, op2));
        List<A64SysReg> named = Arrays.stream(SystemRegister.values())
                .filter(r -> r != SystemRegister.CNTVCT_EL0)
                .map(A64SysReg::of).toList();
        return Gen.oneOf(implementationDefined, Gen.of(named));
    }

    /** {@return a general-purpose register number 0-31, XZR (31) included} */
    public static Gen<Integer> registersWithZr() {
        return Gen.frequencyOf(Gen.Weighted.of(1, Gen.just(31)),
                Gen.Weighted.of(6, Gen.integers().between(0, 30)));
    }

    /**
     * {@return PSCI calls the contract turns into exits of their own: CPU_ON (SMC32 and SMC64 ids),
     * CPU_OFF, SYSTEM_OFF, SYSTEM_RESET, over HVC and SMC, with random arguments}
     */
    public static Gen<A64Call> psciCalls() {
        Gen<Long> ids = Gen.of((long) Psci.CPU_ON_32 & 0xFFFF_FFFFL, (long) Psci.CPU_ON_64 & 0xFFFF_FFFFL,
                (long) Psci.CPU_OFF & 0xFFFF_FFFFL, (long) Psci.SYSTEM_OFF & 0xFFFF_FFFFL,
                (long) Psci.SYSTEM_RESET & 0xFFFF_FFFFL);
        return calls(ids);
    }

    /**
     * {@return calls that are not PSCI: random 64-bit numbers outside the PSCI ranges and the SMCCC
     * architecture-call range (0x8000_0000-0x8000_FFFF), over HVC and SMC, with random arguments}
     */
    public static Gen<A64Call> hypercalls() {
        Gen<Long> numbers = Gen.longs()
                .filter(x0 -> !Psci.isPsci(x0) && (x0.intValue() & 0xFFFF_0000) != 0x8000_0000);
        return calls(numbers);
    }

    /** {@return interrupt ids a GIC delivers as IRQs: PPIs and SPIs, 16-1019} */
    public static Gen<Integer> interruptIds() {
        return Gen.integers().between(16, 1019);
    }

    private static Gen<A64Call> calls(Gen<Long> x0s) {
        return Gen.combine(Gen.of(true, false), Gen.integers().between(0, 0xFFFF), x0s,
                Gen.longs().list().ofSize(6))
                .as(A64Call::new);
    }
}
