package org.vcpu4j.backend.emulated.difftest;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.IntStream;
import org.vcpu4j.property.Gen;

/**
 * generators over the instruction model. Register roles keep every memory access inside the
 * scratch buffer and aligned (the emulator runs with the MMU off, where data accesses are Device
 * memory and must be aligned; qemu-aarch64 runs with Normal memory):
 * <ul>
 *   <li>x20-x23 are pointers into the scratch buffer (16-aligned); only memory instructions' writeback
 *       changes them, by multiples of 16;</li>
 *   <li>x24 is a small non-negative index, x25 a small non-positive one (multiples of 16); nothing writes them;</li>
 *   <li>SP points into the scratch buffer and is used as a base without writeback;</li>
 *   <li>x19 counts the iterations of generated loops; only the loop writes it;</li>
 *   <li>every other register (x0-x18, x26-x30) is data, written freely.</li>
 * </ul>
 * Branches only go forward, so every snippet ends.
 */
final class Generators {
    static final int[] DATA = IntStream.concat(IntStream.rangeClosed(0, 18), IntStream.rangeClosed(26, 30)).toArray();
    /** The loop counter of {@link InstructionClass#LOOP}; nothing else writes it. */
    static final int LOOP_COUNTER = 19;
    static final int[] POINTERS = {20, 21, 22, 23};
    static final int POSITIVE_INDEX = 24;
    static final int NEGATIVE_INDEX = 25;
    /** The lowest offset of x20-x23 in the scratch buffer at a snippet's start. */
    static final int POINTER_LOW = 0x6000;
    /** The span of x20-x23's starting offsets (they start in [POINTER_LOW, POINTER_LOW + POINTER_SPAN]). */
    static final int POINTER_SPAN = 0x4000;
    /** The largest magnitude of x24/x25 (aligned cases: 32 steps of 16 bytes). */
    static final int MAX_INDEX = 32 * 16;
    /** The most one instruction's writeback moves a pointer: a structure transfer post-indexed by x24/x25. */
    static final int MAX_WRITEBACK = MAX_INDEX;
    /**
     * The largest scale of a register offset: LSL #4 for a Q register. A scaled index is the farthest any
     * addressing mode reaches from its base (unsigned immediates reach at most 0x7F0, SP is never written back).
     */
    static final int MAX_INDEX_SCALE = 16;
    /** The longest snippet {@link #cases} makes: the bounds above hold for this many writebacks in a row. */
    static final int LONGEST_SNIPPET = 24;
    /** The most bytes one instruction reaches from its address: LD4/ST4 of four Q registers. */
    static final int MAX_ACCESS = 64;

    private Generators() {}

    private static Gen<Integer> ints(int min, int max) {
        return Gen.integers().between(min, max);
    }

    private static Gen<Integer> ints(int... values) {
        return Gen.of(Arrays.stream(values).boxed().toList());
    }

    private static Gen<Integer> dataReg() {
        return ints(DATA);
    }

    private static Gen<Integer> dataOrZr() {
        return ints(IntStream.concat(Arrays.stream(DATA), IntStream.of(31)).toArray());
    }

    private static Gen<Integer> anyReg() {
        return ints(0, 31);
    }

    private static Gen<Integer> pointer() {
        return ints(POINTERS);
    }

    private static Gen<Integer> pointerOrSp() {
        return ints(20, 21, 22, 23, 31);
    }

    /** Combines integer fields into an instruction (each field shrinks on its own). */
    @SafeVarargs
    private static Gen<Instr> fields(Function<int[], Instr> build, Gen<Integer>... parts) {
        List<Gen<Integer>> list = new ArrayList<>();
        for (Gen<Integer> part : parts) {
            list.add(part);
        }
        return Gen.combine(list).map(values -> build.apply(
                values.stream().mapToInt(Integer::intValue).toArray()));
    }

    /** {@return an arbitrary instruction of one class} @param c the class */
    static Gen<Instr> of(InstructionClass c) {
        return switch (c) {
            case ARITHMETIC_IMMEDIATE -> Gen.oneOf(
                    fields(f -> A64.addSubImm(f[0], f[1], f[2], f[3], f[4], f[5], f[2] == 1 ? f[6] : f[7]),
                            ints(0, 1), ints(0, 1), ints(0, 1), ints(0, 1), ints(0, 4095), anyReg(), dataOrZr(), dataReg()),
                    fields(f -> A64.moveWide(f[0], f[1], f[2] & (f[0] == 1 ? 3 : 1), f[3], f[4]),
                            ints(0, 1), ints(0, 2, 3), ints(0, 3), ints(0, 0xFFFF), dataOrZr()));
            case LOGICAL -> Gen.oneOf(
                    fields(f -> {
                        int esize = f[0] == 1 ? f[2] : Math.min(f[2], 32);
                        int ones = 1 + f[3] % (esize - 1);
                        int rot = f[4] % esize;
                        return A64.logicalImm(f[0], f[1], esize, ones, rot, f[5], f[1] == 3 ? f[6] : f[7]);
                    }, ints(0, 1), ints(0, 3), ints(2, 4, 8, 16, 32, 64), ints(0, 62), ints(0, 63), anyReg(),
                            dataOrZr(), dataReg()),
                    fields(f -> A64.logicalShifted(f[0], f[1], f[2], f[3], f[4] & (f[0] == 1 ? 63 : 31), f[5], f[6], f[7]),
                            ints(0, 1), ints(0, 3), ints(0, 1), ints(0, 3), ints(0, 63), anyReg(), anyReg(), dataOrZr()));
            case ARITHMETIC_REGISTER -> Gen.oneOf(
                    fields(f -> A64.addSubShifted(f[0], f[1], f[2], f[3], f[4] & (f[0] == 1 ? 63 : 31), f[5], f[6], f[7]),
                            ints(0, 1), ints(0, 1), ints(0, 1), ints(0, 2), ints(0, 63), anyReg(), anyReg(), dataOrZr()),
                    fields(f -> A64.addSubExtended(f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[2] == 1 ? f[7] : f[8]),
                            ints(0, 1), ints(0, 1), ints(0, 1), ints(0, 7), ints(0, 4), anyReg(), anyReg(), dataOrZr(),
                            dataReg()));
            case BITFIELD_EXTRACT -> Gen.oneOf(
                    fields(f -> A64.bitfield(f[0], f[1], f[2] & (f[0] == 1 ? 63 : 31), f[3] & (f[0] == 1 ? 63 : 31), f[4], f[5]),
                            ints(0, 1), ints(0, 2), ints(0, 63), ints(0, 63), anyReg(), dataOrZr()),
                    fields(f -> A64.extract(f[0], f[1] & (f[0] == 1 ? 63 : 31), f[2], f[3], f[4]),
                            ints(0, 1), ints(0, 63), anyReg(), anyReg(), dataOrZr()));
            case SHIFT_REGISTER -> fields(f -> A64.twoSource(f[0], f[1], f[2], f[3], f[4]),
                    ints(0, 1), ints(8, 9, 10, 11), anyReg(), anyReg(), dataOrZr());
            case CONDITIONAL -> Gen.oneOf(
                    fields(f -> A64.condSelect(f[0], f[1], f[2], f[3], f[4], f[5]),
                            ints(0, 1), ints(0, 3), ints(0, 15), anyReg(), anyReg(), dataOrZr()),
                    fields(f -> A64.condCompare(f[0], f[1], f[2] == 1, f[3], f[4], f[5], f[6]),
                            ints(0, 1), ints(0, 1), ints(0, 1), ints(0, 31), ints(0, 15), anyReg(), ints(0, 15)));
            case CARRY -> fields(f -> A64.addSubCarry(f[0], f[1], f[2], f[3], f[4], f[5]),
                    ints(0, 1), ints(0, 1), ints(0, 1), anyReg(), anyReg(), dataOrZr());
            case MULTIPLY_DIVIDE -> Gen.oneOf(
                    fields(f -> A64.threeSource(f[0], f[0] == 1 ? f[1] : f[1] & 1, f[2], f[3], f[4], f[5]),
                            ints(0, 1), ints(0, 7), anyReg(), anyReg(), anyReg(), dataOrZr()),
                    fields(f -> A64.twoSource(f[0], f[1], f[2], f[3], f[4]),
                            ints(0, 1), ints(2, 3), anyReg(), anyReg(), dataOrZr()));
            case REVERSE_COUNT -> fields(f -> A64.oneSource(f[0], f[0] == 1 ? f[1] : (f[1] == 3 ? 2 : f[1]), f[2], f[3]),
                    ints(0, 1), ints(0, 5), anyReg(), dataOrZr());
            case LOAD_STORE -> loadStore();
            case LOAD_STORE_PAIR -> loadStorePair();
            case FAULT -> Gen.oneOf(
                    fields(f -> A64.brk(f[0]), ints(0, 0xFFFF)),
                    fields(f -> A64.udf(f[0]), ints(0, 0xFFFF)),
                    fields(f -> new Instr.PcRelative(Instr.PcKind.ADR_THEN_BRANCH_REGISTER, f[0], f[1], f[2]),
                            dataReg(), ints(3, 5), ints(0, 4)));
            case UNPRIVILEGED -> Gen.combine(Gen.of(List.of(
                            new int[] {0, 0}, new int[] {0, 1}, new int[] {0, 2}, new int[] {0, 3},
                            new int[] {1, 0}, new int[] {1, 1}, new int[] {1, 2}, new int[] {1, 3},
                            new int[] {2, 0}, new int[] {2, 1}, new int[] {2, 2},
                            new int[] {3, 0}, new int[] {3, 1})),
                            ints(-256, 255), pointerOrSp(), dataOrZr(), anyReg())
                    .as((so, imm, rn, load, store) -> (Instr) A64.loadStoreUnprivileged(so[0], so[1],
                            (imm >> so[0]) << so[0], rn, so[1] == 0 ? store : load));
            case LOAD_LITERAL -> fields(f -> new Instr.PcRelative(Instr.PcKind.LITERAL, f[0] == 3 ? f[1] & 31 : f[2], f[0],
                    f[3] * 8), ints(0, 3), anyReg(), dataOrZr(), ints(0, DifftestLayout.SCRATCH_SIZE / 8 - 1));
            case EXCLUSIVE -> Gen.oneOf(exclusiveGroup(),
                    // A lone store-exclusive uses SP, which stays 16-aligned: with an unaligned address the Arm
                    // ARM raises the alignment fault before the monitor check (AArch64.ExclusiveMonitorsPass),
                    // but qemu-aarch64 fails the store without checking alignment.
                    fields(f -> A64.storeExclusive(f[0], f[1], f[2], f[3] == f[2] ? 31 : f[3], 31),
                            ints(0, 3), ints(0, 1), dataReg(), anyReg()),
                    fields(f -> A64.loadAcquireStoreRelease(f[0], 1, f[1], f[2]), ints(0, 3), pointerOrSp(), dataOrZr()),
                    fields(f -> A64.loadAcquireStoreRelease(f[0], 0, f[1], f[2]), ints(0, 3), pointerOrSp(), anyReg()));
            case ATOMIC -> Gen.oneOf(
                    fields(f -> A64.compareAndSwap(f[0], f[1], f[2], f[3], f[4], f[5]),
                            ints(0, 3), ints(0, 1), ints(0, 1), dataOrZr(), pointer(), anyReg()),
                    fields(f -> A64.compareAndSwapPair(f[0], f[1], f[2], f[3], f[4], f[5]),
                            ints(0, 1), ints(0, 1), ints(0, 1), ints(0, 2, 4, 6, 8, 10, 12, 14, 16, 26, 28), pointer(),
                            ints(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28)),
                    fields(f -> A64.atomic(f[0], f[1], f[2], f[3], f[4], f[5], f[6]),
                            ints(0, 3), ints(0, 8), ints(0, 1), ints(0, 1), anyReg(), pointer(), dataOrZr()));
            case BRANCH -> Gen.oneOf(
                    fields(f -> new Instr.PcRelative(f[0] == 0 ? Instr.PcKind.B : Instr.PcKind.BL, 0, 0, f[1]),
                            ints(0, 1), ints(0, 4)),
                    fields(f -> new Instr.PcRelative(Instr.PcKind.B_COND, 0, f[0], f[1]), ints(0, 15), ints(0, 4)),
                    fields(f -> new Instr.PcRelative(Instr.PcKind.CBZ, f[0], f[1], f[2]), anyReg(), ints(0, 3), ints(0, 4)),
                    fields(f -> new Instr.PcRelative(Instr.PcKind.TBZ, f[0], f[1], f[2]), anyReg(), ints(0, 127), ints(0, 4)),
                    fields(f -> new Instr.PcRelative(Instr.PcKind.ADR_THEN_BRANCH_REGISTER, f[0], f[1], f[2]),
                            dataReg(), ints(0, 2), ints(0, 4)));
            case SELF_MODIFYING -> fields(f -> {
                int t = f[0];
                int v = f[1] == t ? DATA[(indexOf(t) + 1) % DATA.length] : f[1];
                return A64.selfModifying(t, v, f[2], f[3]);
            }, dataReg(), dataReg(), dataReg(), ints(0, 4095));
            case LOOP -> {
                List<Gen<Instr>> straight = List.of(
                        of(InstructionClass.ARITHMETIC_IMMEDIATE), of(InstructionClass.LOGICAL),
                        of(InstructionClass.ARITHMETIC_REGISTER), of(InstructionClass.BITFIELD_EXTRACT),
                        of(InstructionClass.CONDITIONAL), of(InstructionClass.CARRY),
                        of(InstructionClass.MULTIPLY_DIVIDE));
                List<Gen<Instr>> withMemory = new ArrayList<>(straight);
                withMemory.add(of(InstructionClass.LOAD_STORE));
                // short loops may load and store (writeback moves a pointer at most 4 x 64 bytes); hot loops
                // (100-3000 iterations) only compute, so that every pointer stays inside the scratch buffer
                Gen<Instr> shortLoop = Gen.combine(ints(1, 4), Gen.oneOf(withMemory))
                        .as((n, body) -> (Instr) A64.loop(LOOP_COUNTER, n, (Instr.Fixed) body));
                Gen<Instr> hotLoop = Gen.combine(ints(100, 3000), Gen.oneOf(straight))
                        .as((n, body) -> (Instr) A64.loop(LOOP_COUNTER, n, (Instr.Fixed) body));
                yield Gen.frequencyOf(Gen.Weighted.of(4, shortLoop), Gen.Weighted.of(1, hotLoop));
            }
            case SIMD_LOAD_STORE -> simdLoadStore();
            case SIMD_STRUCTURE -> simdStructure();
            case SIMD_MOVE -> Gen.oneOf(
                    fields(f -> A64.simdMove(f[0], f[1], f[2], f[3], f[4], f[0] == 1 || f[0] == 3 || f[0] == 5
                            || f[0] == 8 || f[0] == 10 ? f[5] : f[6], isGeneralDestination(f[0]) ? f[7] : f[6]),
                            ints(0, 11), ints(0, 3), ints(0, 15), ints(0, 15), ints(0, 1), anyReg(), ints(0, 31),
                            dataOrZr()),
                    fields(f -> {
                        // cmode/op pairs that are allocated (C4.1.93.x): 1111 with op 1 is FMOV (double), Q only
                        int cmode = f[1];
                        int q = cmode == 15 && f[2] == 1 ? 1 : f[0];
                        return A64.simdModifiedImmediate(q, f[2], cmode, f[3], f[4]);
                    }, ints(0, 1), ints(0, 15), ints(0, 1), ints(0, 255), ints(0, 31)));
            case SYSTEM -> fields(f -> A64.system(f[0], f[1], f[0] == 4 ? f[2] : f[3]),
                    ints(0, 5), ints(1, 2, 3, 5, 6, 7, 9, 10, 11, 13, 14, 15), dataOrZr(), anyReg());
            case CACHE_ZERO -> fields(f -> A64.system(6, 0, f[0]), pointer());
            case PC_RELATIVE_ADDRESS -> fields(f -> new Instr.PcRelative(Instr.PcKind.ADR, f[0], f[1], f[2]),
                    dataOrZr(), ints(0, 1), ints(-(1 << 20), (1 << 20) - 1));
        };
    }

    /** Single-register loads and stores in every addressing mode. */
    private static Gen<Instr> loadStore() {
        // size/opc pairs that exist (C4.1.94.x): size 3 opc 2 is PRFM; size 2 opc 3 and size 3 opc 3 are not generated
        Gen<int[]> sizeOpc = Gen.of(List.of(
                new int[] {0, 0}, new int[] {0, 1}, new int[] {0, 2}, new int[] {0, 3},
                new int[] {1, 0}, new int[] {1, 1}, new int[] {1, 2}, new int[] {1, 3},
                new int[] {2, 0}, new int[] {2, 1}, new int[] {2, 2},
                new int[] {3, 0}, new int[] {3, 1}, new int[] {3, 2}));
        Gen<Instr> unsigned = Gen.combine(sizeOpc, ints(0, 255), pointerOrSp(), dataOrZr(), anyReg())
                .as((so, imm, rn, load, store) -> A64.loadStoreUnsigned(so[0], so[1], imm, rn, so[1] == 0 ? store : load));
        Gen<Instr> unscaled = Gen.combine(sizeOpc, ints(-256, 255), pointerOrSp(), dataOrZr(), anyReg())
                .as((so, imm, rn, load, store) -> A64.loadStoreImm9(so[0], so[1], 0, (imm >> so[0]) << so[0], rn,
                        so[1] == 0 ? store : load));
        Gen<Instr> writeback = Gen.combine(sizeOpc.filter(so -> !(so[0] == 3 && so[1] == 2)),
                        ints(0, 1), ints(-4, 3), pointerOrSp(), dataOrZr(), anyReg())
                .as((so, pre, k, rn, load, store) -> {
                    int rt = so[1] == 0 ? store : load;
                    if (rt == rn && rn != 31) {
                        rt = so[1] == 0 ? 31 : 0;
                    }
                    return A64.loadStoreImm9(so[0], so[1], pre == 1 ? 3 : 1, k * 16, rn, rt);
                });
        Gen<Instr> register = Gen.combine(sizeOpc, ints(0, 6), ints(0, 1), pointerOrSp(), dataOrZr(),
                        anyReg())
                .as((so, mode, s, rn, load, store) -> {
                    // 0: UXTW x24; 1-2: LSL x24/x25; 3-4: SXTW x24/x25; 5-6: SXTX x24/x25
                    int option = mode == 0 ? 2 : mode <= 2 ? 3 : mode <= 4 ? 6 : 7;
                    int rm = mode == 0 || mode % 2 == 1 ? POSITIVE_INDEX : NEGATIVE_INDEX;
                    return A64.loadStoreRegister(so[0], so[1], rm, option, s, rn, so[1] == 0 ? store : load);
                });
        return Gen.oneOf(unsigned, unscaled, writeback, register);
    }

    private static boolean isGeneralDestination(int moveKind) {
        return moveKind == 0 || moveKind == 2 || moveKind == 4 || moveKind == 6 || moveKind == 7;
    }

    /** SIMD&amp;FP loads and stores, aligned to their size inside the scratch buffer. */
    private static Gen<Instr> simdLoadStore() {
        Gen<Instr> unsigned = Gen.combine(ints(0, 4), ints(0, 1), ints(0, 127), pointerOrSp(), ints(0, 31))
                .as((log2, load, imm, rn, rt) -> A64.fpLoadStoreUnsigned(log2, load, imm, rn, rt));
        Gen<Instr> unscaled = Gen.combine(ints(0, 4), ints(0, 1), ints(-256, 255), pointerOrSp(),
                        ints(0, 31))
                .as((log2, load, imm, rn, rt) -> A64.fpLoadStoreImm9(log2, load, 0, (imm >> log2) << log2, rn, rt));
        Gen<Instr> writeback = Gen.combine(ints(0, 4), ints(0, 1), ints(0, 1), ints(-4, 3), pointerOrSp(),
                        ints(0, 31))
                .as((log2, load, pre, k, rn, rt) -> A64.fpLoadStoreImm9(log2, load, pre == 1 ? 3 : 1, k * 16, rn, rt));
        Gen<Instr> register = Gen.combine(ints(0, 4), ints(0, 1), ints(0, 6), ints(0, 1), pointerOrSp(),
                        ints(0, 31))
                .as((log2, load, mode, s, rn, rt) -> {
                    int option = mode == 0 ? 2 : mode <= 2 ? 3 : mode <= 4 ? 6 : 7;
                    int rm = mode == 0 || mode % 2 == 1 ? POSITIVE_INDEX : NEGATIVE_INDEX;
                    return A64.fpLoadStoreRegister(log2, load, rm, option, s, rn, rt);
                });
        Gen<Instr> pair = Gen.combine(ints(0, 2), ints(0, 3), ints(0, 1), ints(-8, 7), pointerOrSp(),
                        ints(0, 31), ints(0, 31))
                .as((opc, mode, load, k, rn, rt, rt2) -> {
                    int imm7 = k;
                    if (mode == 1 || mode == 3) {
                        int perSixteen = 16 >> (2 + opc); // elements per 16 bytes: keep the base 16-aligned
                        imm7 = Math.max(-4, Math.min(k, 3)) * perSixteen;
                    }
                    int t2 = load == 1 && rt2 == rt ? (rt + 1) & 31 : rt2;
                    return A64.fpLoadStorePair(opc, mode, load, imm7, t2, rn, rt);
                });
        Gen<Instr> literal = Gen.combine(ints(0, 2), ints(0, 31), ints(0, DifftestLayout.SCRATCH_SIZE / 16 - 1))
                .as((opc, rt, k) -> new Instr.PcRelative(Instr.PcKind.LITERAL, rt, 4 + opc, k * 16));
        return Gen.oneOf(unsigned, unscaled, writeback, register, pair, literal);
    }

    /**
     * The post-index mode of a structure transfer of {@code total} bytes: 0 no offset, 1 by the transfer size,
     * 2 by x24/x25. SP as the base is never written back, and the immediate form only steps a pointer by a
     * multiple of 16 (other classes need x20-x23 16-aligned), so other sizes fall back to no offset.
     */
    private static int structureMode(int mode, int rn, int total) {
        if (rn == 31 || (mode == 1 && total % 16 != 0)) {
            return 0;
        }
        return mode;
    }

    /** LD1-LD4/ST1-ST4 (multiple and single structure) and LD1R-LD4R, allocated encodings only. */
    private static Gen<Instr> simdStructure() {
        int[] opcodes = {0b0000, 0b0010, 0b0100, 0b0110, 0b0111, 0b1000, 0b1010};
        Gen<Integer> indexRegister = ints(POSITIVE_INDEX, NEGATIVE_INDEX);
        Gen<Instr> multiple = Gen.combine(ints(0, 1), ints(0, 1), ints(0, opcodes.length - 1), ints(0, 3),
                        ints(0, 2), indexRegister, pointerOrSp(), ints(0, 31))
                .as((q, load, op, size, mode, rm, rn, rt) -> {
                    int opcode = opcodes[op];
                    int shape = A64.multipleShape(opcode);
                    int qq = size == 3 && (shape & 0xF) != 1 ? 1 : q; // .1D only with LD1/ST1
                    int total = (shape >>> 4) * (8 << qq);
                    return A64.simdMultiple(qq, load, opcode, size, structureMode(mode, rn, total), rm, rn, rt);
                });
        Gen<Instr> lane = Gen.combine(ints(0, 1), ints(1, 4), ints(0, 3), ints(0, 15), ints(0, 2),
                        indexRegister, pointerOrSp(), ints(0, 31))
                .as((load, selem, log2, index, mode, rm, rn, rt) -> A64.simdSingle(load, selem, log2,
                        index & ((16 >> log2) - 1), structureMode(mode, rn, selem << log2), rm, rn, rt));
        Gen<Instr> replicate = Gen.combine(ints(0, 1), ints(1, 4), ints(0, 3), ints(0, 2), indexRegister,
                        pointerOrSp(), ints(0, 31))
                .as((q, selem, size, mode, rm, rn, rt) -> A64.simdReplicate(q, selem, size,
                        structureMode(mode, rn, selem << size), rm, rn, rt));
        return Gen.oneOf(multiple, lane, replicate);
    }

    /**
     * {@return raw words of the Advanced SIMD structure groups (C4.1.88: 0 Q 0011 0 x x L ...), allocated
     * or not: every opcode, size, S, R, L and Q, bits 21:16 mostly as an allocated word has them (zero, or
     * Rm = 31/x24/x25 for post-index) but sometimes anything; the base is x20-x23, or SP without writeback}
     */
    static Gen<Instr> rawStructure() {
        Gen<Integer> rmBits = Gen.frequencyOf(
                Gen.Weighted.of(6, Gen.just(-1)),
                Gen.Weighted.of(1, ints(0, 63)));
        return Gen.combine(Gen.integers(), ints(0, 3), rmBits, ints(20, 21, 22, 23, 31),
                        ints(31, POSITIVE_INDEX, NEGATIVE_INDEX))
                .as((bits, group, rawRm, rn, rm) -> {
                    boolean post = (group & 1) == 1;
                    int base = post && rn == 31 ? 20 : rn; // SP is never written back
                    boolean odd = rawRm >= 0; // bits 21:16 off the allocated pattern (a writeback Rm stays x24/x25/31)
                    int field = switch (group) {
                        case 0 -> odd ? rawRm : 0; // multiple: 000000
                        case 1 -> (odd ? rawRm & 0x20 : 0) | rm; // multiple, post-index: 0 Rm
                        case 2 -> (bits >>> 16 & 0x20) | (odd ? rawRm & 0x1F : 0); // single: R 00000
                        default -> (bits >>> 16 & 0x20) | rm; // single, post-index: R Rm
                    };
                    // 0 Q 0011 0 [24:23 = group] L [21:16] opcode S size Rn Rt
                    int word = (bits & 0x4040_FC1F) | 0x0C00_0000 | group << 23 | (field & 0x3F) << 16 | base << 5;
                    String[] groups = {"multiple structures", "multiple structures, post-index", "single structure",
                        "single structure, post-index"};
                    return (Instr) Instr.Fixed.of(word, String.format(".inst 0x%08x   // %s", word, groups[group]));
                });
    }

    /**
     * {@return cases of raw structure words}
     *
     * @param maxLength the longest snippet
     */
    static Gen<DiffCase> rawStructureCases(int maxLength) {
        return cases(rawStructure().list().ofMinSize(1).ofMaxSize(maxLength), false);
    }

    /** LDP/STP/LDPSW/LDNP/STNP. */
    private static Gen<Instr> loadStorePair() {
        return Gen.combine(ints(0, 2), ints(0, 3), ints(0, 1), ints(-16, 15), pointerOrSp(), dataReg(), dataReg(),
                        anyReg())
                .as((opc, mode, load, k, base, rt, rt2, src2) -> {
                    boolean writeback = mode == 1 || mode == 3;
                    int l = opc == 1 ? 1 : load;
                    int m = opc == 1 && mode == 0 ? 2 : mode; // there is no LDNPSW
                    int rn = base;
                    int imm7 = k;
                    if (m == 1 || m == 3) {
                        imm7 = opc == 2 ? (k / 2) * 2 : (k / 4) * 4; // keep the pointer 16-aligned
                        imm7 = Math.max(-8, Math.min(imm7, 6)) * (opc == 2 ? 1 : 2);
                    }
                    int t = rt;
                    int t2 = l == 1 ? (rt2 == rt ? (rt == 0 ? 1 : 0) : rt2) : src2;
                    if (l == 0 && (m == 1 || m == 3) && rn != 31) {
                        t = rt == rn ? 31 : rt;
                        t2 = src2 == rn ? 31 : src2;
                    }
                    return A64.loadStorePair(opc, m, l, imm7, t2, rn, t);
                });
    }

    private static Gen<Instr> exclusiveGroup() {
        return Gen.combine(ints(0, 4), ints(0, 1), ints(0, 1), dataReg(), dataReg(), dataReg(), pointer(),
                        ints(0, 15))
                .as((kind, acq, rel, rs, rt, rt2, rn, add) -> {
                    int pair = kind >= 4 ? 1 : 0;
                    int size = pair == 1 ? 2 + ((rs + rt) & 1) : kind;
                    int t = rt;
                    int t2 = rt2 == t ? (t == 0 ? 1 : 0) : rt2;
                    int s = rs;
                    while (s == t || (pair == 1 && s == t2)) {
                        s = DATA[(indexOf(s) + 1) % DATA.length];
                    }
                    return A64.exclusiveGroup(size, pair, acq, rel, s, t, t2, rn, add);
                });
    }

    private static int indexOf(int reg) {
        for (int i = 0; i < DATA.length; i++) {
            if (DATA[i] == reg) {
                return i;
            }
        }
        throw new IllegalArgumentException("x" + reg + " is not a data register");
    }

    /**
     * {@return an instruction of any enabled class}
     *
     * @param enabled the classes to draw from
     */
    static Gen<Instr> anyOf(Set<InstructionClass> enabled) {
        List<Gen<Instr>> list = new ArrayList<>();
        for (InstructionClass c : EnumSet.copyOf(enabled)) {
            list.add(of(c));
        }
        return Gen.oneOf(list);
    }

    /**
     * {@return raw random words from the two data-processing encoding groups (Arm ARM C4.1: op0 = 100x
     * immediate, x101 register) and from the Advanced SIMD copy and modified-immediate groups,
     * allocated or not: they never branch, trap to the host or touch memory}
     */
    static Gen<Instr> rawDataProcessing() {
        return Gen.combine(Gen.integers(), ints(0, 3)).as((bits, group) -> {
            int word = switch (group) {
                case 0 -> (bits & ~0x1C00_0000) | 0x1000_0000;  // bits 28:26 = 100
                case 1 -> (bits & ~0x0E00_0000) | 0x0A00_0000;  // bits 27:25 = 101
                // Advanced SIMD copy (C4.1.95.x): 0 Q op 01110000 imm5 0 imm4 1 Rn Rd
                case 2 -> (bits & 0x601F_7BFF) | 0x0E00_0400;
                // Advanced SIMD modified immediate with o2 = 0 (o2 = 1 is FEAT_FP16's FMOV)
                default -> (bits & 0x6007_F3FF) | 0x0F00_0400;
            };
            if (group == 1 && ((bits >>> 28) & 7) == 0) {
                // One register word in eight is a CRC32{,C}{B,H,W,X} (C6.2.89: sf 0 0 11010110 Rm 010 C sz Rn Rd),
                // with sf drawn independently so the unallocated sf/sz pairs are covered too.
                word = (bits & 0x801F_1FFF) | 0x1AC0_4000;
            }
            String[] groups = {"data processing, immediate", "data processing, register", "advanced SIMD copy",
                "advanced SIMD modified immediate"};
            return (Instr) Instr.Fixed.of(word, String.format(".inst 0x%08x   // %s", word, groups[group]));
        });
    }

    /**
     * {@return cases of raw data-processing words}
     *
     * @param maxLength the longest snippet
     */
    static Gen<DiffCase> rawCases(int maxLength) {
        return cases(rawDataProcessing().list().ofMinSize(1).ofMaxSize(maxLength), false);
    }

    /** {@return interesting 64-bit register values} */
    static Gen<Long> registerValue() {
        return Gen.frequencyOf(
                Gen.Weighted.of(4, Gen.longs()),
                Gen.Weighted.of(2, Gen.longs().between(-64, 64)),
                Gen.Weighted.of(1, Gen.of(0L, 1L, -1L, 0x7FFF_FFFFL, 0x8000_0000L, 0xFFFF_FFFFL,
                        0x1_0000_0000L, Long.MAX_VALUE, Long.MIN_VALUE, 0x8000_0000_0000_0001L)));
    }

    /**
     * {@return a whole case over the enabled classes}
     *
     * @param enabled the classes to draw instructions from
     * @param maxLength the longest snippet
     */
    static Gen<DiffCase> cases(Set<InstructionClass> enabled, int maxLength) {
        return cases(enabled, maxLength, false);
    }

    /**
     * {@return a whole case over the enabled classes}
     *
     * @param enabled the classes to draw instructions from
     * @param maxLength the longest snippet
     * @param unaligned whether the pointer and index registers get any byte offset (else multiples of 16)
     */
    static Gen<DiffCase> cases(Set<InstructionClass> enabled, int maxLength, boolean unaligned) {
        if (maxLength > LONGEST_SNIPPET) {
            throw new IllegalArgumentException("snippets longer than " + LONGEST_SNIPPET
                    + " instructions could walk a pointer out of the scratch buffer: " + maxLength);
        }
        return cases(anyOf(enabled).list().ofMinSize(1).ofMaxSize(maxLength), unaligned);
    }

    /**
     * {@return cases of the given snippets, with random initial state}
     *
     * @param instrs the snippets
     * @param unaligned whether the pointer and index registers get any byte offset (else multiples of 16)
     */
    static Gen<DiffCase> cases(Gen<List<Instr>> instrs, boolean unaligned) {
        Gen<List<Long>> data = registerValue().list().ofSize(DATA.length);
        int step = unaligned ? 1 : 16;
        Gen<List<Integer>> pointers = ints(0, POINTER_SPAN / step).list().ofSize(POINTERS.length);
        Gen<List<Long>> vectors = registerValue().list().ofSize(64);
        return Gen.combine(instrs, data, pointers, ints(0, MAX_INDEX / step), ints(0, MAX_INDEX / step), ints(0, 15),
                        Gen.longs(), vectors)
                .as((code, values, ptrs, pos, neg, nzcv, seed, vs) -> {
                    long[] x = new long[31];
                    for (int i = 0; i < DATA.length; i++) {
                        x[DATA[i]] = values.get(i);
                    }
                    for (int i = 0; i < POINTERS.length; i++) {
                        x[POINTERS[i]] = DifftestLayout.SCRATCH_BASE + POINTER_LOW + (long) step * ptrs.get(i);
                    }
                    x[POSITIVE_INDEX] = (long) step * pos;
                    x[NEGATIVE_INDEX] = (long) -step * neg;
                    return new DiffCase(code, x, nzcv, seed, vs.stream().mapToLong(Long::longValue).toArray());
                });
    }
}
