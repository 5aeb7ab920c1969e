package org.vcpu4j.backend.emulated.difftest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.vcpu4j.property.Gen;
import org.vcpu4j.property.Property;

/**
 * The differential test: random instruction sequences run on the emulated backend and under
 * qemu-aarch64 must leave X0-X30, SP, NZCV and the scratch buffer equal. On a mismatch the property engine shrinks
 * the case, and the message prints it as assembly with its initial state and every difference.
 *
 * <p>The properties together run 26,500 cases. Each draws from the instruction classes in
 * {@link #ENABLED}: the classes the emulator supports.
 */
@ExtendWith(RequiresTools.class)
class DifferentialProperties {
    /** The instruction classes generated; a class the emulator does not support yet is left out. */
    static final Set<InstructionClass> ENABLED = EnumSet.allOf(InstructionClass.class);

    private static final Set<InstructionClass> DATA_PROCESSING = EnumSet.of(
            InstructionClass.ARITHMETIC_IMMEDIATE, InstructionClass.LOGICAL, InstructionClass.ARITHMETIC_REGISTER,
            InstructionClass.BITFIELD_EXTRACT, InstructionClass.SHIFT_REGISTER, InstructionClass.CONDITIONAL,
            InstructionClass.CARRY, InstructionClass.MULTIPLY_DIVIDE, InstructionClass.REVERSE_COUNT,
            InstructionClass.PC_RELATIVE_ADDRESS, InstructionClass.SYSTEM);
    private static final Set<InstructionClass> MEMORY = EnumSet.of(
            InstructionClass.LOAD_STORE, InstructionClass.LOAD_STORE_PAIR, InstructionClass.LOAD_LITERAL,
            InstructionClass.UNPRIVILEGED,
            InstructionClass.EXCLUSIVE, InstructionClass.ATOMIC, InstructionClass.ARITHMETIC_IMMEDIATE,
            InstructionClass.SIMD_LOAD_STORE, InstructionClass.SIMD_STRUCTURE, InstructionClass.SIMD_MOVE,
            InstructionClass.SYSTEM, InstructionClass.CACHE_ZERO);
    /** The structure loads and stores, with the other SIMD&amp;FP loads, stores and moves around them. */
    private static final Set<InstructionClass> STRUCTURES = EnumSet.of(
            InstructionClass.SIMD_STRUCTURE, InstructionClass.SIMD_LOAD_STORE, InstructionClass.SIMD_MOVE,
            InstructionClass.ARITHMETIC_IMMEDIATE);
    private static final Set<InstructionClass> CONTROL = EnumSet.of(
            InstructionClass.BRANCH, InstructionClass.CONDITIONAL, InstructionClass.ARITHMETIC_REGISTER,
            InstructionClass.LOGICAL, InstructionClass.LOAD_STORE, InstructionClass.SELF_MODIFYING,
            InstructionClass.LOOP, InstructionClass.FAULT);

    private static EmulatorRunner emulator;
    private static EmulatorRunner mmuOnEmulator;


    @AfterAll
    static void closeEmulators() {
        for (EmulatorRunner r : new EmulatorRunner[] {emulator, mmuOnEmulator}) {
            if (r != null && r.ownedByCurrentThread()) {
                r.close();
            }
        }
        emulator = null;
        mmuOnEmulator = null;
    }

    private static EmulatorRunner emulator(boolean mmuOn) {
        if (mmuOn) {
            if (mmuOnEmulator == null || !mmuOnEmulator.ownedByCurrentThread()) {
                mmuOnEmulator = new EmulatorRunner(true);
            }
            return mmuOnEmulator;
        }
        if (emulator == null || !emulator.ownedByCurrentThread()) {
            emulator = new EmulatorRunner(false);
        }
        return emulator;
    }

    private static Set<InstructionClass> enabled(Set<InstructionClass> wanted) {
        Set<InstructionClass> s = EnumSet.noneOf(InstructionClass.class);
        s.addAll(wanted);
        s.retainAll(ENABLED);
        if (s.isEmpty()) {
            s.add(InstructionClass.ARITHMETIC_IMMEDIATE);
        }
        return s;
    }

    static void check(DiffCase c) {
        check(c, false);
    }

    static void check(DiffCase c, boolean mmuOn) {
        Outcome qemu = QemuHarness.shared().run(c);
        Outcome emu;
        try {
            emu = emulator(mmuOn).run(c);
        } catch (RuntimeException e) {
            // a guest must never make run() throw; the vCPU is unusable now, so the next case gets a new one
            emulator = null;
            mmuOnEmulator = null;
            throw new AssertionError("the emulated backend threw " + e + " on\n" + c.describe(), e);
        }
        List<String> diffs = emu.differences(qemu, DifftestLayout.scratchFill(c.scratchSeed()));
        if (!diffs.isEmpty()) {
            throw new Mismatch(c, diffs);
        }
    }

    /** A mismatch; its message (with objdump's reading of the snippet) is built only when printed. */
    static final class Mismatch extends AssertionError {
        private static final long serialVersionUID = 1L;
        private final transient DiffCase c;
        private final transient List<String> diffs;
        private String message;

        Mismatch(DiffCase c, List<String> diffs) {
            super("the emulated backend and qemu-aarch64 disagree");
            this.c = c;
            this.diffs = List.copyOf(diffs);
        }

        @Override
        public synchronized String getMessage() {
            if (message == null) {
                message = "the emulated backend and qemu-aarch64 disagree\n" + c.describe() + "differences:\n  "
                        + String.join("\n  ", diffs) + "\nGNU objdump reads the snippet as:\n"
                        + Toolchain.disassemble(c.layout().words(), DifftestLayout.SNIPPET);
            }
            return message;
        }
    }

    Gen<DiffCase> dataProcessing() {
        return Generators.cases(enabled(mmuOff(DATA_PROCESSING)), 12);
    }

    Gen<DiffCase> memory() {
        return Generators.cases(enabled(mmuOff(MEMORY)), 12);
    }

    Gen<DiffCase> control() {
        return Generators.cases(enabled(mmuOff(CONTROL)), 12);
    }

    Gen<DiffCase> everything() {
        return Generators.cases(enabled(mmuOff(ENABLED)), 24);
    }

    /** Integer data processing: immediate, register, bitfield, conditional, carry, multiply/divide, reversal. */
    @Test
    void dataProcessingAgreesWithQemu() {
        Property.forAll(dataProcessing()).tries(6000).check(c -> {
            check(c);
        });
    }

    /** Loads and stores of every form, pairs, literals, exclusives and LSE atomics. */
    @Test
    void memoryAgreesWithQemu() {
        Property.forAll(memory()).tries(6000).check(c -> {
            check(c);
        });
    }

    /** Forward branches of every kind inside the snippet, with flag-setting instructions around them. */
    @Test
    void branchesAgreeWithQemu() {
        Property.forAll(control()).tries(3000).check(c -> {
            check(c);
        });
    }

    /**
     * The classes that run with the emulator's MMU off: all but DC ZVA, since every data access is then to
     * Device memory, where DC ZVA takes an alignment fault, and qemu-aarch64's process has Normal memory.
     */
    private static Set<InstructionClass> mmuOff(Set<InstructionClass> classes) {
        Set<InstructionClass> s = EnumSet.copyOf(classes);
        s.remove(InstructionClass.CACHE_ZERO);
        return s;
    }

    /** The classes that run with the emulator's MMU on: all but the unprivileged loads and stores. */
    private static Set<InstructionClass> mmuOn(Set<InstructionClass> classes) {
        Set<InstructionClass> s = EnumSet.copyOf(classes);
        s.remove(InstructionClass.UNPRIVILEGED);
        return s;
    }

    Gen<DiffCase> unalignedMemory() {
        return Generators.cases(enabled(mmuOn(MEMORY)), 8, true);
    }

    Gen<DiffCase> everythingMmuOn() {
        return Generators.cases(enabled(mmuOn(ENABLED)), 24);
    }

    /**
     * Loads and stores from unaligned base and index registers, with the emulator's MMU on over Normal
     * memory (as a Linux process's memory is): plain accesses must work unaligned, while exclusives,
     * acquire/release and atomics must take the alignment fault (SIGBUS) at the same instruction.
     */
    @Test
    void unalignedMemoryWithTheMmuOnAgreesWithQemu() {
        Property.forAll(unalignedMemory()).tries(2500).check(c -> {
            check(c, true);
        });
    }

    Gen<DiffCase> structures() {
        return Generators.cases(enabled(mmuOff(STRUCTURES)), 12);
    }

    /**
     * LD1-LD4/ST1-ST4 (multiple and single structure) and LD1R-LD4R among the other SIMD&amp;FP loads,
     * stores and moves: registers (V0-V31 included), memory and writeback must agree.
     */
    @Test
    void structureLoadsAndStoresAgreeWithQemu() {
        Property.forAll(structures()).tries(2000).check(c -> {
            check(c);
        });
    }

    Gen<DiffCase> rawStructures() {
        return Generators.rawStructureCases(4);
    }

    /**
     * Raw words of the Advanced SIMD structure groups, unallocated ones included (reserved opcodes, .1D
     * with LD2-LD4, store-replicate, bad lane sizes, non-zero bits 21:16): both must transfer the same or
     * both take the undefined-instruction exception at the same word. The emulator runs with its MMU on
     * (Normal memory, as qemu-aarch64's process has), since post-index by odd sizes leaves pointers unaligned.
     */
    @Test
    void rawStructureWordsAgreeWithQemu() {
        Property.forAll(rawStructures()).tries(1000).check(c -> {
            check(c, true);
        });
    }

    Gen<DiffCase> rawDataProcessing() {
        return Generators.rawCases(4);
    }

    /**
     * Raw random words of the data-processing groups and the SIMD copy/modified-immediate groups,
     * unallocated ones included: both must compute the same, or both must take the
     * undefined-instruction exception at the same instruction.
     */
    @Test
    void rawWordsAgreeWithQemu() {
        Property.forAll(rawDataProcessing()).tries(1000).check(c -> {
            check(c);
        });
    }

    /** Longer snippets mixing every enabled class, with the emulator's MMU on (identity map). */
    @Test
    void mixedSnippetsWithTheMmuOnAgreeWithQemu() {
        Property.forAll(everythingMmuOn()).tries(2000).check(c -> {
            check(c, true);
        });
    }

    /**
     * Just past the scratch buffer nothing is mapped in either world: a store (an MMIO exit in the emulator)
     * and a load pair (a nested page fault: no valid syndrome) are SIGSEGV at the access under QEMU, and
     * the emulator must agree, with the MMU off and on.
     */
    @Test
    void accessesJustPastTheScratchBufferFaultInBothWorlds() {
        long past = DifftestLayout.SCRATCH_BASE + DifftestLayout.SCRATCH_SIZE;
        List<Instr> accesses = List.of(
                A64.loadStoreUnsigned(3, 0, 0, 20, 0),  // str x0, [x20]
                A64.loadStorePair(2, 2, 1, 0, 2, 20, 1)); // ldp x1, x2, [x20]
        for (Instr access : accesses) {
            long[] x = new long[31];
            x[20] = past;
            DiffCase c = new DiffCase(List.of(access), x, 0, 1);
            Outcome qemu = QemuHarness.shared().run(c);
            assertEquals(11, qemu.signal(), () -> "QEMU maps nothing past the scratch buffer:\n" + c.describe());
            assertEquals(c.layout().address(0), qemu.faultPc(), "the access faults");
            check(c, false);
            check(c, true);
        }
    }

    /** Longer snippets mixing every enabled class. */
    @Test
    void mixedSnippetsAgreeWithQemu() {
        Property.forAll(everything()).tries(3000).check(c -> {
            check(c);
        });
    }
}
