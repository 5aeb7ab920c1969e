package org.vcpu4j.api.aarch64;

import java.util.Optional;

/**
 * The EL1, EL0 and timer system registers a vCPU's state holds (the set arm_vcpu's {@code
 * GuestSystemRegisters} switches, plus the physical timer it forgets), with their encodings.
 *
 * <p>Encodings are {@code (op0, op1, CRn, CRm, op2)} as in the Arm ARM's system-register index
 * (DDI 0487, D23). Three numberings derive from them: {@link #issAddress()} (the ESR ISS format of a
 * trapped MSR/MRS, EC 0x18, and of {@code SysRegRead}/{@code SysRegWrite} exits), {@link #encoding()}
 * (the 16-bit {@code op0<<14 | op1<<11 | CRn<<7 | CRm<<3 | op2} of KVM's ONE_REG sysreg ids and HVF's
 * {@code hv_sys_reg_t}), and the MRS/MSR instruction's own fields.
 *
 * <p>{@link #CNTVCT_EL0} is the guest's virtual count: saving it reads the count, restoring it sets
 * the virtual offset so that the count reads that value (KVM's {@code KVM_REG_ARM_TIMER_CNT}).
 */
public enum SystemRegister {
    /** Multiprocessor affinity (the guest's view, VMPIDR_EL2). */
    MPIDR_EL1(3, 0, 0, 0, 5),
    /** System control. */
    SCTLR_EL1(3, 0, 1, 0, 0),
    /** Auxiliary control (implementation defined; held as a plain value). */
    ACTLR_EL1(3, 0, 1, 0, 1),
    /** Architectural feature access control (FP/SIMD trap). */
    CPACR_EL1(3, 0, 1, 0, 2),
    /** Translation table base 0. */
    TTBR0_EL1(3, 0, 2, 0, 0),
    /** Translation table base 1. */
    TTBR1_EL1(3, 0, 2, 0, 1),
    /** Translation control. */
    TCR_EL1(3, 0, 2, 0, 2),
    /** Exception syndrome. */
    ESR_EL1(3, 0, 5, 2, 0),
    /** Fault address. */
    FAR_EL1(3, 0, 6, 0, 0),
    /** Physical address (result of AT). */
    PAR_EL1(3, 0, 7, 4, 0),
    /** Memory attribute indirection. */
    MAIR_EL1(3, 0, 10, 2, 0),
    /** Auxiliary memory attribute indirection. */
    AMAIR_EL1(3, 0, 10, 3, 0),
    /** Vector base address. */
    VBAR_EL1(3, 0, 12, 0, 0),
    /** Context id. */
    CONTEXTIDR_EL1(3, 0, 13, 0, 1),
    /** EL1 software thread id. */
    TPIDR_EL1(3, 0, 13, 0, 4),
    /** EL0 read/write software thread id. */
    TPIDR_EL0(3, 3, 13, 0, 2),
    /** EL0 read-only software thread id. */
    TPIDRRO_EL0(3, 3, 13, 0, 3),
    /** Performance monitors control. */
    PMCR_EL0(3, 3, 9, 12, 0),
    /** Counter-timer kernel control. */
    CNTKCTL_EL1(3, 0, 14, 1, 0),
    /** Virtual count (see the class documentation). */
    CNTVCT_EL0(3, 3, 14, 0, 2),
    /** Physical timer control. */
    CNTP_CTL_EL0(3, 3, 14, 2, 1),
    /** Physical timer compare value. */
    CNTP_CVAL_EL0(3, 3, 14, 2, 2),
    /** Virtual timer control. */
    CNTV_CTL_EL0(3, 3, 14, 3, 1),
    /** Virtual timer compare value. */
    CNTV_CVAL_EL0(3, 3, 14, 3, 2);

    private static final SystemRegister[] VALUES = values();

    private final int op0;
    private final int op1;
    private final int crn;
    private final int crm;
    private final int op2;

    SystemRegister(int op0, int op1, int crn, int crm, int op2) {
        this.op0 = op0;
        this.op1 = op1;
        this.crn = crn;
        this.crm = crm;
        this.op2 = op2;
    }

    /** {@return op0, 2 bits} */
    public int op0() {
        return op0;
    }

    /** {@return op1, 3 bits} */
    public int op1() {
        return op1;
    }

    /** {@return CRn, 4 bits} */
    public int crn() {
        return crn;
    }

    /** {@return CRm, 4 bits} */
    public int crm() {
        return crm;
    }

    /** {@return op2, 3 bits} */
    public int op2() {
        return op2;
    }

    /** {@return the ESR ISS-format address, as {@link #issAddress(int, int, int, int, int)}} */
    public long issAddress() {
        return issAddress(op0, op1, crn, crm, op2);
    }

    /** {@return the 16-bit encoding {@code op0<<14 | op1<<11 | CRn<<7 | CRm<<3 | op2}} */
    public int encoding() {
        return op0 << 14 | op1 << 11 | crn << 7 | crm << 3 | op2;
    }

    /**
     * {@return the ESR ISS-format address of a system register: {@code op0<<20 | op2<<17 | op1<<14 |
     * CRn<<10 | CRm<<1} (ESR_ELx ISS for EC 0x18, Arm ARM D24.2.40)}
     *
     * @param op0 0-3
     * @param op1 0-7
     * @param crn 0-15
     * @param crm 0-15
     * @param op2 0-7
     */
    public static long issAddress(int op0, int op1, int crn, int crm, int op2) {
        if ((op0 & ~3) != 0 || (op1 & ~7) != 0 || (crn & ~15) != 0 || (crm & ~15) != 0 || (op2 & ~7) != 0) {
            throw new IllegalArgumentException(String.format(
                    "system register fields out of range: op0=%d op1=%d CRn=%d CRm=%d op2=%d",
                    op0, op1, crn, crm, op2));
        }
        return (long) op0 << 20 | (long) op2 << 17 | (long) op1 << 14 | (long) crn << 10 | (long) crm << 1;
    }

    /**
     * {@return the register with this ISS-format address, if the state holds it}
     *
     * @param issAddress an ISS-format address
     */
    public static Optional<SystemRegister> fromIssAddress(long issAddress) {
        for (SystemRegister r : VALUES) {
            if (r.issAddress() == issAddress) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }

    /**
     * {@return a readable name for an ISS-format address: the register's name if known, else {@code
     * S<op0>_<op1>_C<n>_C<m>_<op2>}}
     *
     * @param issAddress an ISS-format address
     */
    public static String describe(long issAddress) {
        return fromIssAddress(issAddress).map(Enum::name).orElseGet(() -> String.format(
                "S%d_%d_C%d_C%d_%d",
                (issAddress >> 20) & 3, (issAddress >> 14) & 7, (issAddress >> 10) & 15,
                (issAddress >> 1) & 15, (issAddress >> 17) & 7));
    }
}
