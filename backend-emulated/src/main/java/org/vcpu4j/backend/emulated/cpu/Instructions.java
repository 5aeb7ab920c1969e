package org.vcpu4j.backend.emulated.cpu;

/**
 * Builds the {@link Instruction} for a {@link Decoder} operation: one small class per operation, whose
 * body is the operation's semantics with every decode-time decision already taken.
 */
final class Instructions {
    private static final long W = 0xFFFF_FFFFL;

    private Instructions() {}

    /**
     * {@return the instruction that runs an operation}
     *
     * @param op the {@link Decoder} operation
     * @param in the instruction word
     * @param operand the operand {@link Decoder} computed
     */
    static Instruction create(int op, int in, long operand) {
        if (op < Decoder.STRB) {
            return dataProcessingOrBranch(op, in, operand);
        }
        return loadStore(op, in, operand);
    }

    private static Instruction dataProcessingOrBranch(int op, int in, long operand) {
        if (op < Decoder.MOV_REG_X) {
            return dataProcessingImmediate(op, in, operand);
        }
        if (op < Decoder.B) {
            return dataProcessingRegister(op, in, operand);
        }
        return branch(op, in, operand);
    }

    private static Instruction dataProcessingImmediate(int op, int in, long operand) {
        return switch (op) {
            case Decoder.GROUP_DP_IMMEDIATE -> new Instruction(op, in, operand) {
                @Override void execute(Cpu c) { c.dataProcessingImmediate(word); }
            };
            case Decoder.GROUP_BRANCH_SYSTEM -> new Instruction(op, in, operand) {
                @Override void execute(Cpu c) { c.branchExceptionSystem(word); }
            };
            case Decoder.GROUP_DP_REGISTER -> new Instruction(op, in, operand) {
                @Override void execute(Cpu c) { c.dataProcessingRegister(word); }
            };
            case Decoder.GROUP_LOAD_STORE -> new Instruction(op, in, operand) {
                @Override void execute(Cpu c) { c.loadStore(word); }
            };
            case Decoder.GROUP_SIMD_FP -> new Instruction(op, in, operand) {
                @Override void execute(Cpu c) { c.simdFp(word); }
            };
            case Decoder.UNALLOCATED -> new Instruction(op, in, operand) {
                @Override void execute(Cpu c) { throw c.undefined(); }
            };
            case Decoder.ADD_IMM_X -> new Instruction(op, in, operand) {
                @Override void execute(Cpu c) { c.setXs(rd, c.xs(rn) + operand); }
            };
            case Decoder.ADD_IMM_W -> new Instruction(op, in, operand) {
                @Override void execute(Cpu c) { c.setXs(rd, (c.xs(rn) + operand) & W); }
            };
            case Decoder.ADDS_IMM_X -> new Instruction(op, in, operand) {
                @Override void execute(Cpu c) { c.addsX(rd, c.xs(rn), operand); }
            };
            case Decoder.ADDS_IMM_W -> new Instruction(op, in, operand) {
                @Override void execute(Cpu c) { c.addsW(rd, (int) c.xs(rn), (int) operand); }
            };
            case Decoder.SUBS_IMM_X -> new Instruction(op, in, operand) {
                @Override void execute(Cpu c) { c.subsX(rd, c.xs(rn), operand); }
            };
            case Decoder.SUBS_IMM_W -> new Instruction(op, in, operand) {
                @Override void execute(Cpu c) { c.subsW(rd, (int) c.xs(rn), (int) operand); }
            };
            case Decoder.MOV_CONSTANT -> new Instruction(op, in, operand) {
                @Override void execute(Cpu c) { c.setX(rd, operand); }
            };
            case Decoder.MOVK_X -> new Instruction(op, in, operand) {
                private final long keep = ~(0xFFFFL << (((in >>> 21) & 3) * 16));

                @Override void execute(Cpu c) { c.setX(rd, (c.x[rd] & keep) | operand); }
            };
            case Decoder.MOVK_W -> new Instruction(op, in, operand) {
                private final long keep = ~(0xFFFFL << (((in >>> 21) & 3) * 16)) & W;

                @Override void execute(Cpu c) { c.setX(rd, (c.x[rd] & keep) | operand); }
            };
            case Decoder.AND_IMM -> new Instruction(op, in, operand) {
                @Override void execute(Cpu c) { c.setXs(rd, c.x[rn] & operand); }
            };
            case Decoder.ORR_IMM_X -> new Instruction(op, in, operand) {
                @Override void execute(Cpu c) { c.setXs(rd, c.x[rn] | operand); }
            };
            case Decoder.ORR_IMM_W -> new Instruction(op, in, operand) {
                @Override void execute(Cpu c) { c.setXs(rd, (c.x[rn] | operand) & W); }
            };
            case Decoder.EOR_IMM_X -> new Instruction(op, in, operand) {
                @Override void execute(Cpu c) { c.setXs(rd, c.x[rn] ^ operand); }
            };
            case Decoder.EOR_IMM_W -> new Instruction(op, in, operand) {
                @Override void execute(Cpu c) { c.setXs(rd, (c.x[rn] ^ operand) & W); }
            };
            case Decoder.ANDS_IMM_X -> new Instruction(op, in, operand) {
                @Override void execute(Cpu c) { c.andsX(rd, c.x[rn] & operand); }
            };
            case Decoder.ANDS_IMM_W -> new Instruction(op, in, operand) {
                @Override void execute(Cpu c) { c.andsW(rd, (int) (c.x[rn] & operand)); }
            };
            case Decoder.UBFM_X -> new Bitfield(op, in, operand) {
                @Override void execute(Cpu c) { c.setX(rd, (c.x[rn] >>> srcLsb & ones) << dstLsb); }
            };
            case Decoder.UBFM_W -> new Bitfield(op, in, operand) {
                @Override void execute(Cpu c) { c.setX(rd, (c.x[rn] >>> srcLsb & ones) << dstLsb & W); }
            };
            case Decoder.SBFM_X -> new Bitfield(op, in, operand) {
                @Override void execute(Cpu c) { c.setX(rd, (c.x[rn] >>> srcLsb) << up >> up << dstLsb); }
            };
            case Decoder.SBFM_W -> new Bitfield(op, in, operand) {
                @Override void execute(Cpu c) { c.setX(rd, (c.x[rn] >>> srcLsb) << up >> up << dstLsb & W); }
            };
            default -> throw new IllegalArgumentException("not a data-processing (immediate) operation: " + op);
        };
    }

    /** UBFM/SBFM: the positions {@link Decoder} packed (source lsb 7:0, destination lsb 15:8, width 23:16). */
    private abstract static class Bitfield extends Instruction {
        final int srcLsb;
        final int dstLsb;
        /** 64 - width: the shift that brings the field's top bit to bit 63. */
        final int up;
        final long ones;

        Bitfield(int op, int in, long operand) {
            super(op, in, operand);
            int width = (int) (operand >>> 16) & 0x7F;
            srcLsb = (int) operand & 0xFF;
            dstLsb = (int) (operand >>> 8) & 0xFF;
            up = 64 - width;
            ones = -1L >>> up;
        }
    }

    /** A shifted-register operation: Rm shifted (type, amount) and maybe inverted, precomputed as a rule. */
    private abstract static class Shifted extends Instruction {
        final int type;
        final int amount;
        final long invert;

        Shifted(int op, int in, long operand) {
            super(op, in, operand);
            type = (int) operand & 3;
            amount = (int) (operand >>> 2) & 0x3F;
            invert = (operand & 0x100) != 0 ? -1L : 0;
        }

        /** {@return Rm shifted and maybe inverted, 64-bit} */
        final long x(Cpu c) {
            return Alu.shift(c.x[rm], type, amount, true) ^ invert;
        }

        /** {@return Rm shifted and maybe inverted, 32-bit (the top half is not meaningful)} */
        final long w(Cpu c) {
            return Alu.shift(c.x[rm], type, amount, false) ^ invert;
        }
    }

    private static Instruction dataProcessingRegister(int op, int in, long operand) {
        if (operand == 0 && op >= Decoder.AND_SR_X && op <= Decoder.SUBS_SR_W) {
            return unshifted(op, in);
        }
        return switch (op) {
            case Decoder.MOV_REG_X -> new Instruction(op, in, operand) {
                @Override void execute(Cpu c) { c.setX(rd, c.x[rm]); }
            };
            case Decoder.MOV_REG_W -> new Instruction(op, in, operand) {
                @Override void execute(Cpu c) { c.setX(rd, c.x[rm] & W); }
            };
            case Decoder.AND_SR_X -> new Shifted(op, in, operand) {
                @Override void execute(Cpu c) { c.setX(rd, c.x[rn] & x(c)); }
            };
            case Decoder.AND_SR_W -> new Shifted(op, in, operand) {
                @Override void execute(Cpu c) { c.setX(rd, c.x[rn] & w(c) & W); }
            };
            case Decoder.ORR_SR_X -> new Shifted(op, in, operand) {
                @Override void execute(Cpu c) { c.setX(rd, c.x[rn] | x(c)); }
            };
            case Decoder.ORR_SR_W -> new Shifted(op, in, operand) {
                @Override void execute(Cpu c) { c.setX(rd, (c.x[rn] | w(c)) & W); }
            };
            case Decoder.EOR_SR_X -> new Shifted(op, in, operand) {
                @Override void execute(Cpu c) { c.setX(rd, c.x[rn] ^ x(c)); }
            };
            case Decoder.EOR_SR_W -> new Shifted(op, in, operand) {
                @Override void execute(Cpu c) { c.setX(rd, (c.x[rn] ^ w(c)) & W); }
            };
            case Decoder.ANDS_SR_X -> new Shifted(op, in, operand) {
                @Override void execute(Cpu c) { c.andsX(rd, c.x[rn] & x(c)); }
            };
            case Decoder.ANDS_SR_W -> new Shifted(op, in, operand) {
                @Override void execute(Cpu c) { c.andsW(rd, (int) (c.x[rn] & w(c))); }
            };
            case Decoder.ADD_SR_X -> new Shifted(op, in, operand) {
                @Override void execute(Cpu c) { c.setX(rd, c.x[rn] + x(c)); }
            };
            case Decoder.ADD_SR_W -> new Shifted(op, in, operand) {
                @Override void execute(Cpu c) { c.setX(rd, (c.x[rn] + w(c)) & W); }
            };
            case Decoder.SUB_SR_X -> new Shifted(op, in, operand) {
                @Override void execute(Cpu c) { c.setX(rd, c.x[rn] - x(c)); }
            };
            case Decoder.SUB_SR_W -> new Shifted(op, in, operand) {
                @Override void execute(Cpu c) { c.setX(rd, (c.x[rn] - w(c)) & W); }
            };
            case Decoder.ADDS_SR_X -> new Shifted(op, in, operand) {
                @Override void execute(Cpu c) { c.addsX(rd, c.x[rn], x(c)); }
            };
            case Decoder.ADDS_SR_W -> new Shifted(op, in, operand) {
                @Override void execute(Cpu c) { c.addsW(rd, (int) c.x[rn], (int) w(c)); }
            };
            case Decoder.SUBS_SR_X -> new Shifted(op, in, operand) {
                @Override void execute(Cpu c) { c.subsX(rd, c.x[rn], x(c)); }
            };
            case Decoder.SUBS_SR_W -> new Shifted(op, in, operand) {
                @Override void execute(Cpu c) { c.subsW(rd, (int) c.x[rn], (int) w(c)); }
            };
            case Decoder.MADD_X -> new Instruction(op, in, operand) {
                @Override void execute(Cpu c) { c.setX(rd, c.x[ra] + c.x[rn] * c.x[rm]); }
            };
            case Decoder.MADD_W -> new Instruction(op, in, operand) {
                @Override void execute(Cpu c) { c.setX(rd, (c.x[ra] + c.x[rn] * c.x[rm]) & W); }
            };
            case Decoder.MSUB_X -> new Instruction(op, in, operand) {
                @Override void execute(Cpu c) { c.setX(rd, c.x[ra] - c.x[rn] * c.x[rm]); }
            };
            case Decoder.MSUB_W -> new Instruction(op, in, operand) {
                @Override void execute(Cpu c) { c.setX(rd, (c.x[ra] - c.x[rn] * c.x[rm]) & W); }
            };
            default -> throw new IllegalArgumentException("not a data-processing (register) operation: " + op);
        };
    }

    /** The shifted-register operations whose Rm is used as it is (LSL #0, not inverted): the common case. */
    private static Instruction unshifted(int op, int in) {
        return switch (op) {
            case Decoder.AND_SR_X, Decoder.AND_SR_W -> new Instruction(op, in, 0) {
                @Override void execute(Cpu c) { c.setX(rd, c.x[rn] & c.x[rm] & mask(word)); }
            };
            case Decoder.ORR_SR_X -> new Instruction(op, in, 0) {
                @Override void execute(Cpu c) { c.setX(rd, c.x[rn] | c.x[rm]); }
            };
            case Decoder.ORR_SR_W -> new Instruction(op, in, 0) {
                @Override void execute(Cpu c) { c.setX(rd, (c.x[rn] | c.x[rm]) & W); }
            };
            case Decoder.EOR_SR_X -> new Instruction(op, in, 0) {
                @Override void execute(Cpu c) { c.setX(rd, c.x[rn] ^ c.x[rm]); }
            };
            case Decoder.EOR_SR_W -> new Instruction(op, in, 0) {
                @Override void execute(Cpu c) { c.setX(rd, (c.x[rn] ^ c.x[rm]) & W); }
            };
            case Decoder.ANDS_SR_X -> new Instruction(op, in, 0) {
                @Override void execute(Cpu c) { c.andsX(rd, c.x[rn] & c.x[rm]); }
            };
            case Decoder.ANDS_SR_W -> new Instruction(op, in, 0) {
                @Override void execute(Cpu c) { c.andsW(rd, (int) (c.x[rn] & c.x[rm])); }
            };
            case Decoder.ADD_SR_X -> new Instruction(op, in, 0) {
                @Override void execute(Cpu c) { c.setX(rd, c.x[rn] + c.x[rm]); }
            };
            case Decoder.ADD_SR_W -> new Instruction(op, in, 0) {
                @Override void execute(Cpu c) { c.setX(rd, (c.x[rn] + c.x[rm]) & W); }
            };
            case Decoder.SUB_SR_X -> new Instruction(op, in, 0) {
                @Override void execute(Cpu c) { c.setX(rd, c.x[rn] - c.x[rm]); }
            };
            case Decoder.SUB_SR_W -> new Instruction(op, in, 0) {
                @Override void execute(Cpu c) { c.setX(rd, (c.x[rn] - c.x[rm]) & W); }
            };
            case Decoder.ADDS_SR_X -> new Instruction(op, in, 0) {
                @Override void execute(Cpu c) { c.addsX(rd, c.x[rn], c.x[rm]); }
            };
            case Decoder.ADDS_SR_W -> new Instruction(op, in, 0) {
                @Override void execute(Cpu c) { c.addsW(rd, (int) c.x[rn], (int) c.x[rm]); }
            };
            case Decoder.SUBS_SR_X -> new Instruction(op, in, 0) {
                @Override void execute(Cpu c) { c.subsX(rd, c.x[rn], c.x[rm]); }
            };
            default -> new Instruction(op, in, 0) { // SUBS_SR_W
                @Override void execute(Cpu c) { c.subsW(rd, (int) c.x[rn], (int) c.x[rm]); }
            };
        };
    }

    /** {@return all ones for a 64-bit (sf = 1) instruction, the low 32 bits for a 32-bit one} */
    private static long mask(int in) {
        return in < 0 ? -1L : W;
    }

    private static Instruction branch(int op, int in, long operand) {
        return switch (op) {
            case Decoder.B -> new Instruction(op, in, operand) {
                @Override void execute(Cpu c) { c.pc = operand; }
            };
            case Decoder.BL -> new Instruction(op, in, operand) {
                @Override void execute(Cpu c) {
                    c.x[30] = c.pc;
                    c.pc = operand;
                }
            };
            case Decoder.B_COND -> new Instruction(op, in, operand) {
                /** The NZCV values (bit n for flags n) for which the condition holds. */
                private final int holds = Alu.conditionTable(in & 0xF);

                @Override void execute(Cpu c) {
                    if ((holds >>> c.nzcv & 1) != 0) {
                        c.pc = operand;
                    }
                }
            };
            case Decoder.CBZ_X -> new Instruction(op, in, operand) {
                @Override void execute(Cpu c) {
                    if (c.x[rd] == 0) {
                        c.pc = operand;
                    }
                }
            };
            case Decoder.CBNZ_X -> new Instruction(op, in, operand) {
                @Override void execute(Cpu c) {
                    if (c.x[rd] != 0) {
                        c.pc = operand;
                    }
                }
            };
            case Decoder.CBZ_W -> new Instruction(op, in, operand) {
                @Override void execute(Cpu c) {
                    if ((int) c.x[rd] == 0) {
                        c.pc = operand;
                    }
                }
            };
            case Decoder.CBNZ_W -> new Instruction(op, in, operand) {
                @Override void execute(Cpu c) {
                    if ((int) c.x[rd] != 0) {
                        c.pc = operand;
                    }
                }
            };
            case Decoder.TBZ -> new Instruction(op, in, operand) {
                private final long bit = 1L << (((in >>> 26) & 0x20) | ((in >>> 19) & 0x1F));

                @Override void execute(Cpu c) {
                    if ((c.x[rd] & bit) == 0) {
                        c.pc = operand;
                    }
                }
            };
            case Decoder.TBNZ -> new Instruction(op, in, operand) {
                private final long bit = 1L << (((in >>> 26) & 0x20) | ((in >>> 19) & 0x1F));

                @Override void execute(Cpu c) {
                    if ((c.x[rd] & bit) != 0) {
                        c.pc = operand;
                    }
                }
            };
            case Decoder.BR -> new Instruction(op, in, operand) {
                @Override void execute(Cpu c) { c.pc = c.x[rn]; }
            };
            case Decoder.BLR -> new Instruction(op, in, operand) {
                @Override void execute(Cpu c) {
                    long target = c.x[rn];
                    c.x[30] = c.pc;
                    c.pc = target;
                }
            };
            default -> throw new IllegalArgumentException("not a branch operation: " + op);
        };
    }

    private static Instruction loadStore(int op, int in, long operand) {
        return switch (op) {
            case Decoder.STRB -> new Instruction(op, in, operand) {
                @Override void execute(Cpu c) { c.write8(c.baseRegister(rn) + operand, c.x[rd]); }
            };
            case Decoder.STRH -> new Instruction(op, in, operand) {
                @Override void execute(Cpu c) { c.write16(c.baseRegister(rn) + operand, c.x[rd]); }
            };
            case Decoder.STR_W -> new Instruction(op, in, operand) {
                @Override void execute(Cpu c) { c.write32(c.baseRegister(rn) + operand, c.x[rd]); }
            };
            case Decoder.STR_X -> new Instruction(op, in, operand) {
                @Override void execute(Cpu c) { c.write64(c.baseRegister(rn) + operand, c.x[rd]); }
            };
            case Decoder.LDRB -> new Instruction(op, in, operand) {
                @Override void execute(Cpu c) { c.setX(rd, c.read8(c.baseRegister(rn) + operand)); }
            };
            case Decoder.LDRH -> new Instruction(op, in, operand) {
                @Override void execute(Cpu c) { c.setX(rd, c.read16(c.baseRegister(rn) + operand)); }
            };
            case Decoder.LDR_W -> new Instruction(op, in, operand) {
                @Override void execute(Cpu c) { c.setX(rd, c.read32(c.baseRegister(rn) + operand)); }
            };
            case Decoder.LDR_X -> new Instruction(op, in, operand) {
                @Override void execute(Cpu c) { c.setX(rd, c.read64(c.baseRegister(rn) + operand)); }
            };
            case Decoder.LDRSB_X -> new Instruction(op, in, operand) {
                @Override void execute(Cpu c) { c.setX(rd, (byte) c.read8(c.baseRegister(rn) + operand)); }
            };
            case Decoder.LDRSH_X -> new Instruction(op, in, operand) {
                @Override void execute(Cpu c) { c.setX(rd, (short) c.read16(c.baseRegister(rn) + operand)); }
            };
            case Decoder.LDRSW -> new Instruction(op, in, operand) {
                @Override void execute(Cpu c) { c.setX(rd, (int) c.read32(c.baseRegister(rn) + operand)); }
            };
            case Decoder.LDRSB_W -> new Instruction(op, in, operand) {
                @Override void execute(Cpu c) { c.setX(rd, (byte) c.read8(c.baseRegister(rn) + operand) & W); }
            };
            case Decoder.LDRSH_W -> new Instruction(op, in, operand) {
                @Override void execute(Cpu c) { c.setX(rd, (short) c.read16(c.baseRegister(rn) + operand) & W); }
            };
            default -> loadStoreWithMode(op, in, operand);
        };
    }

    private static Instruction loadStoreWithMode(int op, int in, long operand) {
        return switch (op) {
            case Decoder.LDR_POST -> new Instruction(op, in, operand) {
                @Override void execute(Cpu c) {
                    long base = c.baseRegister(rn);
                    c.setX(rd, c.read(base, word >>> 30));
                    c.setXs(rn, base + operand);
                }
            };
            case Decoder.LDR_PRE -> new Instruction(op, in, operand) {
                @Override void execute(Cpu c) {
                    long va = c.baseRegister(rn) + operand;
                    c.setX(rd, c.read(va, word >>> 30));
                    c.setXs(rn, va);
                }
            };
            case Decoder.STR_POST -> new Instruction(op, in, operand) {
                @Override void execute(Cpu c) {
                    long base = c.baseRegister(rn);
                    c.write(base, word >>> 30, c.x[rd]);
                    c.setXs(rn, base + operand);
                }
            };
            case Decoder.STR_PRE -> new Instruction(op, in, operand) {
                @Override void execute(Cpu c) {
                    long va = c.baseRegister(rn) + operand;
                    c.write(va, word >>> 30, c.x[rd]);
                    c.setXs(rn, va);
                }
            };
            case Decoder.LDR_REG -> loadRegisterOffset(op, in, operand);
            case Decoder.STR_REG -> storeRegisterOffset(op, in, operand);
            case Decoder.LDP_X -> new Instruction(op, in, operand) {
                @Override void execute(Cpu c) { c.loadPair(word, operand, 3); }
            };
            case Decoder.LDP_W -> new Instruction(op, in, operand) {
                @Override void execute(Cpu c) { c.loadPair(word, operand, 2); }
            };
            case Decoder.STP_X -> new Instruction(op, in, operand) {
                @Override void execute(Cpu c) { c.storePair(word, operand, 3); }
            };
            case Decoder.STP_W -> new Instruction(op, in, operand) {
                @Override void execute(Cpu c) { c.storePair(word, operand, 2); }
            };
            default -> throw new IllegalArgumentException("not a load/store operation: " + op);
        };
    }

    /** A register-offset access: the address is Xn|SP + ExtendReg(Rm, option, shift) (Arm ARM C6.2.133). */
    private abstract static class RegisterOffset extends Instruction {
        private final int option;
        private final int shift;

        RegisterOffset(int op, int in, long operand) {
            super(op, in, operand);
            option = (int) operand & 7;
            shift = (int) operand >>> 3;
        }

        final long address(Cpu c) {
            long index = option == 3 || option == 7 ? c.x[rm] : Alu.extend(c.x[rm], option, 0); // LSL, SXTX: as is
            return c.baseRegister(rn) + (index << shift);
        }
    }

    private static Instruction loadRegisterOffset(int op, int in, long operand) {
        return switch (in >>> 30) {
            case 0 -> new RegisterOffset(op, in, operand) {
                @Override void execute(Cpu c) { c.setX(rd, c.read8(address(c))); }
            };
            case 1 -> new RegisterOffset(op, in, operand) {
                @Override void execute(Cpu c) { c.setX(rd, c.read16(address(c))); }
            };
            case 2 -> new RegisterOffset(op, in, operand) {
                @Override void execute(Cpu c) { c.setX(rd, c.read32(address(c))); }
            };
            default -> new RegisterOffset(op, in, operand) {
                @Override void execute(Cpu c) { c.setX(rd, c.read64(address(c))); }
            };
        };
    }

    private static Instruction storeRegisterOffset(int op, int in, long operand) {
        return switch (in >>> 30) {
            case 0 -> new RegisterOffset(op, in, operand) {
                @Override void execute(Cpu c) { c.write8(address(c), c.x[rd]); }
            };
            case 1 -> new RegisterOffset(op, in, operand) {
                @Override void execute(Cpu c) { c.write16(address(c), c.x[rd]); }
            };
            case 2 -> new RegisterOffset(op, in, operand) {
                @Override void execute(Cpu c) { c.write32(address(c), c.x[rd]); }
            };
            default -> new RegisterOffset(op, in, operand) {
                @Override void execute(Cpu c) { c.write64(address(c), c.x[rd]); }
            };
        };
    }
}
