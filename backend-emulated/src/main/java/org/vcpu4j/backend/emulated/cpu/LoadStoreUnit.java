package org.vcpu4j.backend.emulated.cpu;

import java.util.function.Supplier;

/**
 * Loads and stores (Arm ARM C4.1.88): every general-purpose and SIMD&amp;FP single-register, pair,
 * literal, exclusive, acquire/release and LSE atomic form, the exclusive monitor, and the data-abort
 * syndrome the virtual EL2 reports for them. The structure loads and stores are in {@link
 * StructureTransfer}.
 */
public abstract class LoadStoreUnit extends SystemUnit {
    // ---- exclusive monitor, per vCPU: a store-exclusive succeeds only if memory still holds what the
    // load-exclusive read, so other vCPUs' stores to the location make it fail
    private long exclusiveAddress = -1;
    private long exclusiveValue;
    private long exclusiveValue2;

    /**
     * @param physicalSource the VM's current guest-physical map
     * @param counterEpoch the {@link System#nanoTime()} at which the physical count was 0
     */
    protected LoadStoreUnit(Supplier<PhysicalMap> physicalSource, long counterEpoch) {
        super(physicalSource, counterEpoch);
    }

    @Override
    protected void clearExclusive() {
        exclusiveAddress = -1;
    }

    // ------------------------------------------------------------------ decoded pairs (Instructions)

    /** LDP/LDNP of W or X registers in any addressing mode (bits 24:23: 01 post-index, 11 pre-index). */
    void loadPair(int in, long imm, int log2) {
        transferPair(in, imm, log2, true, false);
    }

    /** STP/STNP of W or X registers in any addressing mode. */
    void storePair(int in, long imm, int log2) {
        transferPair(in, imm, log2, false, false);
    }

    /**
     * A general-purpose pair: both halves checked before either moves, the base written back for post-
     * and pre-index (bits 24:23 = 01, 11).
     *
     * @param imm the scaled offset
     * @param log2 2 for W, 3 for X
     * @param signedWords LDPSW: the words are sign-extended
     */
    private void transferPair(int in, long imm, int log2, boolean load, boolean signedWords) {
        int kind = (in >>> 23) & 3;
        int rn = (in >>> 5) & 0x1F;
        long b = baseRegister(rn);
        long va = kind == 1 ? b : b + imm;
        int bytes = 1 << log2;
        if (load) {
            probe(va, 2 * bytes, false);
            long first = read(va, log2);
            long second = read(va + bytes, log2);
            if (signedWords) {
                first = (int) first;
                second = (int) second;
            }
            setX(in & 0x1F, first);
            setX((in >>> 10) & 0x1F, second);
        } else {
            long first = x[in & 0x1F];
            long second = x[(in >>> 10) & 0x1F];
            probe(va, 2 * bytes, true);
            write(va, log2, first);
            write(va + bytes, log2, second);
        }
        if ((kind & 1) != 0) {
            setXs(rn, b + imm);
        }
    }

    // ------------------------------------------------------------------ the load/store group decoder

    /** Decodes and runs an instruction of the load/store group (bits 27 and 25 = 1, 0). */
    void loadStore(int in) {
        if ((in & 0x3F00_0000) == 0x0800_0000) {
            exclusiveOrdered(in);
        } else if ((in & 0x3B00_0000) == 0x1800_0000) {
            loadLiteral(in);
        } else if ((in & 0x3A00_0000) == 0x2800_0000) {
            loadStorePair(in);
        } else if ((in & 0x3B00_0000) == 0x3900_0000) {
            loadStoreUnsignedOffset(in);
        } else if ((in & 0x3B20_0000) == 0x3800_0000) {
            loadStoreImm9(in);
        } else if ((in & 0x3B20_0C00) == 0x3820_0800) {
            loadStoreRegisterOffset(in);
        } else if ((in & 0x3B20_0C00) == 0x3820_0000) {
            atomic(in);
        } else if ((in & 0xBE00_0000) == 0x0C00_0000) {
            StructureTransfer.execute(this, in); // LD1-LD4/ST1-ST4 (Arm ARM C4.1.88, AdvSIMD structures)
        } else {
            throw undefined();
        }
    }

    /** {@return the base register (bits 9:5) of a load or store, see {@link #baseRegister}} */
    private long base(int in) {
        return baseRegister((in >>> 5) & 0x1F);
    }

    /** Exclusives, atomics and acquire/release accesses must be aligned: an alignment fault (DFSC 0x21). */
    private void checkAligned(long va, int bytes, boolean write) {
        if ((va & (bytes - 1)) != 0) {
            abort(va, write ? WRITE : READ, 0x21);
        }
    }

    private void loadStoreUnsignedOffset(int in) {
        int size = in >>> 30;
        boolean simd = (in & (1 << 26)) != 0;
        int scale = simd ? ((in >>> 21) & 4) | size : size;
        long offset = (long) ((in >>> 10) & 0xFFF) << scale;
        transfer(in, base(in) + offset);
    }

    /** LDUR/STUR (00), post-index (01), unprivileged LDTR/STTR (10), pre-index (11). */
    private void loadStoreImm9(int in) {
        long imm = (in << 11) >> 23;
        int mode9 = (in >>> 10) & 3;
        int rn = (in >>> 5) & 0x1F;
        long b = baseRegister(rn);
        switch (mode9) {
            case 0 -> transfer(in, b + imm);
            case 2 -> {
                if ((in & (1 << 26)) != 0) {
                    throw undefined();
                }
                transfer(in, b + imm);
            }
            case 1 -> {
                transfer(in, b);
                setXs(rn, b + imm);
            }
            default -> {
                transfer(in, b + imm);
                setXs(rn, b + imm);
            }
        }
    }

    private void loadStoreRegisterOffset(int in) {
        int option = (in >>> 13) & 7;
        if ((option & 2) == 0) {
            throw undefined();
        }
        int size = in >>> 30;
        boolean simd = (in & (1 << 26)) != 0;
        int scale = simd ? ((in >>> 21) & 4) | size : size;
        int shift = (in & (1 << 12)) != 0 ? scale : 0;
        long offset = Alu.extend(x[(in >>> 16) & 0x1F], option, shift);
        transfer(in, base(in) + offset);
    }

    /**
     * The single-register transfer of the load/store register classes: size in bits 31:30, V in bit
     * 26, opc in bits 23:22 (Arm ARM C4.1.88, "Load/store register").
     */
    private void transfer(int in, long va) {
        int size = in >>> 30;
        int opc = (in >>> 22) & 3;
        int rt = in & 0x1F;
        if ((in & (1 << 26)) != 0) {
            transferFp(in, va);
            return;
        }
        switch (opc) {
            case 0 -> write(va, size, x[rt]);
            case 1 -> setX(rt, read(va, size));
            case 2 -> {
                if (size == 3) {
                    return; // PRFM / PRFUM: a hint
                }
                setX(rt, signExtend(read(va, size), size));
            }
            default -> {
                if (size >= 2) {
                    throw undefined();
                }
                setW(rt, signExtend(read(va, size), size));
            }
        }
    }

    static long signExtend(long value, int log2) {
        int shift = 64 - (8 << log2);
        return (value << shift) >> shift;
    }

    /** SIMD&amp;FP register loads and stores (B/H/S/D/Q): a load zeroes the rest of the register. */
    private void transferFp(int in, long va) {
        checkFpAccess();
        int size = in >>> 30;
        int opc = (in >>> 22) & 3;
        int rt = in & 0x1F;
        boolean load = (opc & 1) != 0;
        int log2;
        if ((opc & 2) != 0) {
            if (size != 0) {
                throw undefined();
            }
            log2 = 4;
        } else {
            log2 = size;
        }
        fpAccess(rt, va, log2, load);
    }

    /** Loads or stores the low {@code 1 << log2} bytes of Vt (log2 4 = Q). */
    private void fpAccess(int rt, long va, int log2, boolean load) {
        if (log2 == 4) {
            checkQuadAlignment(va, !load);
        }
        if (load) {
            if (log2 == 4) {
                probe(va, 16, false);
                long low = read64(va);
                setV(rt, low, read64(va + 8));
            } else {
                setV(rt, read(va, log2), 0);
            }
        } else if (log2 == 4) {
            probe(va, 16, true);
            write64(va, v[2 * rt]);
            write64(va + 8, v[2 * rt + 1]);
        } else {
            write(va, log2, v[2 * rt]);
        }
    }

    /** LDR (literal), LDRSW (literal), PRFM (literal). */
    private void loadLiteral(int in) {
        long va = insnPc + ((long) (in << 8) >> 11 & ~3L);
        int opc = in >>> 30;
        int rt = in & 0x1F;
        if ((in & (1 << 26)) != 0) {
            checkFpAccess();
            if (opc == 3) {
                throw undefined();
            }
            fpAccess(rt, va, opc + 2, true);
            return;
        }
        switch (opc) {
            case 0 -> setX(rt, read32(va));
            case 1 -> setX(rt, read64(va));
            case 2 -> setX(rt, (int) read32(va));
            default -> { } // PRFM (literal)
        }
    }

    /** LDP/STP/LDPSW/LDNP/STNP: no-allocate (00), post-index (01), offset (10), pre-index (11). */
    private void loadStorePair(int in) {
        int opc = in >>> 30;
        boolean simd = (in & (1 << 26)) != 0;
        boolean load = (in & (1 << 22)) != 0;
        int kind = (in >>> 23) & 3;
        if (simd) {
            fpPair(in, opc, load, kind);
            return;
        }
        if (opc == 3 || (opc == 1 && (!load || kind == 0))) {
            throw undefined();
        }
        int log2 = opc == 2 ? 3 : 2;
        transferPair(in, (long) ((in << 10) >> 25) << log2, log2, load, opc == 1);
    }

    /** LDP/STP/LDNP/STNP of S, D and Q registers. */
    private void fpPair(int in, int opc, boolean load, int kind) {
        checkFpAccess();
        if (opc == 3) {
            throw undefined();
        }
        int log2 = opc + 2;
        int bytes = 1 << log2;
        long imm = (long) ((in << 10) >> 25) << log2;
        int rn = (in >>> 5) & 0x1F;
        int rt = in & 0x1F;
        int rt2 = (in >>> 10) & 0x1F;
        long b = baseRegister(rn);
        long va = kind == 1 ? b : b + imm;
        probe(va, 2 * bytes, !load);
        if (load && rt == rt2) {
            throw undefined(); // CONSTRAINED UNPREDICTABLE: this CPU treats it as UNDEFINED
        }
        fpAccess(rt, va, log2, load);
        fpAccess(rt2, va + bytes, log2, load);
        if (kind == 1 || kind == 3) {
            setXs(rn, b + imm);
        }
    }

    /** Exclusives and load-acquire/store-release (Arm ARM C4.1.88, "Load/store exclusive" and "ordered"). */
    private void exclusiveOrdered(int in) {
        int size = in >>> 30;
        boolean o2 = (in & (1 << 23)) != 0;
        boolean load = (in & (1 << 22)) != 0;
        boolean o1 = (in & (1 << 21)) != 0;
        int rs = (in >>> 16) & 0x1F;
        int rt2 = (in >>> 10) & 0x1F;
        int rt = in & 0x1F;
        long va = base(in);
        // Rs and Rt2 of the single-register forms are "(11111)", should-be-one: ignored, as hardware does.
        if (o2 && !o1) { // LDAR/STLR/LDLAR/STLLR
            checkAligned(va, 1 << size, !load);
            if (load) {
                setX(rt, read(va, size));
            } else {
                write(va, size, x[rt]);
            }
            return;
        }
        if (o2) { // CAS family
            compareAndSwap(in);
            return;
        }
        if (o1) {
            if (size < 2) { // CASP
                compareAndSwapPair(in);
                return;
            }
            exclusivePair(in, load, rs, rt, rt2, va);
            return;
        }
        checkAligned(va, 1 << size, !load);
        if (load) {
            long value = read(va, size);
            exclusiveAddress = va;
            exclusiveValue = value;
            setX(rt, value);
        } else {
            // The store succeeds if the monitored location still holds what LDXR read (QEMU's rule),
            // checked and written atomically against other vCPUs.
            boolean ok = exclusiveAddress == va && compareAndExchange(va, size, exclusiveValue, x[rt]) == exclusiveValue;
            exclusiveAddress = -1;
            setW(rs, ok ? 0 : 1);
        }
    }

    private void exclusivePair(int in, boolean load, int rs, int rt, int rt2, long va) {
        int size = in >>> 30;
        int log2 = size == 3 ? 3 : 2;
        int bytes = 1 << log2;
        checkAligned(va, 2 * bytes, !load);
        if (load) {
            probe(va, 2 * bytes, false);
            long first = read(va, log2);
            long second = read(va + bytes, log2);
            exclusiveAddress = va;
            exclusiveValue = first;
            exclusiveValue2 = second;
            setX(rt, first);
            setX(rt2, second);
        } else {
            boolean ok = exclusiveAddress == va && exchangePair(va, log2, exclusiveValue, exclusiveValue2, x[rt], x[rt2]);
            exclusiveAddress = -1;
            setW(rs, ok ? 0 : 1);
        }
    }

    /**
     * Stores a pair if memory still holds the expected pair, as one single-copy atomic access: a W pair
     * is one 64-bit exchange; an X pair is checked and written under {@link #atomicLock} (the JVM has no
     * 128-bit exchange).
     */
    private boolean exchangePair(long va, int log2, long expected1, long expected2, long value1, long value2) {
        probe(va, 2 << log2, true);
        if (log2 == 2) {
            long expected = (expected1 & 0xFFFF_FFFFL) | expected2 << 32;
            long value = (value1 & 0xFFFF_FFFFL) | value2 << 32;
            return compareAndExchange(va, 3, expected, value) == expected;
        }
        synchronized (atomicLock(va)) {
            if (read64(va + 8) != expected2 || compareAndExchange(va, 3, expected1, value1) != expected1) {
                return false;
            }
            write64(va + 8, value2);
            return true;
        }
    }

    /** CAS, CASA, CASL, CASAL (B/H/W/X): compare Rs with memory, store Rt if equal, Rs = old. */
    private void compareAndSwap(int in) {
        int size = in >>> 30;
        int rs = (in >>> 16) & 0x1F;
        int rt = in & 0x1F;
        long va = base(in);
        long mask = size == 3 ? -1L : (1L << (8 << size)) - 1;
        checkAligned(va, 1 << size, true);
        long old = compareAndExchange(va, size, x[rs] & mask, x[rt]);
        setX(rs, old);
    }

    /** CASP, CASPA, CASPL, CASPAL (W/X pairs). */
    private void compareAndSwapPair(int in) {
        boolean sf = (in & (1 << 30)) != 0;
        int rs = (in >>> 16) & 0x1F;
        int rt = in & 0x1F;
        if ((rs & 1) != 0 || (rt & 1) != 0) {
            throw undefined();
        }
        int log2 = sf ? 3 : 2;
        int bytes = 1 << log2;
        long mask = sf ? -1L : 0xFFFF_FFFFL;
        long va = base(in);
        checkAligned(va, 2 * bytes, true);
        probe(va, 2 * bytes, true);
        long first = read(va, log2);
        long second = read(va + bytes, log2);
        if (first == (x[rs] & mask) && second == (x[rs + 1] & mask)
                && !exchangePair(va, log2, first, second, x[rt], rt == 31 ? 0 : x[rt + 1])) {
            // Another vCPU changed the pair between the read and the exchange: report what it holds now.
            first = read(va, log2);
            second = read(va + bytes, log2);
        }
        setX(rs, first);
        setX(rs + 1, second);
    }

    /** LSE atomic memory operations (Arm ARM C4.1.88, "Atomic memory operations"). */
    private void atomic(int in) {
        if ((in & (1 << 26)) != 0) {
            throw undefined();
        }
        int size = in >>> 30;
        int o3 = (in >>> 15) & 1;
        int opc = (in >>> 12) & 7;
        int rs = (in >>> 16) & 0x1F;
        int rt = in & 0x1F;
        long va = base(in);
        checkAligned(va, 1 << size, !(o3 == 1 && opc == 4));
        if (o3 == 1) {
            if (opc == 0) { // SWP
                long value = x[rs];
                long old;
                do {
                    old = read(va, size);
                } while (compareAndExchange(va, size, old, value) != old);
                setX(rt, old);
                return;
            }
            if (opc == 4 && rs == 31 && ((in >>> 23) & 1) == 1) { // LDAPR
                setX(rt, read(va, size));
                return;
            }
            throw undefined();
        }
        int bits = 8 << size;
        long mask = size == 3 ? -1L : (1L << bits) - 1;
        long operand = x[rs] & mask;
        long old;
        do { // read, combine, and exchange atomically against other vCPUs
            old = read(va, size);
        } while (compareAndExchange(va, size, old, combine(opc, old, operand, size)) != old);
        setX(rt, old);
    }

    /** LDADD, LDCLR, LDEOR, LDSET, LDSMAX, LDSMIN, LDUMAX, LDUMIN: the value stored back. */
    private static long combine(int opc, long old, long operand, int size) {
        return switch (opc) {
            case 0 -> old + operand;
            case 1 -> old & ~operand;
            case 2 -> old ^ operand;
            case 3 -> old | operand;
            case 4 -> signExtend(old, size) > signExtend(operand, size) ? old : operand;
            case 5 -> signExtend(old, size) < signExtend(operand, size) ? old : operand;
            case 6 -> Long.compareUnsigned(old, operand) > 0 ? old : operand;
            default -> Long.compareUnsigned(old, operand) < 0 ? old : operand;
        };
    }

    // ------------------------------------------------------------------ data abort syndromes

    /**
     * The ISS fields ISV, SAS, SSE, SRT, SF and AR (Arm ARM D24.2.40, ISS for a data abort) for a single
     * general-purpose register load or store without writeback; 0 for every other access.
     */
    @Override
    protected int dataAbortSyndrome(int in) {
        if ((in & (1 << 26)) != 0 || ((in >>> 25) & 5) != 4) {
            return 0;
        }
        int size = in >>> 30;
        int rt = in & 0x1F;
        boolean acquireRelease = false;
        int opc;
        if ((in & 0x3B00_0000) == 0x1800_0000) { // literal
            int lopc = in >>> 30;
            if (lopc == 3) {
                return 0;
            }
            size = lopc == 1 ? 3 : 2;
            opc = lopc == 2 ? 2 : 1;
        } else if ((in & 0x3B00_0000) == 0x3900_0000
                || ((in & 0x3B20_0000) == 0x3800_0000 && ((in >>> 10) & 1) == 0)
                || (in & 0x3B20_0C00) == 0x3820_0800) {
            opc = (in >>> 22) & 3;
        } else if ((in & 0x3F20_0000) == 0x0880_0000) { // LDAR/STLR/LDLAR/STLLR
            opc = (in >>> 22) & 1;
            acquireRelease = (in & (1 << 15)) != 0;
        } else if ((in & 0x3FFF_FC00) == 0x38BF_C000) { // LDAPR
            opc = 1;
            acquireRelease = true;
        } else {
            return 0;
        }
        boolean signed = opc >= 2;
        boolean sixtyFour = opc == 2 || ((opc == 0 || opc == 1) && size == 3);
        return 1 << 24 | size << 22 | (signed ? 1 << 21 : 0) | rt << 16 | (sixtyFour ? 1 << 15 : 0)
                | (acquireRelease ? 1 << 14 : 0);
    }
}
