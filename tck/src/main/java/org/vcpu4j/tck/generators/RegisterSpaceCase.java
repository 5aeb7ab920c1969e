package org.vcpu4j.tck.generators;

import org.vcpu4j.property.Gen;
import org.vcpu4j.tck.asm.A64SysReg;
import org.vcpu4j.tck.asm.X86PortAccess;

/**
 * An access to the register space a VMM serves outside memory: a trapped system register on AArch64,
 * an I/O port on x86-64.
 */
public sealed interface RegisterSpaceCase permits RegisterSpaceCase.A64, RegisterSpaceCase.X86 {

    /** {@return whether the access reads (MRS, IN)} */
    boolean isRead();

    /**
     * An MRS or MSR of a system register the setup traps.
     *
     * @param register the register
     * @param read MRS (else MSR)
     * @param rt the data register, 0-31 (31 = XZR)
     */
    record A64(A64SysReg register, boolean read, int rt) implements RegisterSpaceCase {
        @Override
        public boolean isRead() {
            return read;
        }

        /** {@return the instruction word} */
        public int encode() {
            return read ? register.mrs(rt) : register.msr(rt);
        }

        @Override
        public String toString() {
            String r = rt == 31 ? "xzr" : "x" + rt;
            return read ? "mrs " + r + ", " + register : "msr " + register + ", " + r;
        }
    }

    /**
     * An IN or OUT.
     *
     * @param access the instruction
     */
    record X86(X86PortAccess access) implements RegisterSpaceCase {
        @Override
        public boolean isRead() {
            return access.in();
        }

        @Override
        public String toString() {
            return access.assembly();
        }
    }

    /** {@return AArch64 cases} */
    static Gen<RegisterSpaceCase> a64() {
        return Gen.combine(A64Generators.systemRegisters(), Gen.of(true, false),
                A64Generators.registersWithZr()).as(RegisterSpaceCase.A64::new);
    }

    /** {@return x86-64 cases} */
    static Gen<RegisterSpaceCase> x86() {
        return X86Generators.portAccesses().map(RegisterSpaceCase.X86::new);
    }
}
