package org.vcpu4j.tck.asm;

import org.vcpu4j.api.aarch64.SystemRegister;

/**
 * A system register named by its encoding {@code (op0, op1, CRn, CRm, op2)} (Arm ARM D23, "System
 * register encoding"), with the MRS/MSR instructions that access it.
 *
 * @param op0 2 or 3
 * @param op1 0-7
 * @param crn 0-15
 * @param crm 0-15
 * @param op2 0-7
 */
public record A64SysReg(int op0, int op1, int crn, int crm, int op2) {

    /** Validates the fields. */
    public A64SysReg {
        A64.sysFields(op0, op1, crn, crm, op2);
    }

    /**
     * {@return the encoding of a named register}
     *
     * @param r the register
     */
    public static A64SysReg of(SystemRegister r) {
        return new A64SysReg(r.op0(), r.op1(), r.crn(), r.crm(), r.op2());
    }

    /** {@return the ESR ISS-format address a trap of this register reports} */
    public long issAddress() {
        return SystemRegister.issAddress(op0, op1, crn, crm, op2);
    }

    /**
     * {@return MRS Xt, this register}
     *
     * @param rt the destination, 0-31
     */
    public int mrs(int rt) {
        return A64.mrs(op0, op1, crn, crm, op2, rt);
    }

    /**
     * {@return MSR this register, Xt}
     *
     * @param rt the source, 0-31
     */
    public int msr(int rt) {
        return A64.msr(op0, op1, crn, crm, op2, rt);
    }

    @Override
    public String toString() {
        return SystemRegister.describe(issAddress());
    }
}
