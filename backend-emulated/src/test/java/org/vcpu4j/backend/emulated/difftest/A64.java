package org.vcpu4j.backend.emulated.difftest;

import org.vcpu4j.backend.emulated.difftest.Instr.Fixed;
import org.vcpu4j.backend.emulated.difftest.Instr.PcRelative;

/**
 * A small A64 encoder for the instructions the differential test generates, each with its assembly.
 * Encodings follow the Arm ARM (DDI 0487) chapter C4 "A64 Instruction Set Encoding"; the section of
 * each group is cited at its method.
 */
final class A64 {
    static final String[] CONDITIONS = {
        "eq", "ne", "cs", "cc", "mi", "pl", "vs", "vc", "hi", "ls", "ge", "lt", "gt", "le", "al", "nv"
    };
    private static final String[] SHIFTS = {"lsl", "lsr", "asr", "ror"};
    private static final String[] EXTENDS = {"uxtb", "uxth", "uxtw", "uxtx", "sxtb", "sxth", "sxtw", "sxtx"};

    private A64() {}

    /** {@return Xn/Wn with 31 as XZR/WZR} @param sf 1 for X @param r the register */
    static String zr(int sf, int r) {
        return r == 31 ? (sf == 1 ? "xzr" : "wzr") : (sf == 1 ? "x" : "w") + r;
    }

    /** {@return Xn/Wn with 31 as SP/WSP} @param sf 1 for X @param r the register */
    static String sp(int sf, int r) {
        return r == 31 ? (sf == 1 ? "sp" : "wsp") : (sf == 1 ? "x" : "w") + r;
    }

    private static String hex(long v) {
        return v < 0 ? "#-0x" + Long.toHexString(-v) : "#0x" + Long.toHexString(v);
    }

    // ---- Data processing, immediate (C4.1.92) ----

    /** ADD/ADDS/SUB/SUBS (immediate), C6.2.4. */
    static Fixed addSubImm(int sf, int op, int s, int sh, int imm12, int rn, int rd) {
        int w = sf << 31 | op << 30 | s << 29 | 0x1100_0000 | sh << 22 | imm12 << 10 | rn << 5 | rd;
        String name = (op == 0 ? "add" : "sub") + (s == 1 ? "s" : "");
        String dst = s == 1 ? zr(sf, rd) : sp(sf, rd);
        return Fixed.of(w, name + " " + dst + ", " + sp(sf, rn) + ", #" + imm12 + (sh == 1 ? ", lsl #12" : ""));
    }

    /**
     * Logical (immediate), C6.2.12: the bitmask is given as element size, run length and rotation.
     *
     * @param opc 0 AND, 1 ORR, 2 EOR, 3 ANDS
     * @param esize element size 2..64 (64 only for sf = 1)
     * @param ones number of ones, 1..esize-1
     * @param rot rotation, 0..esize-1
     */
    static Fixed logicalImm(int sf, int opc, int esize, int ones, int rot, int rn, int rd) {
        int n = esize == 64 ? 1 : 0;
        int imms = ((~(esize - 1) << 1) & 0x3F) | (ones - 1);
        int w = sf << 31 | opc << 29 | 0x1200_0000 | n << 22 | rot << 16 | imms << 10 | rn << 5 | rd;
        long elem = (ones == 64 ? -1L : (1L << ones) - 1);
        long emask = esize == 64 ? -1L : (1L << esize) - 1;
        elem = rot == 0 ? elem : ((elem >>> rot) | (elem << (esize - rot))) & emask;
        long value = 0;
        for (int i = 0; i < 64; i += esize) {
            value |= elem << i;
        }
        if (sf == 0) {
            value &= 0xFFFF_FFFFL;
        }
        String[] names = {"and", "orr", "eor", "ands"};
        String dst = opc == 3 ? zr(sf, rd) : sp(sf, rd);
        return Fixed.of(w, names[opc] + " " + dst + ", " + zr(sf, rn) + ", #0x" + Long.toHexString(value));
    }

    /** MOVN/MOVZ/MOVK, C6.2.191: opc 0 MOVN, 2 MOVZ, 3 MOVK. */
    static Fixed moveWide(int sf, int opc, int hw, int imm16, int rd) {
        int w = sf << 31 | opc << 29 | 0x1280_0000 | hw << 21 | imm16 << 5 | rd;
        String name = opc == 0 ? "movn" : opc == 2 ? "movz" : "movk";
        return Fixed.of(w, name + " " + zr(sf, rd) + ", #0x" + Integer.toHexString(imm16) + ", lsl #" + 16 * hw);
    }

    /** SBFM/BFM/UBFM, C6.2.29: opc 0 SBFM, 1 BFM, 2 UBFM. */
    static Fixed bitfield(int sf, int opc, int immr, int imms, int rn, int rd) {
        int w = sf << 31 | opc << 29 | 0x1300_0000 | sf << 22 | immr << 16 | imms << 10 | rn << 5 | rd;
        String name = opc == 0 ? "sbfm" : opc == 1 ? "bfm" : "ubfm";
        return Fixed.of(w, name + " " + zr(sf, rd) + ", " + zr(sf, rn) + ", #" + immr + ", #" + imms);
    }

    /** EXTR, C6.2.90. */
    static Fixed extract(int sf, int imms, int rm, int rn, int rd) {
        int w = sf << 31 | 0x1380_0000 | sf << 22 | rm << 16 | imms << 10 | rn << 5 | rd;
        return Fixed.of(w, "extr " + zr(sf, rd) + ", " + zr(sf, rn) + ", " + zr(sf, rm) + ", #" + imms);
    }

    // ---- Data processing, register (C4.1.95) ----

    /** Logical (shifted register), C6.2.13: opc 0 AND, 1 ORR, 2 EOR, 3 ANDS; n inverts Rm. */
    static Fixed logicalShifted(int sf, int opc, int n, int shift, int amount, int rm, int rn, int rd) {
        int w = sf << 31 | opc << 29 | 0x0A00_0000 | shift << 22 | n << 21 | rm << 16 | amount << 10 | rn << 5 | rd;
        String[][] names = {{"and", "bic"}, {"orr", "orn"}, {"eor", "eon"}, {"ands", "bics"}};
        return Fixed.of(w, names[opc][n] + " " + zr(sf, rd) + ", " + zr(sf, rn) + ", " + zr(sf, rm)
                + ", " + SHIFTS[shift] + " #" + amount);
    }

    /** ADD/SUB(S) (shifted register), C6.2.6; shift 0-2. */
    static Fixed addSubShifted(int sf, int op, int s, int shift, int amount, int rm, int rn, int rd) {
        int w = sf << 31 | op << 30 | s << 29 | 0x0B00_0000 | shift << 22 | rm << 16 | amount << 10 | rn << 5 | rd;
        return Fixed.of(w, (op == 0 ? "add" : "sub") + (s == 1 ? "s " : " ") + zr(sf, rd) + ", " + zr(sf, rn)
                + ", " + zr(sf, rm) + ", " + SHIFTS[shift] + " #" + amount);
    }

    /** ADD/SUB(S) (extended register), C6.2.3; option 0-7, amount 0-4. */
    static Fixed addSubExtended(int sf, int op, int s, int option, int amount, int rm, int rn, int rd) {
        int w = sf << 31 | op << 30 | s << 29 | 0x0B20_0000 | rm << 16 | option << 13 | amount << 10 | rn << 5 | rd;
        int rmSf = sf == 1 && (option & 3) == 3 ? 1 : 0;
        String dst = s == 1 ? zr(sf, rd) : sp(sf, rd);
        return Fixed.of(w, (op == 0 ? "add" : "sub") + (s == 1 ? "s " : " ") + dst + ", " + sp(sf, rn) + ", "
                + zr(rmSf, rm) + ", " + EXTENDS[option] + " #" + amount);
    }

    /** ADC/ADCS/SBC/SBCS, C6.2.1. */
    static Fixed addSubCarry(int sf, int op, int s, int rm, int rn, int rd) {
        int w = sf << 31 | op << 30 | s << 29 | 0x1A00_0000 | rm << 16 | rn << 5 | rd;
        return Fixed.of(w, (op == 0 ? "adc" : "sbc") + (s == 1 ? "s " : " ") + zr(sf, rd) + ", " + zr(sf, rn)
                + ", " + zr(sf, rm));
    }

    /** CCMN/CCMP (register or immediate), C6.2.51: op 0 CCMN, 1 CCMP; imm uses rmOrImm as imm5. */
    static Fixed condCompare(int sf, int op, boolean imm, int rmOrImm, int cond, int rn, int nzcv) {
        int w = sf << 31 | op << 30 | 0x3A40_0000 | rmOrImm << 16 | cond << 12 | (imm ? 1 << 11 : 0) | rn << 5 | nzcv;
        return Fixed.of(w, (op == 0 ? "ccmn " : "ccmp ") + zr(sf, rn) + ", "
                + (imm ? "#" + rmOrImm : zr(sf, rmOrImm)) + ", #" + nzcv + ", " + CONDITIONS[cond]);
    }

    /** CSEL/CSINC/CSINV/CSNEG, C6.2.72: kind 0-3 in that order. */
    static Fixed condSelect(int sf, int kind, int cond, int rm, int rn, int rd) {
        int op = kind >> 1;
        int op2 = kind & 1;
        int w = sf << 31 | op << 30 | 0x1A80_0000 | rm << 16 | cond << 12 | op2 << 10 | rn << 5 | rd;
        String[] names = {"csel", "csinc", "csinv", "csneg"};
        return Fixed.of(w, names[kind] + " " + zr(sf, rd) + ", " + zr(sf, rn) + ", " + zr(sf, rm) + ", "
                + CONDITIONS[cond]);
    }

    /** Two-source: UDIV 2, SDIV 3, LSLV 8, LSRV 9, ASRV 10, RORV 11 (C4.1.95.2). */
    static Fixed twoSource(int sf, int opcode, int rm, int rn, int rd) {
        int w = sf << 31 | 0x1AC0_0000 | rm << 16 | opcode << 10 | rn << 5 | rd;
        String name = switch (opcode) {
            case 2 -> "udiv";
            case 3 -> "sdiv";
            case 8 -> "lslv";
            case 9 -> "lsrv";
            case 10 -> "asrv";
            case 11 -> "rorv";
            default -> throw new IllegalArgumentException("two-source opcode " + opcode + " is not generated");
        };
        return Fixed.of(w, name + " " + zr(sf, rd) + ", " + zr(sf, rn) + ", " + zr(sf, rm));
    }

    /** One-source: RBIT 0, REV16 1, REV32/REV(W) 2, REV 3 (X), CLZ 4, CLS 5 (C4.1.95.3). */
    static Fixed oneSource(int sf, int opcode, int rn, int rd) {
        int w = sf << 31 | 0x5AC0_0000 | opcode << 10 | rn << 5 | rd;
        String name = switch (opcode) {
            case 0 -> "rbit";
            case 1 -> "rev16";
            case 2 -> sf == 1 ? "rev32" : "rev";
            case 3 -> "rev";
            case 4 -> "clz";
            case 5 -> "cls";
            default -> throw new IllegalArgumentException("one-source opcode " + opcode + " is not generated");
        };
        return Fixed.of(w, name + " " + zr(sf, rd) + ", " + zr(sf, rn));
    }

    /**
     * Three-source (C4.1.95.5): kind 0 MADD, 1 MSUB, 2 SMADDL, 3 SMSUBL, 4 SMULH, 5 UMADDL, 6 UMSUBL,
     * 7 UMULH (kinds 2-7 are 64-bit only).
     */
    static Fixed threeSource(int sf, int kind, int rm, int ra, int rn, int rd) {
        int[] op31 = {0, 0, 1, 1, 2, 5, 5, 6};
        int[] o0 = {0, 1, 0, 1, 0, 0, 1, 0};
        String[] names = {"madd", "msub", "smaddl", "smsubl", "smulh", "umaddl", "umsubl", "umulh"};
        int a = kind == 4 || kind == 7 ? 31 : ra;
        int w = sf << 31 | 0x1B00_0000 | op31[kind] << 21 | rm << 16 | o0[kind] << 15 | a << 10 | rn << 5 | rd;
        String asm;
        if (kind <= 1) {
            asm = names[kind] + " " + zr(sf, rd) + ", " + zr(sf, rn) + ", " + zr(sf, rm) + ", " + zr(sf, a);
        } else if (kind == 4 || kind == 7) {
            asm = names[kind] + " x" + rd + ", " + zr(1, rn) + ", " + zr(1, rm);
        } else {
            asm = names[kind] + " " + zr(1, rd) + ", " + zr(0, rn) + ", " + zr(0, rm) + ", " + zr(1, a);
        }
        return Fixed.of(w, asm.replace("xzr, x", "xzr, x"));
    }

    /**
     * System instructions both worlds run alike: NOP (C6.2.202), DMB (C6.2.80) and DSB (C6.2.82) with
     * a CRm option, ISB (C6.2.127), MRS/MSR NZCV (C6.2.192/C6.2.196, op0=3 op1=3 CRn=4 CRm=2 op2=0).
     *
     * @param kind 0 NOP, 1 DMB, 2 DSB, 3 ISB, 4 MRS Xt, NZCV, 5 MSR NZCV, Xt, 6 DC ZVA, Xt (zeroes the
     *     64-byte block holding Xt)
     * @param crm the barrier option (kinds 1 and 2)
     * @param rt the register (kinds 4 and 5)
     */
    static Fixed system(int kind, int crm, int rt) {
        String[] options = {"#0", "oshld", "oshst", "osh", "#4", "nshld", "nshst", "nsh", "#8", "ishld", "ishst", "ish",
            "#12", "ld", "st", "sy"};
        return switch (kind) {
            case 0 -> nop();
            case 1 -> Fixed.of(0xD50330BF | crm << 8, "dmb " + options[crm]);
            case 2 -> Fixed.of(0xD503309F | crm << 8, "dsb " + options[crm]);
            case 3 -> Fixed.of(0xD5033FDF, "isb");
            case 4 -> Fixed.of(0xD53B4200 | rt, "mrs " + zr(1, rt) + ", nzcv");
            case 5 -> Fixed.of(0xD51B4200 | rt, "msr nzcv, " + zr(1, rt));
            case 6 -> Fixed.of(0xD50B7420 | rt, "dc zva, " + zr(1, rt)); // SYS #3, C7, C4, #1 (C5.3.10)
            default -> throw new IllegalArgumentException("system kind " + kind + " is not generated");
        };
    }

    /** A lone STXR/STLXR (C6.2.339): with the monitor open (CLREX) it must fail, write 1 and store nothing. */
    static Fixed storeExclusive(int size, int release, int rs, int rt, int rn) {
        int w = exclusiveWord(size, 0, 0, 0, rs, release, 31, rn, rt);
        return Fixed.of(w, "st" + (release == 1 ? "l" : "") + "xr" + SIZE_SUFFIX[size] + " w" + rs + ", "
                + zr(size == 3 ? 1 : 0, rt) + ", [" + sp(1, rn) + "]");
    }

    /**
     * A self-modifying group: writes {@code add xd, xd, #imm} over a NOP further on, with the cache
     * maintenance the Arm ARM requires for it (B2.4.4 "Concurrent modification and execution of
     * instructions": DC CVAU, DSB ISH, IC IVAU, DSB ISH, ISB), then runs it.
     */
    static Fixed selfModifying(int t, int v, int d, int imm) {
        int patched = addSubImm(1, 0, 0, 0, imm, d, d).code()[0];
        int[] w = {
            adrWord(0, 36, t),
            moveWide(0, 2, 0, patched & 0xFFFF, v).code()[0],
            moveWide(0, 3, 1, patched >>> 16, v).code()[0],
            loadStoreUnsigned(2, 0, 0, t, v).code()[0],
            0xD50B7B20 | t, // DC CVAU, Xt (SYS #3, C7, C11, #1)
            0xD5033B9F,     // DSB ISH
            0xD50B7520 | t, // IC IVAU, Xt (SYS #3, C7, C5, #1)
            0xD5033B9F,
            0xD5033FDF,     // ISB
            0xD503201F,     // NOP, overwritten
        };
        String[] asm = {
            "adr x" + t + ", .+36",
            moveWide(0, 2, 0, patched & 0xFFFF, v).asm()[0],
            moveWide(0, 3, 1, patched >>> 16, v).asm()[0],
            "str w" + v + ", [x" + t + "]",
            "dc cvau, x" + t,
            "dsb ish",
            "ic ivau, x" + t,
            "dsb ish",
            "isb",
            "nop   // overwritten above with: " + addSubImm(1, 0, 0, 0, imm, d, d).asm()[0],
        };
        return new Fixed(w, asm);
    }

    /**
     * A counted backward loop: {@code movz w<counter>, #n; L: body; subs w<counter>, w<counter>, #1;
     * b.ne L} (B.cond, C6.2.26).
     */
    static Fixed loop(int counter, int n, Fixed body) {
        int len = body.code().length;
        int[] w = new int[len + 3];
        String[] asm = new String[len + 3];
        Fixed init = moveWide(0, 2, 0, n, counter);
        Fixed dec = addSubImm(0, 1, 1, 0, 1, counter, counter);
        w[0] = init.code()[0];
        asm[0] = init.asm()[0];
        for (int i = 0; i < len; i++) {
            w[1 + i] = body.code()[i];
            asm[1 + i] = body.asm()[i] + (i == 0 ? "   // L:" : "");
        }
        w[len + 1] = dec.code()[0];
        asm[len + 1] = dec.asm()[0];
        int back = -(len + 1);
        w[len + 2] = 0x5400_0000 | (back & 0x7FFFF) << 5 | 1;
        asm[len + 2] = "b.ne L";
        return new Fixed(w, asm);
    }

    // ---- SIMD&FP loads, stores and moves ----

    private static final String[] FP_REG = {"b", "h", "s", "d", "q"};

    /** size and opc fields of a SIMD&FP load/store of 1 << log2 bytes (C4.1.94.x: Q is size 00, opc 1x). */
    private static int fpSizeOpc(int log2, int load) {
        int size = log2 == 4 ? 0 : log2;
        int opc = (log2 == 4 ? 2 : 0) | load;
        return size << 30 | opc << 22;
    }

    /** LDR/STR (immediate, SIMD&FP) unsigned offset, C6.2.341/C7.2.176; imm12 scaled by the size. */
    static Fixed fpLoadStoreUnsigned(int log2, int load, int imm12, int rn, int rt) {
        int w = fpSizeOpc(log2, load) | 0x3D00_0000 | imm12 << 10 | rn << 5 | rt;
        return Fixed.of(w, (load == 1 ? "ldr " : "str ") + FP_REG[log2] + rt + ", [" + sp(1, rn) + ", #"
                + (imm12 << log2) + "]");
    }

    /** LDUR/STUR (mode 0), post-index (1), pre-index (3), SIMD&FP. */
    static Fixed fpLoadStoreImm9(int log2, int load, int mode, int imm9, int rn, int rt) {
        int w = fpSizeOpc(log2, load) | 0x3C00_0000 | (imm9 & 0x1FF) << 12 | mode << 10 | rn << 5 | rt;
        String base = sp(1, rn);
        String addr = switch (mode) {
            case 0 -> "[" + base + ", #" + imm9 + "]";
            case 1 -> "[" + base + "], #" + imm9;
            default -> "[" + base + ", #" + imm9 + "]!";
        };
        return Fixed.of(w, (load == 1 ? (mode == 0 ? "ldur " : "ldr ") : (mode == 0 ? "stur " : "str "))
                + FP_REG[log2] + rt + ", " + addr);
    }

    /** LDR/STR (register, SIMD&FP): option 2 UXTW, 3 LSL, 6 SXTW, 7 SXTX. */
    static Fixed fpLoadStoreRegister(int log2, int load, int rm, int option, int s, int rn, int rt) {
        int w = fpSizeOpc(log2, load) | 0x3C20_0800 | rm << 16 | option << 13 | s << 12 | rn << 5 | rt;
        String ext = option == 3 ? "lsl" : EXTENDS[option];
        return Fixed.of(w, (load == 1 ? "ldr " : "str ") + FP_REG[log2] + rt + ", [" + sp(1, rn) + ", "
                + zr((option & 1) == 1 ? 1 : 0, rm) + ", " + ext + " #" + (s == 1 ? log2 : 0) + "]");
    }

    /** LDP/STP/LDNP/STNP (SIMD&FP), opc 0 S, 1 D, 2 Q; imm7 scaled. */
    static Fixed fpLoadStorePair(int opc, int mode, int load, int imm7, int rt2, int rn, int rt) {
        int w = opc << 30 | 0x2C00_0000 | mode << 23 | load << 22 | (imm7 & 0x7F) << 15 | rt2 << 10 | rn << 5 | rt;
        int off = imm7 << (2 + opc);
        String r = FP_REG[2 + opc];
        String base = sp(1, rn);
        String addr = switch (mode) {
            case 1 -> "[" + base + "], #" + off;
            case 3 -> "[" + base + ", #" + off + "]!";
            default -> "[" + base + ", #" + off + "]";
        };
        String name = mode == 0 ? (load == 1 ? "ldnp " : "stnp ") : (load == 1 ? "ldp " : "stp ");
        return Fixed.of(w, name + r + rt + ", " + r + rt2 + ", " + addr);
    }

    /**
     * Moves between general and SIMD&FP registers (C7.2.131 FMOV general, C7.2.371 UMOV, C7.2.279 SMOV,
     * C7.2.175 INS general, C7.2.174 INS element, C7.2.109/C7.2.110 DUP).
     *
     * @param kind 0-5 FMOV Wd,Sn / Sd,Wn / Xd,Dn / Dd,Xn / Xd,Vn.D[1] / Vd.D[1],Xn; 6 UMOV; 7 SMOV;
     *     8 INS (general); 9 INS (element); 10 DUP (general); 11 DUP (element)
     * @param esize element size log2 0-3 (kinds 6-11)
     * @param index element index (masked to the size)
     * @param index2 source element index for INS (element)
     * @param q 128-bit form for DUP; X destination for SMOV
     */
    static Fixed simdMove(int kind, int esize, int index, int index2, int q, int rn, int rd) {
        String[] t = {"b", "h", "s", "d"};
        int elems = 16 >> esize;
        int idx = index & (elems - 1);
        int imm5 = (idx << (esize + 1) | 1 << esize) & 0x1F;
        String el = "." + t[esize] + "[" + idx + "]";
        return switch (kind) {
            case 0 -> Fixed.of(0x1E26_0000 | rn << 5 | rd, "fmov " + zr(0, rd) + ", s" + rn);
            case 1 -> Fixed.of(0x1E27_0000 | rn << 5 | rd, "fmov s" + rd + ", " + zr(0, rn));
            case 2 -> Fixed.of(0x9E66_0000 | rn << 5 | rd, "fmov " + zr(1, rd) + ", d" + rn);
            case 3 -> Fixed.of(0x9E67_0000 | rn << 5 | rd, "fmov d" + rd + ", " + zr(1, rn));
            case 4 -> Fixed.of(0x9EAE_0000 | rn << 5 | rd, "fmov " + zr(1, rd) + ", v" + rn + ".d[1]");
            case 5 -> Fixed.of(0x9EAF_0000 | rn << 5 | rd, "fmov v" + rd + ".d[1], " + zr(1, rn));
            case 6 -> Fixed.of((esize == 3 ? 1 << 30 : 0) | 0x0E00_3C00 | imm5 << 16 | rn << 5 | rd,
                    "umov " + zr(esize == 3 ? 1 : 0, rd) + ", v" + rn + el);
            case 7 -> {
                int e = Math.min(esize, q == 1 ? 2 : 1);
                int i = index & ((16 >> e) - 1);
                int im = (i << (e + 1) | 1 << e) & 0x1F;
                yield Fixed.of(q << 30 | 0x0E00_2C00 | im << 16 | rn << 5 | rd,
                        "smov " + zr(q, rd) + ", v" + rn + "." + t[e] + "[" + i + "]");
            }
            case 8 -> Fixed.of(0x4E00_1C00 | imm5 << 16 | rn << 5 | rd,
                    "ins v" + rd + el + ", " + zr(esize == 3 ? 1 : 0, rn));
            case 9 -> {
                int i2 = index2 & (elems - 1);
                yield Fixed.of(0x6E00_0400 | imm5 << 16 | (i2 << esize) << 11 | rn << 5 | rd,
                        "ins v" + rd + el + ", v" + rn + "." + t[esize] + "[" + i2 + "]");
            }
            case 10, 11 -> {
                int qq = esize == 3 ? 1 : q;
                String arr = (qq == 1 ? 16 : 8) / (1 << esize) + t[esize];
                int w = qq << 30 | (kind == 10 ? 0x0E00_0C00 : 0x0E00_0400) | imm5 << 16 | rn << 5 | rd;
                yield Fixed.of(w, "dup v" + rd + "." + arr + ", " + (kind == 10 ? zr(esize == 3 ? 1 : 0, rn)
                        : "v" + rn + el));
            }
            default -> throw new IllegalArgumentException("move kind " + kind + " is not generated");
        };
    }

    /**
     * Advanced SIMD modified immediate (C4.1.93.x "Advanced SIMD modified immediate"): MOVI, MVNI, ORR,
     * BIC and FMOV (vector, immediate) by op and cmode.
     */
    static Fixed simdModifiedImmediate(int q, int op, int cmode, int imm8, int rd) {
        int w = q << 30 | op << 29 | 0x0F00_0400 | (imm8 >> 5) << 16 | cmode << 12 | (imm8 & 31) << 5 | rd;
        String name;
        if (cmode == 15) {
            name = "fmov";
        } else if (cmode == 14) {
            name = "movi";
        } else if ((cmode & 1) == 1 && cmode < 12) {
            name = op == 0 ? "orr" : "bic";
        } else {
            name = op == 0 ? "movi" : "mvni";
        }
        return Fixed.of(w, name + " v" + rd + " (q=" + q + " op=" + op + " cmode=" + cmode + " imm8=0x"
                + Integer.toHexString(imm8) + ")");
    }

    /** LDR (literal, SIMD&FP), opc 0 S, 1 D, 2 Q: the word for a given PC and target. */
    static int fpLiteralWord(int opc, int rt, long pc, long target) {
        int imm19 = (int) (((target - pc) >> 2) & 0x7FFFF);
        return opc << 30 | 0x1C00_0000 | imm19 << 5 | rt;
    }

    // ---- Advanced SIMD structure loads and stores (C4.1.88) ----

    /** Arrangement by size and Q. */
    private static final String[][] ARRANGEMENT = {{"8b", "16b"}, {"4h", "8h"}, {"2s", "4s"}, {"1d", "2d"}};
    private static final String[] LANE = {"b", "h", "s", "d"};

    /**
     * {@return registers and structure elements of a "multiple structures" opcode, as registers * 16 +
     * selem, or 0 when the opcode is unallocated} (C7.2 LD1 (multiple structures), shared decode)
     *
     * @param opcode bits 15:12
     */
    static int multipleShape(int opcode) {
        return switch (opcode) {
            case 0b0000 -> 4 << 4 | 4;
            case 0b0010 -> 4 << 4 | 1;
            case 0b0100 -> 3 << 4 | 3;
            case 0b0110 -> 3 << 4 | 1;
            case 0b0111 -> 1 << 4 | 1;
            case 0b1000 -> 2 << 4 | 2;
            case 0b1010 -> 2 << 4 | 1;
            default -> 0;
        };
    }

    /** The post-index suffix: none (mode 0), the transfer size (1, Rm = 31) or Xm (2). */
    private static String postIndex(int mode, int total, int rm) {
        return switch (mode) {
            case 0 -> "";
            case 1 -> ", #" + total;
            default -> ", " + zr(1, rm);
        };
    }

    private static int rmField(int mode, int rm) {
        return mode == 0 ? 0 : mode == 1 ? 31 : rm;
    }

    private static String registerList(int rt, int count, String suffix) {
        StringBuilder sb = new StringBuilder("{");
        for (int i = 0; i < count; i++) {
            sb.append(i == 0 ? "" : ", ").append('v').append((rt + i) & 31).append('.').append(suffix);
        }
        return sb.append('}').toString();
    }

    /**
     * LD1-LD4/ST1-ST4 (multiple structures): 0 Q 0011 00 P L 0 Rm opcode size Rn Rt (C4.1.88, C7.2.165 LD1
     * and siblings).
     *
     * @param opcode one of the allocated opcodes of {@link #multipleShape}
     * @param mode 0 no offset, 1 post-index by the transfer size, 2 post-index by Xm
     */
    static Fixed simdMultiple(int q, int load, int opcode, int size, int mode, int rm, int rn, int rt) {
        int shape = multipleShape(opcode);
        if (shape == 0 || (size == 3 && q == 0 && (shape & 0xF) != 1)) {
            throw new IllegalArgumentException("opcode " + opcode + " size " + size + " Q " + q + " is unallocated");
        }
        int registers = shape >>> 4;
        int w = q << 30 | 0x0C00_0000 | (mode == 0 ? 0 : 1 << 23) | load << 22 | rmField(mode, rm) << 16
                | opcode << 12 | size << 10 | rn << 5 | rt;
        String name = (load == 1 ? "ld" : "st") + (shape & 0xF);
        return Fixed.of(w, name + " " + registerList(rt, registers, ARRANGEMENT[size][q]) + ", [" + sp(1, rn) + "]"
                + postIndex(mode, registers * (8 << q), rm));
    }

    /**
     * LD1-LD4/ST1-ST4 (single structure): one lane of selem registers, 0 Q 0011 01 P L R Rm opcode S size Rn
     * Rt (C4.1.88, C7.2.166 LD1 (single structure) and siblings).
     *
     * @param selem 1-4
     * @param log2 the element size, 0-3 (B, H, S, D)
     * @param index the lane, below 16 >> log2
     * @param mode 0 no offset, 1 post-index by the transfer size, 2 post-index by Xm
     */
    static Fixed simdSingle(int load, int selem, int log2, int index, int mode, int rm, int rn, int rt) {
        // the lane index sits in Q:S:size, shifted left by the element size (D lanes use size = 01)
        int qss = switch (log2) {
            case 0 -> index;
            case 1 -> index << 1;
            case 2 -> index << 2;
            default -> index << 3 | 1;
        };
        int opcode = Math.min(log2, 2) << 1 | (selem - 1) >> 1;
        int w = (qss >> 3) << 30 | 0x0D00_0000 | (mode == 0 ? 0 : 1 << 23) | load << 22 | ((selem - 1) & 1) << 21
                | rmField(mode, rm) << 16 | opcode << 13 | ((qss >> 2) & 1) << 12 | (qss & 3) << 10 | rn << 5 | rt;
        String name = (load == 1 ? "ld" : "st") + selem;
        return Fixed.of(w, name + " " + registerList(rt, selem, LANE[log2]) + "[" + index + "], [" + sp(1, rn) + "]"
                + postIndex(mode, selem << log2, rm));
    }

    /**
     * LD1R-LD4R: one element per register, replicated to every lane, 0 Q 0011 01 P 1 R Rm 11 x 0 size Rn Rt
     * (C4.1.88, C7.2.167 LD1R and siblings).
     *
     * @param selem 1-4
     * @param mode 0 no offset, 1 post-index by the transfer size, 2 post-index by Xm
     */
    static Fixed simdReplicate(int q, int selem, int size, int mode, int rm, int rn, int rt) {
        int opcode = 0b110 | (selem - 1) >> 1;
        int w = q << 30 | 0x0D40_0000 | (mode == 0 ? 0 : 1 << 23) | ((selem - 1) & 1) << 21 | rmField(mode, rm) << 16
                | opcode << 13 | size << 10 | rn << 5 | rt;
        return Fixed.of(w, "ld" + selem + "r " + registerList(rt, selem, ARRANGEMENT[size][q]) + ", [" + sp(1, rn)
                + "]" + postIndex(mode, selem << size, rm));
    }

    /** BRK #imm16 (C6.2.40): a breakpoint exception (Linux: SIGTRAP). */
    static Fixed brk(int imm16) {
        return Fixed.of(0xD420_0000 | imm16 << 5, "brk #0x" + Integer.toHexString(imm16));
    }

    /** UDF #imm16 (C6.2.386): permanently undefined (Linux: SIGILL). */
    static Fixed udf(int imm16) {
        return Fixed.of(imm16, "udf #0x" + Integer.toHexString(imm16));
    }

    /** NOP (C6.2.202). */
    static Fixed nop() {
        return Fixed.of(0xD503201F, "nop");
    }

    // ---- Loads and stores (C4.1.94) ----

    private static final String[][] LS_NAMES = {
        // size 0..3 x opc 0..3
        {"strb", "ldrb", "ldrsb", "ldrsb"},
        {"strh", "ldrh", "ldrsh", "ldrsh"},
        {"str", "ldr", "ldrsw", null},
        {"str", "ldr", "prfm", null},
    };

    private static String lsTarget(int size, int opc, int rt) {
        if (size == 3 && opc == 2) {
            return "#" + rt; // PRFM: prefetch operation
        }
        boolean x = size == 3 || opc == 2;
        return zr(x ? 1 : 0, rt);
    }

    private static String lsName(int size, int opc, boolean unscaled) {
        String n = LS_NAMES[size][opc];
        return unscaled ? n.replaceFirst("^(ld|st|prf)r?", "$1ur").replace("prfurm", "prfum") : n;
    }

    /** LDR/STR (unsigned immediate), C6.2.166 and siblings; imm12 is scaled by the size. */
    static Fixed loadStoreUnsigned(int size, int opc, int imm12, int rn, int rt) {
        int w = size << 30 | 0x3900_0000 | opc << 22 | imm12 << 10 | rn << 5 | rt;
        return Fixed.of(w, lsName(size, opc, false) + " " + lsTarget(size, opc, rt) + ", [" + sp(1, rn) + ", #"
                + (imm12 << size) + "]");
    }

    /**
     * LDUR/STUR (mode 0), post-index (mode 1) and pre-index (mode 3) with a 9-bit signed offset, C6.2.167.
     */
    static Fixed loadStoreImm9(int size, int opc, int mode, int imm9, int rn, int rt) {
        int w = size << 30 | 0x3800_0000 | opc << 22 | (imm9 & 0x1FF) << 12 | mode << 10 | rn << 5 | rt;
        String base = sp(1, rn);
        String addr = switch (mode) {
            case 0 -> "[" + base + ", #" + imm9 + "]";
            case 1 -> "[" + base + "], #" + imm9;
            default -> "[" + base + ", #" + imm9 + "]!";
        };
        return Fixed.of(w, lsName(size, opc, mode == 0) + " " + lsTarget(size, opc, rt) + ", " + addr);
    }

    /** LDTR/STTR and their sized and signed forms (unprivileged, C6.2.179 and siblings), 9-bit offset. */
    static Fixed loadStoreUnprivileged(int size, int opc, int imm9, int rn, int rt) {
        int w = size << 30 | 0x3800_0800 | opc << 22 | (imm9 & 0x1FF) << 12 | rn << 5 | rt;
        String name = LS_NAMES[size][opc].replaceFirst("^(ld|st)r", "$1tr");
        return Fixed.of(w, name + " " + lsTarget(size, opc, rt) + ", [" + sp(1, rn) + ", #" + imm9 + "]");
    }

    /** LDR/STR (register offset), C6.2.168: option 2 UXTW, 3 LSL, 6 SXTW, 7 SXTX; s scales by the size. */
    static Fixed loadStoreRegister(int size, int opc, int rm, int option, int s, int rn, int rt) {
        int w = size << 30 | 0x3820_0800 | opc << 22 | rm << 16 | option << 13 | s << 12 | rn << 5 | rt;
        String ext = option == 3 ? "lsl" : EXTENDS[option];
        String idx = zr((option & 1) == 1 ? 1 : 0, rm);
        return Fixed.of(w, lsName(size, opc, false) + " " + lsTarget(size, opc, rt) + ", [" + sp(1, rn) + ", " + idx
                + ", " + ext + " #" + (s == 1 ? size : 0) + "]");
    }

    /**
     * Load/store pair, C6.2.130/C6.2.321: opc 0 W, 1 LDPSW, 2 X; mode 0 non-temporal (STNP/LDNP),
     * 1 post-index, 2 signed offset, 3 pre-index; imm7 is scaled by the element size.
     */
    static Fixed loadStorePair(int opc, int mode, int load, int imm7, int rt2, int rn, int rt) {
        int w = opc << 30 | 0x2800_0000 | mode << 23 | load << 22 | (imm7 & 0x7F) << 15 | rt2 << 10 | rn << 5 | rt;
        int scale = opc == 2 ? 3 : 2;
        int off = imm7 << scale;
        String name = (mode == 0 ? (load == 1 ? "ldnp" : "stnp") : (load == 1 ? "ldp" : "stp")) + (opc == 1 ? "sw" : "");
        int sf = opc == 0 ? 0 : 1;
        String base = sp(1, rn);
        String addr = switch (mode) {
            case 1 -> "[" + base + "], #" + off;
            case 3 -> "[" + base + ", #" + off + "]!";
            default -> "[" + base + ", #" + off + "]";
        };
        return Fixed.of(w, name + " " + zr(sf, rt) + ", " + zr(sf, rt2) + ", " + addr);
    }

    /**
     * Load/store exclusive and ordered (C4.1.94.4): the raw fields o2, L, o1, o0.
     */
    static int exclusiveWord(int size, int o2, int l, int o1, int rs, int o0, int rt2, int rn, int rt) {
        return size << 30 | 0x0800_0000 | o2 << 23 | l << 22 | o1 << 21 | rs << 16 | o0 << 15 | rt2 << 10 | rn << 5 | rt;
    }

    private static final String[] SIZE_SUFFIX = {"b", "h", "", ""};

    /** LDAR/STLR of a size, C6.2.100. */
    static Fixed loadAcquireStoreRelease(int size, int load, int rn, int rt) {
        int w = exclusiveWord(size, 1, load, 0, 31, 1, 31, rn, rt);
        return Fixed.of(w, (load == 1 ? "ldar" : "stlr") + SIZE_SUFFIX[size] + " " + zr(size == 3 ? 1 : 0, rt)
                + ", [" + sp(1, rn) + "]");
    }

    /**
     * An exclusive read-modify-write group: LD(A)XR rt, [rn]; ADD rt, rt, #1; ST(L)XR ws, rt, [rn]
     * (or the pair forms LD(A)XP/ST(L)XP for pair = 1, sizes 2 and 3 only).
     */
    static Fixed exclusiveGroup(int size, int pair, int acquire, int release, int rs, int rt, int rt2, int rn, int add) {
        int sf = size == 3 ? 1 : 0;
        String sfx = SIZE_SUFFIX[size];
        int ld = exclusiveWord(size, 0, 1, pair, 31, acquire, pair == 1 ? rt2 : 31, rn, rt);
        int st = exclusiveWord(size, 0, 0, pair, rs, release, pair == 1 ? rt2 : 31, rn, rt);
        Fixed inc = addSubImm(sf, 0, 0, 0, add, rt, rt);
        String regs = zr(sf, rt) + (pair == 1 ? ", " + zr(sf, rt2) : "");
        String ldName = "ld" + (acquire == 1 ? "a" : "") + "x" + (pair == 1 ? "p" : "r" + sfx);
        String stName = "st" + (release == 1 ? "l" : "") + "x" + (pair == 1 ? "p" : "r" + sfx);
        return new Fixed(new int[] {ld, inc.code()[0], st}, new String[] {
            ldName + " " + regs + ", [" + sp(1, rn) + "]",
            inc.asm()[0],
            stName + " w" + rs + ", " + regs + ", [" + sp(1, rn) + "]"});
    }

    /** CAS, CASA, CASL, CASAL of a size, C6.2.44. */
    static Fixed compareAndSwap(int size, int acquire, int release, int rs, int rn, int rt) {
        int w = size << 30 | 0x08A0_7C00 | acquire << 22 | rs << 16 | release << 15 | rn << 5 | rt;
        int sf = size == 3 ? 1 : 0;
        return Fixed.of(w, "cas" + (acquire == 1 ? "a" : "") + (release == 1 ? "l" : "") + SIZE_SUFFIX[size] + " "
                + zr(sf, rs) + ", " + zr(sf, rt) + ", [" + sp(1, rn) + "]");
    }

    /** CASP, CASPA, CASPL, CASPAL, C6.2.45; rs and rt even. */
    static Fixed compareAndSwapPair(int sf, int acquire, int release, int rs, int rn, int rt) {
        int w = sf << 30 | 0x0820_7C00 | acquire << 22 | rs << 16 | release << 15 | rn << 5 | rt;
        return Fixed.of(w, "casp" + (acquire == 1 ? "a" : "") + (release == 1 ? "l" : "") + " " + zr(sf, rs) + ", "
                + zr(sf, rs + 1) + ", " + zr(sf, rt) + ", " + zr(sf, rt + 1) + ", [" + sp(1, rn) + "]");
    }

    private static final String[] ATOMIC_OPS = {"add", "clr", "eor", "set", "smax", "smin", "umax", "umin"};

    /** LD&lt;op&gt; (op 0-7) or SWP (op 8), with acquire/release, C4.1.94.16. */
    static Fixed atomic(int size, int op, int acquire, int release, int rs, int rn, int rt) {
        int o3 = op == 8 ? 1 : 0;
        int opc = op == 8 ? 0 : op;
        int w = size << 30 | 0x3820_0000 | acquire << 23 | release << 22 | rs << 16 | o3 << 15 | opc << 12 | rn << 5 | rt;
        int sf = size == 3 ? 1 : 0;
        String name = (op == 8 ? "swp" : "ld" + ATOMIC_OPS[op]) + (acquire == 1 ? "a" : "") + (release == 1 ? "l" : "")
                + SIZE_SUFFIX[size];
        return Fixed.of(w, name + " " + zr(sf, rs) + ", " + zr(sf, rt) + ", [" + sp(1, rn) + "]");
    }

    // ---- PC-relative forms ----

    private static int branchTarget(PcRelative p, SnippetLayout layout, int index, int bits) {
        long target = layout.address(index + 1 + p.skip());
        long disp = (target - layout.address(index)) >> 2;
        return (int) (disp & ((1L << bits) - 1));
    }

    private static String targetText(PcRelative p, SnippetLayout layout, int index) {
        long target = layout.address(index + 1 + p.skip());
        return String.format("0x%x%s", target, target == layout.end() ? " <end>" : "");
    }

    /** Encodes a {@link PcRelative} at its position (branches C6.2.26/.35/.47/.48/.361, literal C6.2.167). */
    static int[] encodePcRelative(PcRelative p, SnippetLayout layout, int index) {
        long pc = layout.address(index);
        return switch (p.kind()) {
            case B -> new int[] {0x1400_0000 | branchTarget(p, layout, index, 26)};
            case BL -> new int[] {0x9400_0000 | branchTarget(p, layout, index, 26)};
            case B_COND -> new int[] {0x5400_0000 | branchTarget(p, layout, index, 19) << 5 | p.a()};
            case CBZ -> new int[] {((p.a() & 2) == 0 ? 1 << 31 : 0) | 0x3400_0000 | (p.a() & 1) << 24
                    | branchTarget(p, layout, index, 19) << 5 | p.reg()};
            case TBZ -> {
                int bit = p.a() & 63;
                yield new int[] {(bit >> 5) << 31 | 0x3600_0000 | (p.a() >> 6) << 24 | (bit & 31) << 19
                        | branchTarget(p, layout, index, 14) << 5 | p.reg()};
            }
            case ADR_THEN_BRANCH_REGISTER -> {
                // the ADR is at pc; the branch register instruction at pc + 4; the target is computed from the
                // ADR; a >= 3 branches (BR) to the target + a - 2, a misaligned PC
                long target = layout.address(index + 1 + p.skip()) + (p.a() >= 3 ? p.a() - 2 : 0);
                int disp = (int) (target - pc);
                int adr = adrWord(0, disp, p.reg());
                int opc = switch (p.a()) {
                    case 0 -> 0xD61F_0000;
                    case 1 -> 0xD63F_0000;
                    default -> 0xD65F_0000;
                };
                yield new int[] {adr, opc | p.reg() << 5};
            }
            case LITERAL -> {
                long target = DifftestLayout.SCRATCH_BASE + p.skip();
                if (p.a() >= 4) {
                    yield new int[] {fpLiteralWord(p.a() - 4, p.reg(), pc, target)};
                }
                int imm19 = (int) (((target - pc) >> 2) & 0x7FFFF);
                yield new int[] {p.a() << 30 | 0x1800_0000 | imm19 << 5 | p.reg()};
            }
            case ADR -> new int[] {adrWord(p.a(), p.skip(), p.reg())};
        };
    }

    private static int adrWord(int page, int disp, int rd) {
        return page << 31 | (disp & 3) << 29 | 0x1000_0000 | ((disp >> 2) & 0x7FFFF) << 5 | rd;
    }

    /** Prints a {@link PcRelative} at its position. */
    static String[] assemblePcRelative(PcRelative p, SnippetLayout layout, int index) {
        String target = p.kind() == Instr.PcKind.LITERAL || p.kind() == Instr.PcKind.ADR ? ""
                : targetText(p, layout, index);
        return switch (p.kind()) {
            case B -> new String[] {"b " + target};
            case BL -> new String[] {"bl " + target};
            case B_COND -> new String[] {"b." + CONDITIONS[p.a()] + " " + target};
            case CBZ -> new String[] {((p.a() & 1) == 1 ? "cbnz " : "cbz ") + zr((p.a() & 2) == 0 ? 1 : 0, p.reg())
                    + ", " + target};
            case TBZ -> new String[] {((p.a() >> 6) == 1 ? "tbnz " : "tbz ") + zr((p.a() & 32) != 0 ? 1 : 0, p.reg())
                    + ", #" + (p.a() & 63) + ", " + target};
            case ADR_THEN_BRANCH_REGISTER -> new String[] {"adr x" + p.reg() + ", " + target
                    + (p.a() >= 3 ? " + " + (p.a() - 2) + " (misaligned)" : ""),
                (p.a() == 0 || p.a() >= 3 ? "br x" : p.a() == 1 ? "blr x" : "ret x") + p.reg()};
            case LITERAL -> {
                String[] names = {"ldr w", "ldr x", "ldrsw x", "prfm #", "ldr s", "ldr d", "ldr q"};
                yield new String[] {names[p.a()] + p.reg() + ", 0x"
                        + Long.toHexString(DifftestLayout.SCRATCH_BASE + p.skip()) + " <scratch+0x"
                        + Integer.toHexString(p.skip()) + ">"};
            }
            case ADR -> new String[] {(p.a() == 1 ? "adrp x" : "adr x") + p.reg() + ", " + hex(p.skip())
                    + (p.a() == 1 ? " pages" : "")};
        };
    }
}
