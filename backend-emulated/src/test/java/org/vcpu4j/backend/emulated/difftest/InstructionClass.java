package org.vcpu4j.backend.emulated.difftest;

/** The instruction classes the generator can produce, each switched on or off as a whole. */
enum InstructionClass {
    /** ADD/SUB (immediate), MOVZ/MOVN/MOVK. */
    ARITHMETIC_IMMEDIATE,
    /** AND/ORR/EOR/ANDS with bitmask immediates, and the shifted-register logical forms. */
    LOGICAL,
    /** ADD/SUB(S) with shifted and extended registers. */
    ARITHMETIC_REGISTER,
    /** SBFM/BFM/UBFM and EXTR. */
    BITFIELD_EXTRACT,
    /** LSLV/LSRV/ASRV/RORV. */
    SHIFT_REGISTER,
    /** CSEL/CSINC/CSINV/CSNEG, CCMP/CCMN (register and immediate). */
    CONDITIONAL,
    /** ADC/ADCS/SBC/SBCS. */
    CARRY,
    /** MADD/MSUB, the long multiplies, SMULH/UMULH, UDIV/SDIV. */
    MULTIPLY_DIVIDE,
    /** RBIT, REV16, REV32, REV, CLZ, CLS. */
    REVERSE_COUNT,
    /** Single-register loads and stores: every size and signedness, unsigned/unscaled/pre/post/register offset, PRFM. */
    LOAD_STORE,
    /**
     * LDTR/STTR and their sized/signed forms. Only with the MMU off: the MMU-on identity map is EL1-only,
     * so an unprivileged access there faults (an EL0-accessible map would forbid EL1 execution).
     */
    UNPRIVILEGED,
    /** LDP/STP/LDPSW/LDNP/STNP in every addressing mode. */
    LOAD_STORE_PAIR,
    /** LDR/LDRSW/PRFM (literal). */
    LOAD_LITERAL,
    /** LDXR/STXR groups (and acquire/release, pair forms), LDAR/STLR. */
    EXCLUSIVE,
    /** CAS, CASP, SWP, LDADD, LDCLR, LDEOR, LDSET, LD{S,U}{MAX,MIN} (FEAT_LSE). */
    ATOMIC,
    /** B, BL, B.cond, CBZ/CBNZ, TBZ/TBNZ, BR/BLR/RET, all forward inside the snippet. */
    BRANCH,
    /** BRK, UDF and BR to a misaligned address: the snippet ends in a fault, compared at the faulting instruction. */
    FAULT,
    /** ADR, ADRP. */
    PC_RELATIVE_ADDRESS,
    /** NOP, DMB, DSB, ISB, MRS/MSR NZCV. */
    SYSTEM,
    /**
     * DC ZVA. Only with the MMU on: with it off every data access is to Device memory, where DC ZVA takes
     * an alignment fault, while qemu-aarch64's process has Normal memory.
     */
    CACHE_ZERO,
    /** A store over a later instruction of the snippet, DC CVAU/IC IVAU maintenance, then running it. */
    SELF_MODIFYING,
    /**
     * A counted backward loop (x19 counts, 1-4 or 100-3000 times, so that hot code is compared too)
     * around one instruction of the other straight-line classes.
     */
    LOOP,
    /** SIMD&amp;FP loads and stores: B/H/S/D/Q in every addressing mode, pairs, literal. */
    SIMD_LOAD_STORE,
    /**
     * LD1-LD4/ST1-ST4 (multiple and single structure) and LD1R-LD4R, with no offset or post-index by the
     * transfer size (when a multiple of 16) or by x24/x25.
     */
    SIMD_STRUCTURE,
    /** FMOV general, UMOV/SMOV, INS, DUP, and the modified-immediate MOVI/MVNI/ORR/BIC/FMOV. */
    SIMD_MOVE
}
