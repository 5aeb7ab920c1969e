package org.vcpu4j.backend.hvf.sys;

import java.util.Optional;
import org.vcpu4j.api.aarch64.SystemRegister;

/**
 * The {@code hv_sys_reg_t} values (arm64, {@code <Hypervisor/hv_vcpu_types.h>}) this backend reads and
 * writes: {@code op0<<14 | op1<<11 | CRn<<7 | CRm<<3 | op2}, the same 16 bits as {@link
 * SystemRegister#encoding()}. Registers of {@link SystemRegister} that are missing here (ACTLR_EL1,
 * PMCR_EL0, CNTP_CTL_EL0, CNTP_CVAL_EL0, and CNTVCT_EL0, which is derived from the vtimer offset) have
 * no {@code hv_sys_reg_t}.
 */
public enum HvSysReg {
    /** {@code HV_SYS_REG_MPIDR_EL1}. */
    MPIDR_EL1(0xc005),
    /** {@code HV_SYS_REG_SCTLR_EL1}. */
    SCTLR_EL1(0xc080),
    /** {@code HV_SYS_REG_CPACR_EL1}. */
    CPACR_EL1(0xc082),
    /** {@code HV_SYS_REG_TTBR0_EL1}. */
    TTBR0_EL1(0xc100),
    /** {@code HV_SYS_REG_TTBR1_EL1}. */
    TTBR1_EL1(0xc101),
    /** {@code HV_SYS_REG_TCR_EL1}. */
    TCR_EL1(0xc102),
    /** {@code HV_SYS_REG_SPSR_EL1}. */
    SPSR_EL1(0xc200),
    /** {@code HV_SYS_REG_ELR_EL1}. */
    ELR_EL1(0xc201),
    /** {@code HV_SYS_REG_SP_EL0}. */
    SP_EL0(0xc208),
    /** {@code HV_SYS_REG_ESR_EL1}. */
    ESR_EL1(0xc290),
    /** {@code HV_SYS_REG_FAR_EL1}. */
    FAR_EL1(0xc300),
    /** {@code HV_SYS_REG_PAR_EL1}. */
    PAR_EL1(0xc3a0),
    /** {@code HV_SYS_REG_MAIR_EL1}. */
    MAIR_EL1(0xc510),
    /** {@code HV_SYS_REG_AMAIR_EL1}. */
    AMAIR_EL1(0xc518),
    /** {@code HV_SYS_REG_VBAR_EL1}. */
    VBAR_EL1(0xc600),
    /** {@code HV_SYS_REG_CONTEXTIDR_EL1}. */
    CONTEXTIDR_EL1(0xc681),
    /** {@code HV_SYS_REG_TPIDR_EL1}. */
    TPIDR_EL1(0xc684),
    /** {@code HV_SYS_REG_CNTKCTL_EL1}. */
    CNTKCTL_EL1(0xc708),
    /** {@code HV_SYS_REG_TPIDR_EL0}. */
    TPIDR_EL0(0xde82),
    /** {@code HV_SYS_REG_TPIDRRO_EL0}. */
    TPIDRRO_EL0(0xde83),
    /** {@code HV_SYS_REG_CNTV_CTL_EL0}. */
    CNTV_CTL_EL0(0xdf19),
    /** {@code HV_SYS_REG_CNTV_CVAL_EL0}. */
    CNTV_CVAL_EL0(0xdf1a),
    /** {@code HV_SYS_REG_SP_EL1}. */
    SP_EL1(0xe208);

    private static final HvSysReg[] VALUES = values();
    private static final HvSysReg[] BY_SYSTEM_REGISTER = new HvSysReg[SystemRegister.values().length];

    static {
        for (SystemRegister r : SystemRegister.values()) {
            for (HvSysReg h : VALUES) {
                if (h.name().equals(r.name())) {
                    BY_SYSTEM_REGISTER[r.ordinal()] = h;
                }
            }
        }
    }

    private final int code;

    HvSysReg(int code) {
        this.code = code;
    }

    /** {@return the {@code hv_sys_reg_t} value} */
    public int code() {
        return code;
    }

    /**
     * {@return the {@code hv_sys_reg_t} of a state register, if the framework has one}
     *
     * @param r a register of the state
     */
    public static Optional<HvSysReg> of(SystemRegister r) {
        return Optional.ofNullable(BY_SYSTEM_REGISTER[r.ordinal()]);
    }

    /**
     * {@return the constant for an {@code hv_sys_reg_t} value, or null}
     *
     * @param code the value
     */
    public static HvSysReg ofCode(int code) {
        for (HvSysReg h : VALUES) {
            if (h.code == code) {
                return h;
            }
        }
        return null;
    }
}
