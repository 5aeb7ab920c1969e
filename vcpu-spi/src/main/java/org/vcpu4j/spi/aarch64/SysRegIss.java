package org.vcpu4j.spi.aarch64;

import org.vcpu4j.api.aarch64.SystemRegister;

/**
 * The ISS of a trapped MSR/MRS (EC 0x18; Arm ARM D24.2.40, "ISS encoding for an exception from MSR,
 * MRS, or System instruction execution in AArch64 state"): Op0[21:20], Op2[19:17], Op1[16:14],
 * CRn[13:10], Rt[9:5], CRm[4:1], Direction[0] (1 = read, MRS).
 *
 * @param op0 op0
 * @param op1 op1
 * @param crn CRn
 * @param crm CRm
 * @param op2 op2
 * @param register Rt, 31 = XZR
 * @param read whether the access is a read (MRS)
 */
public record SysRegIss(int op0, int op1, int crn, int crm, int op2, int register, boolean read) {

    /** The mask that keeps the register address of an ISS: Rt and Direction cleared. */
    public static final int ADDRESS_MASK = 0x3FFC1E;

    /** Validates the fields. */
    public SysRegIss {
        SystemRegister.issAddress(op0, op1, crn, crm, op2);
        if (register < 0 || register > 31) {
            throw new IllegalArgumentException("Rt must be 0..31, not " + register);
        }
    }

    /**
     * {@return the fields of a system-register ISS}
     *
     * @param iss the 25-bit ISS
     */
    public static SysRegIss decode(int iss) {
        return new SysRegIss((iss >>> 20) & 3, (iss >>> 14) & 7, (iss >>> 10) & 0xF, (iss >>> 1) & 0xF,
                (iss >>> 17) & 7, (iss >>> 5) & 0x1F, (iss & 1) != 0);
    }

    /**
     * {@return the ISS of an access to the register at an ISS-format address}
     *
     * @param address an ISS-format address
     * @param register Rt
     * @param read whether it is an MRS
     */
    public static SysRegIss of(long address, int register, boolean read) {
        int a = (int) address;
        if ((address & ~ADDRESS_MASK) != 0) {
            throw new IllegalArgumentException(String.format("0x%x is not an ISS-format register address", address));
        }
        return decode(a | register << 5 | (read ? 1 : 0));
    }

    /** {@return the 25-bit ISS} */
    public int encode() {
        return (int) address() | register << 5 | (read ? 1 : 0);
    }

    /** {@return the ISS-format register address: {@code ISS & 0x3FFC1E}} */
    public long address() {
        return SystemRegister.issAddress(op0, op1, crn, crm, op2);
    }
}
