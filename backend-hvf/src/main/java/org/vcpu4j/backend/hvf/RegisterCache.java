package org.vcpu4j.backend.hvf;

import org.vcpu4j.backend.hvf.sys.HvReg;
import org.vcpu4j.backend.hvf.sys.HvSysReg;

/**
 * A vCPU's registers while it has no native vCPU (before {@code bind}, after {@code unbind}), in the
 * framework's own numbering so that bind can write them with no translation.
 */
final class RegisterCache {
    /** By {@code hv_reg_t}: X0-X30, PC, FPCR, FPSR, CPSR. */
    final long[] reg = new long[HvReg.COUNT];
    /** By {@link HvSysReg} ordinal. */
    final long[] sys = new long[HvSysReg.values().length];
    /** V0-V31, two longs each (bits 63:0, then 127:64). */
    final long[] simd = new long[2 * HvReg.SIMD_FP_COUNT];
    /** The vtimer offset (CNTVCT_EL0 = mach_absolute_time() - offset). */
    long vtimerOffset;
}
