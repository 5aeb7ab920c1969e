package org.vcpu4j.backend.emulated.cpu;

/**
 * Decodes an A64 instruction once, when it is first run from a code page, into an operation number and
 * a precomputed operand, and from them an {@link Instruction}; {@link Cpu} keeps it until the page's
 * copy changes (a store to the page, IC maintenance, a host write).
 *
 * <p>The instructions compiled code spends its time in get an operation of their own with everything
 * that does not depend on registers worked out: immediates shifted, logical masks expanded,
 * bitfield positions computed, branch targets and ADR/ADRP/MOVZ/MOVN results made absolute. Every other
 * instruction gets the operation of its encoding group (Arm ARM C4.1, bits 28:25), whose handler
 * decodes the rest; so does any encoding a fast operation would have to check for UNDEFINED, so that
 * those checks stay in one place.
 *
 * <p>Register numbers are not copied: handlers take Rd, Rn, Rm and Ra from the instruction word, at
 * the same bit positions in every class (Rd/Rt 4:0, Rn 9:5, Rm 20:16, Ra/Rt2 14:10).
 */
final class Decoder {
    private Decoder() {}

    // ---- encoding groups, run by the generic decoders of Cpu
    /** Data processing, immediate (bits 28:26 = 100). */
    static final int GROUP_DP_IMMEDIATE = 1;
    /** Branches, exception generation and system (bits 28:26 = 101). */
    static final int GROUP_BRANCH_SYSTEM = 2;
    /** Data processing, register (bits 27:25 = 101). */
    static final int GROUP_DP_REGISTER = 3;
    /** Loads and stores (bits 27, 25 = 1, 0). */
    static final int GROUP_LOAD_STORE = 4;
    /** SIMD and floating point (bits 27:25 = 111). */
    static final int GROUP_SIMD_FP = 5;
    /** Unallocated (bits 28:25 = 000x, 0010, 0011): UNDEFINED. */
    static final int UNALLOCATED = 6;

    // ---- data processing, immediate; operand = the immediate
    /** ADD/SUB (immediate) without flags; SUB stored as ADD of the negation. Rd and Rn may be SP. */
    static final int ADD_IMM_X = 7;
    /** 32-bit ADD/SUB (immediate). */
    static final int ADD_IMM_W = 8;
    /** ADDS (immediate), CMN. */
    static final int ADDS_IMM_X = 9;
    /** 32-bit ADDS (immediate). */
    static final int ADDS_IMM_W = 10;
    /** SUBS (immediate), CMP. */
    static final int SUBS_IMM_X = 11;
    /** 32-bit SUBS (immediate). */
    static final int SUBS_IMM_W = 12;
    /** Rd = operand: MOVZ, MOVN, ADR, ADRP (the result does not depend on any register). */
    static final int MOV_CONSTANT = 13;
    /** MOVK; operand = the shifted 16-bit immediate, the shift comes from hw. */
    static final int MOVK_X = 14;
    /** 32-bit MOVK. */
    static final int MOVK_W = 15;
    /** AND (immediate), both widths (the W mask has its top half clear). Rd may be SP. */
    static final int AND_IMM = 16;
    /** ORR (immediate). Rd may be SP. */
    static final int ORR_IMM_X = 17;
    /** 32-bit ORR (immediate). */
    static final int ORR_IMM_W = 18;
    /** EOR (immediate). Rd may be SP. */
    static final int EOR_IMM_X = 19;
    /** 32-bit EOR (immediate). */
    static final int EOR_IMM_W = 20;
    /** ANDS (immediate), TST. */
    static final int ANDS_IMM_X = 21;
    /** 32-bit ANDS (immediate). */
    static final int ANDS_IMM_W = 22;
    /** UBFM (LSL, LSR, UBFX, UXTB...); operand = source lsb | destination lsb &lt;&lt; 8 | width &lt;&lt; 16. */
    static final int UBFM_X = 23;
    /** 32-bit UBFM. */
    static final int UBFM_W = 24;
    /** SBFM (ASR, SBFX, SXTB, SXTW...); operand as for UBFM. */
    static final int SBFM_X = 25;
    /** 32-bit SBFM. */
    static final int SBFM_W = 26;

    // ---- data processing, register; operand = shift type | amount << 2 (| invert << 8 for logical)
    /** ORR Xd, XZR, Xm (MOV, register). */
    static final int MOV_REG_X = 27;
    /** ORR Wd, WZR, Wm (MOV, register). */
    static final int MOV_REG_W = 28;
    /** AND/BIC (shifted register). */
    static final int AND_SR_X = 29;
    /** 32-bit AND/BIC (shifted register). */
    static final int AND_SR_W = 30;
    /** ORR/ORN (shifted register). */
    static final int ORR_SR_X = 31;
    /** 32-bit ORR/ORN (shifted register). */
    static final int ORR_SR_W = 32;
    /** EOR/EON (shifted register). */
    static final int EOR_SR_X = 33;
    /** 32-bit EOR/EON (shifted register). */
    static final int EOR_SR_W = 34;
    /** ANDS/BICS (shifted register), TST. */
    static final int ANDS_SR_X = 35;
    /** 32-bit ANDS/BICS (shifted register). */
    static final int ANDS_SR_W = 36;
    /** ADD (shifted register). */
    static final int ADD_SR_X = 37;
    /** 32-bit ADD (shifted register). */
    static final int ADD_SR_W = 38;
    /** SUB (shifted register), NEG. */
    static final int SUB_SR_X = 39;
    /** 32-bit SUB (shifted register). */
    static final int SUB_SR_W = 40;
    /** ADDS (shifted register), CMN. */
    static final int ADDS_SR_X = 41;
    /** 32-bit ADDS (shifted register). */
    static final int ADDS_SR_W = 42;
    /** SUBS (shifted register), CMP. */
    static final int SUBS_SR_X = 43;
    /** 32-bit SUBS (shifted register). */
    static final int SUBS_SR_W = 44;
    /** MADD (MUL). */
    static final int MADD_X = 45;
    /** 32-bit MADD. */
    static final int MADD_W = 46;
    /** MSUB (MNEG). */
    static final int MSUB_X = 47;
    /** 32-bit MSUB. */
    static final int MSUB_W = 48;

    // ---- branches; operand = the target address
    /** B. */
    static final int B = 49;
    /** BL. */
    static final int BL = 50;
    /** B.cond; the condition is bits 3:0. */
    static final int B_COND = 51;
    /** CBZ Xt. */
    static final int CBZ_X = 52;
    /** CBNZ Xt. */
    static final int CBNZ_X = 53;
    /** CBZ Wt. */
    static final int CBZ_W = 54;
    /** CBNZ Wt. */
    static final int CBNZ_W = 55;
    /** TBZ; the bit number is b5:b40. */
    static final int TBZ = 56;
    /** TBNZ. */
    static final int TBNZ = 57;
    /** BR, RET (no operand). */
    static final int BR = 58;
    /** BLR (no operand). */
    static final int BLR = 59;

    // ---- general-purpose loads and stores at base + operand (unsigned offset, scaled; or unscaled)
    /** STRB/STURB. */
    static final int STRB = 60;
    /** STRH/STURH. */
    static final int STRH = 61;
    /** STR/STUR of a W register. */
    static final int STR_W = 62;
    /** STR/STUR of an X register. */
    static final int STR_X = 63;
    /** LDRB/LDURB. */
    static final int LDRB = 64;
    /** LDRH/LDURH. */
    static final int LDRH = 65;
    /** LDR/LDUR of a W register. */
    static final int LDR_W = 66;
    /** LDR/LDUR of an X register. */
    static final int LDR_X = 67;
    /** LDRSB/LDURSB to an X register. */
    static final int LDRSB_X = 68;
    /** LDRSH/LDURSH to an X register. */
    static final int LDRSH_X = 69;
    /** LDRSW/LDURSW. */
    static final int LDRSW = 70;
    /** LDRSB/LDURSB to a W register. */
    static final int LDRSB_W = 71;
    /** LDRSH/LDURSH to a W register. */
    static final int LDRSH_W = 72;

    // ---- general-purpose loads and stores, other addressing modes; the size is bits 31:30
    /** LDR (zero-extending, any size), post-index; operand = the signed offset. */
    static final int LDR_POST = 73;
    /** LDR (zero-extending, any size), pre-index. */
    static final int LDR_PRE = 74;
    /** STR (any size), post-index. */
    static final int STR_POST = 75;
    /** STR (any size), pre-index. */
    static final int STR_PRE = 76;
    /** LDR (zero-extending, any size), register offset; operand = extend option | shift &lt;&lt; 3. */
    static final int LDR_REG = 77;
    /** STR (any size), register offset. */
    static final int STR_REG = 78;
    /** LDP of X registers (all addressing modes, bits 24:23); operand = the scaled offset. */
    static final int LDP_X = 79;
    /** STP of X registers. */
    static final int STP_X = 80;
    /** LDP of W registers. */
    static final int LDP_W = 81;
    /** STP of W registers. */
    static final int STP_W = 82;

    /**
     * {@return the instruction that runs a word found at an address}
     *
     * @param in the instruction word
     * @param pc its address (branch targets, ADR and ADRP results are made absolute)
     */
    static Instruction decode(int in, long pc) {
        long[] operand = new long[1];
        int op = operation(in, pc, operand, 0);
        return Instructions.create(op, in, operand[0]);
    }

    /** {@return whether an operation is one of its own (not a group's), which a block may hold} @param op it */
    static boolean compilable(int op) {
        return op > UNALLOCATED;
    }

    /** {@return whether an operation accesses memory (and so may fault)} @param op a compilable operation */
    static boolean accessesMemory(int op) {
        return op >= STRB;
    }

    /** {@return whether an operation is a branch (it ends a block)} @param op a compilable operation */
    static boolean isBranch(int op) {
        return op >= B && op < STRB;
    }

    /** {@return whether a branch's operand is its target (all but BR and BLR)} @param op a branch */
    static boolean isDirectBranch(int op) {
        return op != BR && op != BLR;
    }

    /**
     * Classifies an instruction.
     *
     * @param in the instruction word
     * @param pc its address (branch targets, ADR and ADRP results are made absolute)
     * @param operands where to store the operand
     * @param index the slot of {@code operands} for this instruction
     * @return the operation number, never {@link #UNDECODED}
     */
    static int operation(int in, long pc, long[] operands, int index) {
        operands[index] = 0;
        return switch ((in >>> 25) & 0xF) {
            case 0x8, 0x9 -> dataProcessingImmediate(in, pc, operands, index);
            case 0xA, 0xB -> branch(in, pc, operands, index);
            case 0x5, 0xD -> dataProcessingRegister(in, operands, index);
            case 0x4, 0x6, 0xC, 0xE -> loadStore(in, operands, index);
            case 0x7, 0xF -> GROUP_SIMD_FP;
            default -> UNALLOCATED;
        };
    }

    /** Arm ARM C4.1.86, "Data Processing -- Immediate". */
    private static int dataProcessingImmediate(int in, long pc, long[] operands, int index) {
        boolean sf = in < 0;
        switch ((in >>> 23) & 7) {
            case 0, 1 -> { // ADR, ADRP (C6.2.10, C6.2.11)
                long imm = ((long) (in << 8) >> 11 & ~3L) | ((in >>> 29) & 3);
                operands[index] = in < 0 ? (pc & ~0xFFFL) + (imm << 12) : pc + imm;
                return MOV_CONSTANT;
            }
            case 2 -> { // ADD/ADDS/SUB/SUBS (immediate), C6.2.4
                long imm = (long) ((in >>> 10) & 0xFFF) << ((in & (1 << 22)) != 0 ? 12 : 0);
                boolean sub = (in & (1 << 30)) != 0;
                if ((in & (1 << 29)) == 0) {
                    operands[index] = sub ? -imm : imm;
                    return sf ? ADD_IMM_X : ADD_IMM_W;
                }
                operands[index] = imm;
                return sub ? (sf ? SUBS_IMM_X : SUBS_IMM_W) : (sf ? ADDS_IMM_X : ADDS_IMM_W);
            }
            case 4 -> { // logical (immediate), C6.2.12 with DecodeBitMasks
                int n = (in >>> 22) & 1;
                long mask = sf || n == 0 ? Alu.logicalImmediate(n, (in >>> 10) & 0x3F, (in >>> 16) & 0x3F, sf) : 0;
                if (mask == 0) {
                    return GROUP_DP_IMMEDIATE; // reserved: the group decoder raises UNDEFINED
                }
                operands[index] = mask;
                return switch ((in >>> 29) & 3) {
                    case 0 -> AND_IMM;
                    case 1 -> sf ? ORR_IMM_X : ORR_IMM_W;
                    case 2 -> sf ? EOR_IMM_X : EOR_IMM_W;
                    default -> sf ? ANDS_IMM_X : ANDS_IMM_W;
                };
            }
            case 5 -> { // MOVN/MOVZ/MOVK, C6.2.226
                int opc = (in >>> 29) & 3;
                int hw = (in >>> 21) & 3;
                if (opc == 1 || (!sf && hw >= 2)) {
                    return GROUP_DP_IMMEDIATE;
                }
                long imm = (long) ((in >>> 5) & 0xFFFF) << (hw * 16);
                if (opc == 3) {
                    operands[index] = imm;
                    return sf ? MOVK_X : MOVK_W;
                }
                long value = opc == 0 ? ~imm : imm;
                operands[index] = sf ? value : value & 0xFFFF_FFFFL;
                return MOV_CONSTANT;
            }
            case 6 -> {
                return bitfield(in, sf, operands, index);
            }
            default -> {
                return GROUP_DP_IMMEDIATE; // EXTR and the unallocated encodings
            }
        }
    }

    /** SBFM and UBFM (C6.2.261, C6.2.374), positions precomputed as Cpu's group decoder does. */
    private static int bitfield(int in, boolean sf, long[] operands, int index) {
        int opc = (in >>> 29) & 3;
        int immr = (in >>> 16) & 0x3F;
        int imms = (in >>> 10) & 0x3F;
        if ((opc != 0 && opc != 2) || ((in >>> 22) & 1) != (sf ? 1 : 0) || (!sf && (immr >= 32 || imms >= 32))) {
            return GROUP_DP_IMMEDIATE; // BFM, and the UNDEFINED encodings
        }
        int width;
        int srcLsb;
        int dstLsb;
        if (imms >= immr) {
            width = imms - immr + 1;
            srcLsb = immr;
            dstLsb = 0;
        } else {
            width = imms + 1;
            srcLsb = 0;
            dstLsb = (sf ? 64 : 32) - immr;
        }
        operands[index] = srcLsb | dstLsb << 8 | width << 16;
        if (opc == 2) {
            return sf ? UBFM_X : UBFM_W;
        }
        return sf ? SBFM_X : SBFM_W;
    }

    /** Arm ARM C4.1.87, "Data Processing -- Register": the shifted forms and MADD/MSUB. */
    private static int dataProcessingRegister(int in, long[] operands, int index) {
        boolean sf = in < 0;
        int amount = (in >>> 10) & 0x3F;
        int type = (in >>> 22) & 3;
        if ((in & (1 << 28)) == 0) {
            if ((in & (1 << 21)) != 0 && (in & (1 << 24)) != 0) {
                return GROUP_DP_REGISTER; // extended register
            }
            if (!sf && amount >= 32 || (in & (1 << 24)) != 0 && type == 3) {
                return GROUP_DP_REGISTER; // UNDEFINED
            }
            int invert = (in >>> 21) & 1;
            operands[index] = type | amount << 2 | invert << 8;
            if ((in & (1 << 24)) == 0) { // logical (shifted register), C6.2.13
                return logicalShifted(in, sf, operands[index]);
            }
            return switch ((in >>> 29) & 3) { // add/subtract (shifted register), C6.2.5
                case 0 -> sf ? ADD_SR_X : ADD_SR_W;
                case 1 -> sf ? ADDS_SR_X : ADDS_SR_W;
                case 2 -> sf ? SUB_SR_X : SUB_SR_W;
                default -> sf ? SUBS_SR_X : SUBS_SR_W;
            };
        }
        if (((in >>> 21) & 0xF) >= 8 && ((in >>> 21) & 7) == 0 && ((in >>> 29) & 3) == 0) {
            boolean sub = (in & (1 << 15)) != 0; // MADD/MSUB, C6.2.218
            return sub ? (sf ? MSUB_X : MSUB_W) : (sf ? MADD_X : MADD_W);
        }
        return GROUP_DP_REGISTER;
    }

    private static int logicalShifted(int in, boolean sf, long operand) {
        int opc = (in >>> 29) & 3;
        if (opc == 1 && operand == 0 && ((in >>> 5) & 0x1F) == 31) {
            return sf ? MOV_REG_X : MOV_REG_W;
        }
        return switch (opc) {
            case 0 -> sf ? AND_SR_X : AND_SR_W;
            case 1 -> sf ? ORR_SR_X : ORR_SR_W;
            case 2 -> sf ? EOR_SR_X : EOR_SR_W;
            default -> sf ? ANDS_SR_X : ANDS_SR_W;
        };
    }

    /** Arm ARM C4.1.85, "Branches, Exception Generating and System instructions": the branches. */
    private static int branch(int in, long pc, long[] operands, int index) {
        int top = in >>> 24;
        switch (top) {
            case 0x14, 0x15, 0x16, 0x17, 0x94, 0x95, 0x96, 0x97 -> { // B, BL (imm26)
                operands[index] = pc + ((long) (in << 6) >> 4);
                return top >= 0x94 ? BL : B;
            }
            case 0x54 -> { // B.cond (imm19); bit 4 set is BC.cond, not implemented
                if ((in & 0x10) != 0) {
                    return GROUP_BRANCH_SYSTEM;
                }
                operands[index] = pc + ((long) (in << 8) >> 11 & ~3L);
                return B_COND;
            }
            case 0x34, 0x35, 0xB4, 0xB5 -> { // CBZ/CBNZ (imm19)
                operands[index] = pc + ((long) (in << 8) >> 11 & ~3L);
                boolean nonZero = (top & 1) != 0;
                return top >= 0xB4 ? (nonZero ? CBNZ_X : CBZ_X) : (nonZero ? CBNZ_W : CBZ_W);
            }
            case 0x36, 0x37, 0xB6, 0xB7 -> { // TBZ/TBNZ (imm14)
                operands[index] = pc + ((long) (in << 13) >> 16 & ~3L);
                return (top & 1) != 0 ? TBNZ : TBZ;
            }
            case 0xD6 -> { // BR/BLR/RET with no pointer authentication (C4.1.85, unconditional branch register)
                int opc = (in >>> 21) & 0xF;
                if (((in >>> 16) & 0x1F) != 0x1F || ((in >>> 10) & 0x3F) != 0 || (in & 0x1F) != 0) {
                    return GROUP_BRANCH_SYSTEM;
                }
                return switch (opc) {
                    case 0, 2 -> BR;
                    case 1 -> BLR;
                    default -> GROUP_BRANCH_SYSTEM;
                };
            }
            default -> {
                return GROUP_BRANCH_SYSTEM;
            }
        }
    }

    /** Arm ARM C4.1.88, "Loads and Stores": the general-purpose single-register and pair forms. */
    private static int loadStore(int in, long[] operands, int index) {
        if ((in & (1 << 26)) != 0) {
            return GROUP_LOAD_STORE; // SIMD&FP
        }
        int size = in >>> 30;
        int opc = (in >>> 22) & 3;
        if ((in & 0x3B00_0000) == 0x3900_0000) { // unsigned offset, scaled
            operands[index] = (long) ((in >>> 10) & 0xFFF) << size;
            return singleRegister(size, opc);
        }
        if ((in & 0x3B20_0000) == 0x3800_0000) { // imm9: unscaled, post-index, unprivileged, pre-index
            long imm = (in << 11) >> 23;
            operands[index] = imm;
            return switch ((in >>> 10) & 3) {
                case 0 -> singleRegister(size, opc);
                case 1 -> opc == 0 ? STR_POST : opc == 1 ? LDR_POST : GROUP_LOAD_STORE;
                case 3 -> opc == 0 ? STR_PRE : opc == 1 ? LDR_PRE : GROUP_LOAD_STORE;
                default -> GROUP_LOAD_STORE;
            };
        }
        if ((in & 0x3B20_0C00) == 0x3820_0800) { // register offset
            int option = (in >>> 13) & 7;
            if ((option & 2) == 0 || opc >= 2) {
                return GROUP_LOAD_STORE;
            }
            int shift = (in & (1 << 12)) != 0 ? size : 0;
            operands[index] = option | shift << 3;
            return opc == 0 ? STR_REG : LDR_REG;
        }
        if ((in & 0x3A00_0000) == 0x2800_0000 && (size == 0 || size == 2)) { // pairs of W or X
            int log2 = size == 2 ? 3 : 2;
            operands[index] = (long) ((in << 10) >> 25) << log2;
            boolean load = (in & (1 << 22)) != 0;
            if (size == 2) {
                return load ? LDP_X : STP_X;
            }
            return load ? LDP_W : STP_W;
        }
        return GROUP_LOAD_STORE;
    }

    /** The operation of a single-register load or store at base + offset, by size and opc. */
    private static int singleRegister(int size, int opc) {
        return switch (opc) {
            case 0 -> switch (size) {
                case 0 -> STRB;
                case 1 -> STRH;
                case 2 -> STR_W;
                default -> STR_X;
            };
            case 1 -> switch (size) {
                case 0 -> LDRB;
                case 1 -> LDRH;
                case 2 -> LDR_W;
                default -> LDR_X;
            };
            case 2 -> switch (size) {
                case 0 -> LDRSB_X;
                case 1 -> LDRSH_X;
                case 2 -> LDRSW;
                default -> GROUP_LOAD_STORE; // PRFM
            };
            default -> switch (size) {
                case 0 -> LDRSB_W;
                case 1 -> LDRSH_W;
                default -> GROUP_LOAD_STORE; // UNDEFINED
            };
        };
    }
}
