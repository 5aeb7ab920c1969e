package org.vcpu4j.backend.kvm.sys;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;

/**
 * arm64 {@code struct kvm_regs} (arch/arm64/include/uapi/asm/kvm.h), 864 bytes, and the
 * {@code KVM_GET/SET_ONE_REG} ids derived from it and from {@code ARM64_SYS_REG}. The struct is never
 * passed whole (arm64 has no KVM_GET_REGS); its offsets are the core-register ids:
 * {@code KVM_REG_ARM64 | size | KVM_REG_ARM_CORE | offsetof(struct kvm_regs, field) / 4}.
 */
public final class KvmArm64Regs {
    private KvmArm64Regs() {}

    private static final GroupLayout USER_PT_REGS = MemoryLayout.structLayout(
            MemoryLayout.sequenceLayout(31, JAVA_LONG).withName("regs"), JAVA_LONG.withName("sp"),
            JAVA_LONG.withName("pc"), JAVA_LONG.withName("pstate")).withName("user_pt_regs");
    private static final GroupLayout USER_FPSIMD_STATE = MemoryLayout.structLayout(
            MemoryLayout.sequenceLayout(64, JAVA_LONG).withName("vregs"), JAVA_INT.withName("fpsr"),
            JAVA_INT.withName("fpcr"), MemoryLayout.sequenceLayout(2, JAVA_INT).withName("__reserved"))
            .withName("user_fpsimd_state");
    private static final GroupLayout LAYOUT = MemoryLayout.structLayout(USER_PT_REGS.withName("regs"),
            JAVA_LONG.withName("sp_el1"), JAVA_LONG.withName("elr_el1"),
            MemoryLayout.sequenceLayout(5, JAVA_LONG).withName("spsr"), MemoryLayout.paddingLayout(8),
            USER_FPSIMD_STATE.withName("fp_regs")).withName("kvm_regs");

    /** {@code KVM_REG_ARM64}. */
    public static final long KVM_REG_ARM64 = 0x6000_0000_0000_0000L;
    /** {@code KVM_REG_SIZE_MASK} (bits 52..55, log2 of the size in bytes). */
    public static final long KVM_REG_SIZE_MASK = 0x00F0_0000_0000_0000L;
    /** {@code KVM_REG_SIZE_U32}. */
    public static final long KVM_REG_SIZE_U32 = 0x0020_0000_0000_0000L;
    /** {@code KVM_REG_SIZE_U64}. */
    public static final long KVM_REG_SIZE_U64 = 0x0030_0000_0000_0000L;
    /** {@code KVM_REG_SIZE_U128}. */
    public static final long KVM_REG_SIZE_U128 = 0x0040_0000_0000_0000L;
    /** {@code KVM_REG_ARM_CORE} (coprocessor 0x10 in bits 16..27). */
    public static final long KVM_REG_ARM_CORE = 0x0010_0000L;
    /** {@code KVM_REG_ARM64_SYSREG} (coprocessor 0x13). */
    public static final long KVM_REG_ARM64_SYSREG = 0x0013_0000L;
    /** {@code KVM_REG_ARM_FW} (coprocessor 0x14). */
    public static final long KVM_REG_ARM_FW = 0x0014_0000L;

    /** {@return the layout of the arm64 {@code struct kvm_regs}} */
    public static GroupLayout layout() {
        return LAYOUT;
    }

    /** {@return {@code sizeof}, 864} */
    public static long sizeof() {
        return LAYOUT.byteSize();
    }

    /**
     * {@return the offset of a top-level field: regs, sp_el1, elr_el1, spsr, fp_regs}
     *
     * @param field the field
     */
    public static long offsetOf(String field) {
        return LAYOUT.byteOffset(groupElement(field));
    }

    private static final long SP = LAYOUT.byteOffset(groupElement("regs"), groupElement("sp"));
    private static final long PC = LAYOUT.byteOffset(groupElement("regs"), groupElement("pc"));
    private static final long PSTATE = LAYOUT.byteOffset(groupElement("regs"), groupElement("pstate"));
    private static final long SP_EL1 = offsetOf("sp_el1");
    private static final long ELR_EL1 = offsetOf("elr_el1");
    private static final long SPSR = offsetOf("spsr");
    private static final long VREGS = LAYOUT.byteOffset(groupElement("fp_regs"), groupElement("vregs"));
    private static final long FPSR = LAYOUT.byteOffset(groupElement("fp_regs"), groupElement("fpsr"));
    private static final long FPCR = LAYOUT.byteOffset(groupElement("fp_regs"), groupElement("fpcr"));

    private static long core(long size, long offset) {
        return KVM_REG_ARM64 | size | KVM_REG_ARM_CORE | (offset / 4);
    }

    /** {@return the id of Xn} @param n 0-30 */
    public static long x(int n) {
        return core(KVM_REG_SIZE_U64, 8L * n);
    }

    /** {@return the id of SP_EL0 ({@code regs.sp})} */
    public static long spEl0() {
        return core(KVM_REG_SIZE_U64, SP);
    }

    /** {@return the id of PC} */
    public static long pc() {
        return core(KVM_REG_SIZE_U64, PC);
    }

    /** {@return the id of PSTATE} */
    public static long pstate() {
        return core(KVM_REG_SIZE_U64, PSTATE);
    }

    /** {@return the id of SP_EL1} */
    public static long spEl1() {
        return core(KVM_REG_SIZE_U64, SP_EL1);
    }

    /** {@return the id of ELR_EL1} */
    public static long elrEl1() {
        return core(KVM_REG_SIZE_U64, ELR_EL1);
    }

    /** {@return the id of SPSR_EL1 ({@code spsr[KVM_SPSR_EL1 = 0]})} */
    public static long spsrEl1() {
        return core(KVM_REG_SIZE_U64, SPSR);
    }

    /** {@return the id of Vn (128 bits)} @param n 0-31 */
    public static long v(int n) {
        return core(KVM_REG_SIZE_U128, VREGS + 16L * n);
    }

    /** {@return the id of FPSR (32 bits)} */
    public static long fpsr() {
        return core(KVM_REG_SIZE_U32, FPSR);
    }

    /** {@return the id of FPCR (32 bits)} */
    public static long fpcr() {
        return core(KVM_REG_SIZE_U32, FPCR);
    }

    /**
     * {@return {@code ARM64_SYS_REG(op0, op1, crn, crm, op2)}: the id of a system register (asm/kvm.h
     * KVM_REG_ARM64_SYSREG_OP0_SHIFT 14, OP1 11, CRN 7, CRM 3, OP2 0)}
     *
     * @param op0 op0
     * @param op1 op1
     * @param crn CRn
     * @param crm CRm
     * @param op2 op2
     */
    public static long sysReg(int op0, int op1, int crn, int crm, int op2) {
        return KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM64_SYSREG
                | ((long) op0 << 14) | ((long) op1 << 11) | ((long) crn << 7) | ((long) crm << 3) | op2;
    }

    /**
     * {@code KVM_REG_ARM_TIMER_CNT = ARM64_SYS_REG(3, 3, 14, 3, 2)}: the guest's virtual count. Its
     * encoding is that of CNTV_CVAL_EL0: the header swapped the two by accident and keeps them so.
     */
    public static final long KVM_REG_ARM_TIMER_CNT = sysReg(3, 3, 14, 3, 2);
    /** {@code KVM_REG_ARM_TIMER_CVAL = ARM64_SYS_REG(3, 3, 14, 0, 2)}: CNTV_CVAL_EL0 (encoding of CNTVCT_EL0). */
    public static final long KVM_REG_ARM_TIMER_CVAL = sysReg(3, 3, 14, 0, 2);
    /** {@code KVM_REG_ARM_TIMER_CTL = ARM64_SYS_REG(3, 3, 14, 3, 1)}: CNTV_CTL_EL0. */
    public static final long KVM_REG_ARM_TIMER_CTL = sysReg(3, 3, 14, 3, 1);

    /**
     * {@return the ONE_REG id of an architectural system register, swapping the timer ids the header
     * swapped: CNTVCT_EL0 (3,3,14,0,2) is {@link #KVM_REG_ARM_TIMER_CNT} and CNTV_CVAL_EL0 (3,3,14,3,2) is
     * {@link #KVM_REG_ARM_TIMER_CVAL}}
     *
     * @param op0 op0
     * @param op1 op1
     * @param crn CRn
     * @param crm CRm
     * @param op2 op2
     */
    public static long architecturalSysReg(int op0, int op1, int crn, int crm, int op2) {
        long id = sysReg(op0, op1, crn, crm, op2);
        if (id == KVM_REG_ARM_TIMER_CVAL) {
            return KVM_REG_ARM_TIMER_CNT; // architectural CNTVCT_EL0
        }
        if (id == KVM_REG_ARM_TIMER_CNT) {
            return KVM_REG_ARM_TIMER_CVAL; // architectural CNTV_CVAL_EL0
        }
        return id;
    }
}
