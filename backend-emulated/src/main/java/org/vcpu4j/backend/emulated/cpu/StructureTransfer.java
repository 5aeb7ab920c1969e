package org.vcpu4j.backend.emulated.cpu;

/**
 * The Advanced SIMD structure loads and stores, LD1-LD4 and ST1-ST4 (Arm ARM C4.1.88, "Advanced SIMD
 * load/store multiple structures" and "single structure"; semantics C7.2 LD1..LD4, LD1R..LD4R, ST1..ST4).
 *
 * <p>Each instruction decodes fully (unallocated encodings take the undefined-instruction exception),
 * then checks the CPACR_EL1 FP/SIMD trap, the SP alignment of the base, and whether the whole transfer
 * (at most 64 bytes, so at most two pages) can be accessed, before it changes any register or byte of
 * memory: a fault leaves the state as it was before the instruction.
 */
final class StructureTransfer {
    /** Bit 24: 0 for "multiple structures", 1 for "single structure". */
    private static final int SINGLE = 1 << 24;
    /** Bit 23: post-index (writeback) forms. */
    private static final int POST_INDEX = 1 << 23;
    /** Bit 22 (L): load. */
    private static final int LOAD = 1 << 22;

    /**
     * Register count times 16 plus structure elements (selem), by the "multiple structures" opcode in
     * bits 15:12 (Arm ARM C7.2 LD1 (multiple structures), shared decode); 0 = unallocated.
     */
    private static final int[] MULTIPLE_SHAPE = new int[16];

    static {
        MULTIPLE_SHAPE[0b0000] = 4 << 4 | 4; // LD4/ST4
        MULTIPLE_SHAPE[0b0010] = 4 << 4 | 1; // LD1/ST1, four registers
        MULTIPLE_SHAPE[0b0100] = 3 << 4 | 3; // LD3/ST3
        MULTIPLE_SHAPE[0b0110] = 3 << 4 | 1; // LD1/ST1, three registers
        MULTIPLE_SHAPE[0b0111] = 1 << 4 | 1; // LD1/ST1, one register
        MULTIPLE_SHAPE[0b1000] = 2 << 4 | 2; // LD2/ST2
        MULTIPLE_SHAPE[0b1010] = 2 << 4 | 1; // LD1/ST1, two registers
    }

    private StructureTransfer() {}

    /**
     * Executes one structure load or store.
     *
     * @param cpu the CPU
     * @param in the instruction, bits 31 and 29:25 = 0 00110
     */
    static void execute(LoadStoreUnit cpu, int in) {
        if ((in & SINGLE) == 0) {
            multiple(cpu, in);
        } else {
            single(cpu, in);
        }
    }

    /**
     * LD1-LD4/ST1-ST4 (multiple structures): 0 Q 0011000 L 000000 opcode size Rn Rt, and the post-index
     * form 0 Q 0011001 L 0 Rm opcode size Rn Rt (Arm ARM C4.1.88).
     */
    private static void multiple(LoadStoreUnit cpu, int in) {
        boolean postIndex = (in & POST_INDEX) != 0;
        // bits 21:16 must be 000000 without writeback; bit 21 must be 0 with it
        if ((in & (postIndex ? 1 << 21 : 0x3F << 16)) != 0) {
            throw cpu.undefined();
        }
        int shape = MULTIPLE_SHAPE[(in >>> 12) & 0xF];
        int size = (in >>> 10) & 3;
        boolean q = (in & (1 << 30)) != 0;
        int selem = shape & 0xF;
        if (shape == 0 || (size == 3 && !q && selem != 1)) { // .1D only with LD1/ST1
            throw cpu.undefined();
        }
        cpu.checkFpAccess();
        int rn = (in >>> 5) & 0x1F;
        int rt = in & 0x1F;
        boolean load = (in & LOAD) != 0;
        int registers = shape >>> 4;
        int registerBytes = q ? 16 : 8;
        int total = registers * registerBytes;
        long address = cpu.baseRegister(rn);
        cpu.probe(address, total, !load);
        if (selem == 1) {
            contiguous(cpu, load, q, rt, registers, address, size);
        } else {
            interleaved(cpu, load, registerBytes >>> size, size, rt, selem, address);
        }
        if (postIndex) {
            writeBack(cpu, in, rn, address, total);
        }
    }

    /** LD1/ST1 of one to four registers: each register's bytes in order, register after register. */
    private static void contiguous(LoadStoreUnit cpu, boolean load, boolean q, int rt, int registers, long address, int log2) {
        // 64 bits at a time when that is aligned; else element by element, so that SCTLR_EL1.A checks
        // each element against its own size, as the architecture does
        boolean wide = (address & 7) == 0;
        long va = address;
        for (int r = 0; r < registers; r++) {
            int t = (rt + r) & 31;
            if (load) {
                long low = loadChunk(cpu, va, log2, wide);
                cpu.setV(t, low, q ? loadChunk(cpu, va + 8, log2, wide) : 0); // a 64-bit form zeroes bits 127:64
            } else {
                storeChunk(cpu, va, log2, wide, cpu.v[2 * t]);
                if (q) {
                    storeChunk(cpu, va + 8, log2, wide, cpu.v[2 * t + 1]);
                }
            }
            va += q ? 16 : 8;
        }
    }

    /** {@return 8 bytes of elements of {@code 1 << log2} bytes, little-endian} */
    private static long loadChunk(LoadStoreUnit cpu, long va, int log2, boolean wide) {
        if (wide) {
            return cpu.read64(va);
        }
        long value = 0;
        for (int i = 0; i < 8; i += 1 << log2) {
            value |= cpu.read(va + i, log2) << (8 * i);
        }
        return value;
    }

    /** Stores 8 bytes as elements of {@code 1 << log2} bytes, little-endian. */
    private static void storeChunk(LoadStoreUnit cpu, long va, int log2, boolean wide, long value) {
        if (wide) {
            cpu.write64(va, value);
            return;
        }
        for (int i = 0; i < 8; i += 1 << log2) {
            cpu.write(va + i, log2, value >>> (8 * i));
        }
    }

    /**
     * LD2-LD4/ST2-ST4: structure e (elements e of registers t, t+1, ...) sits at
     * {@code address + e * selem * ebytes}, its element s belonging to register (t + s) mod 32.
     */
    private static void interleaved(LoadStoreUnit cpu, boolean load, int elements, int log2, int rt, int selem, long address) {
        int ebytes = 1 << log2;
        int esize = 8 << log2;
        for (int s = 0; s < selem; s++) {
            int t = (rt + s) & 31;
            long low = 0;
            long high = 0;
            for (int e = 0; e < elements; e++) {
                long va = address + (long) (e * selem + s) * ebytes;
                int bit = e * esize;
                if (load) {
                    long value = cpu.read(va, log2);
                    if (bit < 64) {
                        low |= value << bit;
                    } else {
                        high |= value << (bit - 64);
                    }
                } else {
                    long lane = bit < 64 ? cpu.v[2 * t] >>> bit : cpu.v[2 * t + 1] >>> (bit - 64);
                    cpu.write(va, log2, lane);
                }
            }
            if (load) {
                cpu.setV(t, low, high); // every lane is written; the 64-bit forms leave high = 0
            }
        }
    }

    /**
     * LD1-LD4/ST1-ST4 (single structure) and LD1R-LD4R: 0 Q 0011010 L R 00000 opcode S size Rn Rt, and the
     * post-index form 0 Q 0011011 L R Rm opcode S size Rn Rt (Arm ARM C4.1.88; decode as in C7.2 LD1
     * (single structure)).
     */
    private static void single(LoadStoreUnit cpu, int in) {
        boolean postIndex = (in & POST_INDEX) != 0;
        if (!postIndex && (in & (0x1F << 16)) != 0) { // bits 20:16 must be 00000 without writeback
            throw cpu.undefined();
        }
        boolean load = (in & LOAD) != 0;
        int opcode = (in >>> 13) & 7;
        int s = (in >>> 12) & 1;
        int size = (in >>> 10) & 3;
        int q = (in >>> 30) & 1;
        int selem = ((opcode & 1) << 1 | (in >>> 21) & 1) + 1;
        int log2 = opcode >>> 1;
        int index = 0;
        boolean replicate = false;
        switch (log2) {
            case 3 -> { // load and replicate: LD1R-LD4R
                if (!load || s == 1) {
                    throw cpu.undefined();
                }
                log2 = size;
                replicate = true;
            }
            case 0 -> index = q << 3 | s << 2 | size; // B[0-15]
            case 1 -> {
                if ((size & 1) != 0) {
                    throw cpu.undefined();
                }
                index = q << 2 | s << 1 | size >>> 1; // H[0-7]
            }
            default -> {
                if ((size & 2) != 0) {
                    throw cpu.undefined();
                }
                if (size == 0) {
                    index = q << 1 | s; // S[0-3]
                } else {
                    if (s == 1) {
                        throw cpu.undefined();
                    }
                    index = q; // D[0-1]
                    log2 = 3;
                }
            }
        }
        cpu.checkFpAccess();
        int rn = (in >>> 5) & 0x1F;
        int rt = in & 0x1F;
        int ebytes = 1 << log2;
        int total = selem * ebytes;
        long address = cpu.baseRegister(rn);
        cpu.probe(address, total, !load);
        if (replicate) {
            replicate(cpu, q == 1, log2, rt, selem, address);
        } else {
            lane(cpu, load, log2, index, rt, selem, address);
        }
        if (postIndex) {
            writeBack(cpu, in, rn, address, total);
        }
    }

    /** By element size (log2 bytes): multiplying a zero-extended element by it fills 64 bits with copies. */
    private static final long[] REPLICATOR = {0x0101_0101_0101_0101L, 0x0001_0001_0001_0001L, 0x0000_0001_0000_0001L, 1L};

    /** LD1R-LD4R: element s goes to every lane of register (t + s) mod 32; the 64-bit forms zero bits 127:64. */
    private static void replicate(LoadStoreUnit cpu, boolean q, int log2, int rt, int selem, long address) {
        for (int s = 0; s < selem; s++) {
            long copies = cpu.read(address + ((long) s << log2), log2) * REPLICATOR[log2];
            cpu.setV((rt + s) & 31, copies, q ? copies : 0);
        }
    }

    /**
     * One lane of each of registers t..t+selem-1 (mod 32), element s at {@code address + s * ebytes}; a load
     * keeps every other lane, bits 127:64 included, whatever Q is.
     */
    private static void lane(LoadStoreUnit cpu, boolean load, int log2, int index, int rt, int selem, long address) {
        int esize = 8 << log2;
        int bit = index * esize;
        int half = bit >>> 6;
        int shift = bit & 63;
        long mask = esize == 64 ? -1L : ((1L << esize) - 1) << shift;
        for (int s = 0; s < selem; s++) {
            int slot = 2 * ((rt + s) & 31) + half;
            long va = address + ((long) s << log2);
            if (load) {
                cpu.v[slot] = (cpu.v[slot] & ~mask) | (cpu.read(va, log2) << shift);
            } else {
                cpu.write(va, log2, cpu.v[slot] >>> shift);
            }
        }
    }

    /**
     * Post-index writeback: Rm = 31 adds the transfer size (the immediate forms), any other Rm adds Xm;
     * Rn = 31 writes SP.
     */
    private static void writeBack(LoadStoreUnit cpu, int in, int rn, long address, int total) {
        int rm = (in >>> 16) & 0x1F;
        long offset = rm == 31 ? total : cpu.x[rm];
        cpu.setXs(rn, address + offset);
    }
}
