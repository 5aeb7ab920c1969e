package org.vcpu4j.backend.hvf.sys;

/**
 * {@code hv_reg_t} (arm64, {@code <Hypervisor/hv_vcpu_types.h>}): X0-X30 are 0-30, then PC, FPCR, FPSR
 * and CPSR. {@code hv_interrupt_type_t}, {@code hv_memory_flags_t} and {@code hv_simd_fp_reg_t}
 * constants are here too.
 */
public final class HvReg {
    /** {@code HV_REG_X0}; Xn is {@code X0 + n} for n = 0..30. */
    public static final int X0 = 0;
    /** {@code HV_REG_PC}. */
    public static final int PC = 31;
    /** {@code HV_REG_FPCR}. */
    public static final int FPCR = 32;
    /** {@code HV_REG_FPSR}. */
    public static final int FPSR = 33;
    /** {@code HV_REG_CPSR}: PSTATE in SPSR format. */
    public static final int CPSR = 34;
    /** The number of {@code hv_reg_t} values. */
    public static final int COUNT = 35;

    /** {@code HV_INTERRUPT_TYPE_IRQ}. */
    public static final int INTERRUPT_IRQ = 0;
    /** {@code HV_INTERRUPT_TYPE_FIQ}. */
    public static final int INTERRUPT_FIQ = 1;

    /** {@code HV_MEMORY_READ}. */
    public static final long MEMORY_READ = 1L;
    /** {@code HV_MEMORY_WRITE}. */
    public static final long MEMORY_WRITE = 1L << 1;
    /** {@code HV_MEMORY_EXEC}. */
    public static final long MEMORY_EXEC = 1L << 2;

    /** The number of {@code hv_simd_fp_reg_t} values ({@code HV_SIMD_FP_REG_Q0} = 0 .. Q31 = 31). */
    public static final int SIMD_FP_COUNT = 32;

    private HvReg() {}

    /**
     * {@return a readable name of an {@code hv_reg_t}}
     *
     * @param reg the register id
     */
    public static String name(int reg) {
        return switch (reg) {
            case PC -> "HV_REG_PC";
            case FPCR -> "HV_REG_FPCR";
            case FPSR -> "HV_REG_FPSR";
            case CPSR -> "HV_REG_CPSR";
            default -> reg >= 0 && reg <= 30 ? "HV_REG_X" + reg : "hv_reg_t " + reg;
        };
    }
}
