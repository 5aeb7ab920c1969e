package org.vcpu4j.tck.generators;

import java.util.List;
import org.vcpu4j.property.Gen;
import org.vcpu4j.api.RegisterState;
import org.vcpu4j.api.aarch64.Aarch64State;
import org.vcpu4j.api.aarch64.SystemRegister;
import org.vcpu4j.api.aarch64.Vec128;

/**
 * A random AArch64 state. Word layout: 0-30 X0-X30, 31 SP_EL0, 32 SP_EL1, 33 PC, 34 PSTATE, 35
 * ELR_EL1, 36 SPSR_EL1, 37 FPCR, 38 FPSR, 39-102 V0-V31 (low, high), then one word per {@link
 * SystemRegister} in declaration order. Values are masked to what the architecture lets software write
 * (see {@link #sysValue}); PSTATE and SPSR keep EL1h, EL1t or EL0t.
 *
 * @param words the raw words, {@link #WORDS} of them
 * @param withVectors whether V0-V31, FPCR and FPSR take random values (else the baseline's)
 */
public record A64StateRecipe(List<Long> words, boolean withVectors) implements StateRecipe {
    /** The number of raw words. */
    public static final int WORDS = 103 + SystemRegister.values().length;

    /** Copies and checks the words. */
    public A64StateRecipe {
        words = List.copyOf(words);
        if (words.size() != WORDS) {
            throw new IllegalArgumentException("an AArch64 recipe has " + WORDS + " words, not " + words.size());
        }
    }

    /**
     * {@return random recipes}
     *
     * @param withVectors whether the SIMD&amp;FP registers are random too
     */
    public static Gen<StateRecipe> recipes(boolean withVectors) {
        return Gen.longs().list().ofSize(WORDS).map(w -> new A64StateRecipe(w, withVectors));
    }

    @Override
    public RegisterState applyTo(RegisterState baseline) {
        Aarch64State.Builder b = ((Aarch64State) baseline).toBuilder();
        for (int i = 0; i < 31; i++) {
            b.x(i, w(i));
        }
        b.spEl0(w(31) & ~0xFL).spEl1(w(32) & ~0xFL).pc(w(33) & 0x0000_FFFF_FFFF_FFFCL)
                .pstate(pstate(w(34))).elrEl1(w(35)).spsrEl1(pstate(w(36)));
        if (withVectors) {
            b.fpcr(w(37) & 0x07C0_0000L).fpsr(w(38) & 0xF800_009FL);
            for (int i = 0; i < 32; i++) {
                b.v(i, new Vec128(w(39 + 2 * i), w(40 + 2 * i)));
            }
        }
        Aarch64State base = (Aarch64State) baseline;
        for (SystemRegister r : SystemRegister.values()) {
            b.sys(r, sysValue(r, w(103 + r.ordinal()), base.sys(r)));
        }
        return b.build();
    }

    /**
     * {@return the value a recipe gives a system register: the raw word masked to the bits software
     * may set, or the baseline value for registers that identify the CPU or configure it (MPIDR_EL1,
     * SCTLR_EL1, ACTLR_EL1, AMAIR_EL1, PMCR_EL0); timers stay disabled so that ISTATUS stays 0}
     *
     * @param r the register
     * @param word the raw word
     * @param baseline the baseline value
     */
    public static long sysValue(SystemRegister r, long word, long baseline) {
        return switch (r) {
            case MPIDR_EL1, SCTLR_EL1, ACTLR_EL1, AMAIR_EL1, PMCR_EL0 -> baseline;
            case CPACR_EL1 -> (word & 1) == 0 ? 0 : 0x30_0000L; // FPEN, bits 21:20 (D19.2.30)
            case TTBR0_EL1, TTBR1_EL1 -> word & ~1L;
            case TCR_EL1 -> word & 0x0000_0000_FFFF_FFBFL;
            case ESR_EL1, CONTEXTIDR_EL1 -> word & 0xFFFF_FFFFL;
            case PAR_EL1 -> word & 0x0000_FFFF_FFFF_F000L;
            case VBAR_EL1 -> word & 0x0000_FFFF_FFFF_F800L; // bits 10:0 RES0 (D19.2.167)
            case CNTKCTL_EL1 -> word & 0x303L;
            case CNTVCT_EL0 -> word & 0x0FFF_FFFF_FFFF_FFFFL;
            case CNTP_CTL_EL0, CNTV_CTL_EL0 -> word & 2L; // IMASK only: ENABLE = 0 (D19.12)
            case FAR_EL1, MAIR_EL1, TPIDR_EL1, TPIDR_EL0, TPIDRRO_EL0, CNTP_CVAL_EL0, CNTV_CVAL_EL0 -> word;
        };
    }

    private long w(int i) {
        return words.get(i);
    }

    private static long pstate(long word) {
        long nzcv = word >>> 60 << 28;
        long daif = (word & 0xF) << 6;
        long mode = switch ((int) ((word >>> 4) & 3)) {
            case 0 -> 0; // EL0t
            case 1 -> 4; // EL1t
            default -> 5; // EL1h
        };
        return nzcv | daif | mode;
    }
}
