package org.vcpu4j.api.x86_64;

import java.util.Arrays;
import java.util.Objects;

/**
 * The x87 and SSE state of an x86-64 vCPU as an immutable value, as the FXSAVE area holds it (Intel SDM
 * Vol. 1 section 10.5.1, Table 10-2) and KVM's {@code struct kvm_fpu} carries it: ST0-ST7 (80 bits
 * each), FCW, FSW, the abridged tag word FTW (one bit per register: 1 = not empty), FOP, FIP, FDP,
 * XMM0-XMM15 (128 bits each) and MXCSR.
 *
 * @param x87 ST0-ST7 as 16 longs: for register i, {@code x87[2i]} holds bits 63:0 (the significand) and
 *     the low 16 bits of {@code x87[2i+1]} bits 79:64 (sign and exponent)
 * @param fcw the x87 control word
 * @param fsw the x87 status word
 * @param ftw the abridged tag word (8 bits)
 * @param fop the last x87 opcode (11 bits)
 * @param fip the last x87 instruction pointer
 * @param fdp the last x87 data pointer
 * @param xmm XMM0-XMM15 as 32 longs: {@code xmm[2i]} the low, {@code xmm[2i+1]} the high half
 * @param mxcsr the SSE control and status register
 */
public record FpuState(long[] x87, int fcw, int fsw, int ftw, int fop, long fip, long fdp, long[] xmm, int mxcsr) {
    /**
     * The state after FNINIT and power-on MXCSR (SDM Vol. 1 sections 8.1.5 and 10.2.3.1): FCW 0x37F, every
     * register empty, MXCSR 0x1F80 (all SSE exceptions masked); what KVM gives a new vCPU.
     */
    public static final FpuState INITIAL = new FpuState(new long[16], 0x37F, 0, 0, 0, 0, 0, new long[32], 0x1F80);

    /** Copies and checks the arrays. */
    public FpuState {
        x87 = Objects.requireNonNull(x87, "x87").clone();
        xmm = Objects.requireNonNull(xmm, "xmm").clone();
        if (x87.length != 16 || xmm.length != 32) {
            throw new IllegalArgumentException("x87 needs 16 longs (8 registers) and xmm 32 (16 registers)");
        }
    }

    /** {@return ST0-ST7, two longs each (see the class documentation); a copy} */
    @Override
    public long[] x87() {
        return x87.clone();
    }

    /** {@return XMM0-XMM15, two longs each (low, high); a copy} */
    @Override
    public long[] xmm() {
        return xmm.clone();
    }

    /**
     * {@return this state with one XMM register replaced}
     *
     * @param n 0-15
     * @param low bits 63:0
     * @param high bits 127:64
     */
    public FpuState withXmm(int n, long low, long high) {
        Objects.checkIndex(n, 16);
        long[] x = xmm.clone();
        x[2 * n] = low;
        x[2 * n + 1] = high;
        return new FpuState(x87, fcw, fsw, ftw, fop, fip, fdp, x, mxcsr);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FpuState f && Arrays.equals(x87, f.x87) && fcw == f.fcw && fsw == f.fsw && ftw == f.ftw
                && fop == f.fop && fip == f.fip && fdp == f.fdp && Arrays.equals(xmm, f.xmm) && mxcsr == f.mxcsr;
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(x87), fcw, fsw, ftw, fop, fip, fdp, Arrays.hashCode(xmm), mxcsr);
    }

    @Override
    public String toString() {
        return String.format("FpuState[fcw=0x%x fsw=0x%x ftw=0x%x mxcsr=0x%x xmm0=0x%016x%016x]", fcw, fsw, ftw, mxcsr,
                xmm[1], xmm[0]);
    }
}
