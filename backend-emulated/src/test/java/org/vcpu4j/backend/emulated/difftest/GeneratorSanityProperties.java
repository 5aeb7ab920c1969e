package org.vcpu4j.backend.emulated.difftest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.vcpu4j.property.Gen;
import org.vcpu4j.property.Property;

/**
 * Checks the test's own instruments without the emulator: GNU objdump decodes every generated word as
 * an allocated instruction with the same mnemonic family, the QEMU harness runs every generated case to
 * its end (no signal: the generator keeps accesses aligned and inside the scratch buffer, and branches
 * inside the snippet), and the harness really executes what it is given.
 */
@ExtendWith(RequiresTools.class)
class GeneratorSanityProperties {
    private static final String OBJDUMP = Toolchain.OBJDUMP;


    Gen<DiffCase> anyCase() {
        Set<InstructionClass> classes = EnumSet.allOf(InstructionClass.class);
        classes.remove(InstructionClass.FAULT);
        return Generators.cases(classes, 24);
    }

    /** Every generated case runs to its end under qemu-aarch64. */
    @Test
    void qemuRunsEveryGeneratedCaseToItsEnd() {
        Property.forAll(anyCase()).tries(400).check(c -> {
            Outcome o = QemuHarness.shared().run(c);
            assertEquals(0, o.signal(), () -> "the generator made a case QEMU cannot run:\n" + c.describe());
        });
    }

    /**
     * The register roles' worst case stays inside the scratch buffer: the longest snippet moving one pointer
     * the same way at every instruction, then the largest scaled index and the widest access. A rare case
     * past the end once faulted under QEMU (which maps only the scratch buffer) but not in the emulator.
     */
    @Test
    void pointerArithmeticCannotLeaveTheScratchBuffer() {
        int drift = Generators.LONGEST_SNIPPET * Generators.MAX_WRITEBACK;
        int reach = Generators.MAX_INDEX * Generators.MAX_INDEX_SCALE;
        assertTrue(Generators.POINTER_LOW - drift - reach >= 0, "below the scratch buffer");
        assertTrue(Generators.POINTER_LOW + Generators.POINTER_SPAN + drift + reach + Generators.MAX_ACCESS
                <= DifftestLayout.SCRATCH_SIZE, "past the scratch buffer");
        assertTrue(DifftestLayout.INITIAL_SP - reach >= DifftestLayout.SCRATCH_BASE
                && DifftestLayout.INITIAL_SP + reach + Generators.MAX_ACCESS
                        <= DifftestLayout.SCRATCH_BASE + DifftestLayout.SCRATCH_SIZE, "SP's reach");
    }

    /** The harness executes the snippet: known results for a known snippet. */
    @Test
    void harnessComputesAKnownSnippet() {
        long[] x = new long[31];
        x[1] = 40;
        x[20] = DifftestLayout.SCRATCH_BASE + 0x100;
        DiffCase c = new DiffCase(List.of(
                A64.addSubImm(1, 0, 0, 0, 2, 1, 0),        // add x0, x1, #2
                A64.loadStoreUnsigned(3, 0, 1, 20, 0),     // str x0, [x20, #8]
                A64.addSubImm(1, 1, 1, 0, 42, 0, 31)),     // cmp x0, #42
                x, 0, 7);
        Outcome o = QemuHarness.shared().run(c);
        assertEquals(0, o.signal());
        assertEquals(42, o.x()[0]);
        assertEquals(0b0110, o.nzcv(), "Z and C set by cmp of equal values");
        assertEquals(42L, o.changedWords().get(0x108));
        assertEquals(1, o.changedWords().size());
    }

    /** A fault reports the faulting instruction and the registers at it. */
    @Test
    void harnessReportsFaultsWithTheirState() {
        long[] x = new long[31];
        x[1] = 5;
        DiffCase c = new DiffCase(List.of(A64.addSubImm(1, 0, 0, 0, 1, 1, 1), Instr.Fixed.of(0, "udf #0")), x, 0, 1);
        Outcome o = QemuHarness.shared().run(c);
        assertEquals(4, o.signal(), "SIGILL");
        assertEquals(DifftestLayout.SNIPPET + 8, o.faultPc());
        assertEquals(6, o.x()[1]);
    }

    /** The self-modifying group really changes the instruction QEMU runs. */
    @Test
    void harnessRunsSelfModifiedCode() {
        long[] x = new long[31];
        x[3] = 10;
        DiffCase c = new DiffCase(List.of(A64.selfModifying(1, 2, 3, 5)), x, 0, 1);
        Outcome o = QemuHarness.shared().run(c);
        assertEquals(0, o.signal());
        assertEquals(15, o.x()[3], "the NOP was replaced by add x3, x3, #5");
    }

    /** A generated loop runs its body n times. */
    @Test
    void harnessRunsLoops() {
        long[] x = new long[31];
        DiffCase c = new DiffCase(List.of(A64.loop(19, 3, A64.addSubImm(1, 0, 0, 0, 7, 4, 4))), x, 0, 1);
        Outcome o = QemuHarness.shared().run(c);
        assertEquals(0, o.signal());
        assertEquals(21, o.x()[4]);
        assertEquals(0, o.x()[19]);
    }

    /** GNU objdump decodes every word the encoder produces as an allocated instruction of the same name. */
    @Test
    void objdumpDecodesEveryGeneratedInstruction() throws IOException {
        Toolchain.require(OBJDUMP);
        List<String> expected = new ArrayList<>();
        ByteBuffer code = ByteBuffer.allocate(4 * 40_000).order(ByteOrder.LITTLE_ENDIAN);
        for (InstructionClass cls : InstructionClass.values()) {
            Generators.of(cls).samples(cls.ordinal()).limit(400).forEach(in -> {
                SnippetLayout layout = new SnippetLayout(List.of(in));
                int[] words = in.encode(layout, 0);
                String[] asm = in.assembly(layout, 0);
                for (int k = 0; k < words.length; k++) {
                    code.putInt(words[k]);
                    expected.add(asm[k]);
                }
            });
        }
        Path dir = Toolchain.moduleDir().resolve("target/difftest");
        Files.createDirectories(dir);
        Path bin = dir.resolve("encodings.bin");
        Files.write(bin, java.util.Arrays.copyOf(code.array(), code.position()));
        String dump = Toolchain.run(dir, List.of(OBJDUMP, "-D", "-z", "-b", "binary", "-m", "aarch64", bin.toString()));
        List<String> lines = dump.lines().filter(l -> l.matches("\\s*[0-9a-f]+:\\s+[0-9a-f]{8}\\s.*")).toList();
        assertEquals(expected.size(), lines.size(), "objdump printed one line per word");
        List<String> bad = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String text = lines.get(i).replaceFirst("\\s*[0-9a-f]+:\\s+[0-9a-f]{8}\\s+", "").trim();
            String mine = expected.get(i);
            if (text.startsWith(".inst") || text.contains("undefined") || !sameFamily(mine, text)) {
                bad.add(mine + "   <->   objdump: " + text);
            }
        }
        assertTrue(bad.isEmpty(), () -> bad.size() + " encodings disagree with objdump:\n" + String.join("\n",
                bad.subList(0, Math.min(40, bad.size()))));
    }

    /** Mnemonics that objdump prints as a preferred alias of ours. */
    private static boolean sameFamily(String mine, String objdump) {
        String a = mine.split(" ")[0];
        String b = objdump.split("\\s")[0];
        if (a.equals(b)) {
            return true;
        }
        String[][] aliases = {
            {"add", "mov", "cmn"}, {"adds", "cmn"}, {"sub", "neg", "cmp"}, {"subs", "cmp", "negs"},
            {"orr", "mov"}, {"orn", "mvn"}, {"ands", "tst"}, {"movz", "mov"}, {"movn", "mov"},
            {"sbfm", "asr", "sxtb", "sxth", "sxtw", "sbfiz", "sbfx"},
            {"ubfm", "lsl", "lsr", "uxtb", "uxth", "ubfiz", "ubfx"},
            {"bfm", "bfi", "bfxil", "bfc"}, {"extr", "ror"},
            {"lslv", "lsl"}, {"lsrv", "lsr"}, {"asrv", "asr"}, {"rorv", "ror"},
            {"csinc", "cset", "cinc"}, {"csinv", "csetm", "cinv"}, {"csneg", "cneg"},
            {"sbc", "ngc"}, {"sbcs", "ngcs"},
            {"madd", "mul"}, {"msub", "mneg"}, {"smaddl", "smull"}, {"smsubl", "smnegl"},
            {"umaddl", "umull"}, {"umsubl", "umnegl"},
            {"br", "ret"}, {"umov", "mov"}, {"ins", "mov"}, {"dup", "mov"}, {"movi", "fmov"}, {"mvni", "movi"},
            {"ldadd", "stadd"}, {"ldaddl", "staddl"}, {"ldaddb", "staddb"}, {"ldaddlb", "staddlb"},
            {"ldaddh", "staddh"}, {"ldaddlh", "staddlh"},
        };
        for (String[] group : aliases) {
            if (group[0].equals(a)) {
                for (int i = 1; i < group.length; i++) {
                    if (group[i].equals(b)) {
                        return true;
                    }
                }
            }
        }
        // LD<op> with Rt = XZR print as ST<op>
        if (a.startsWith("ld") && b.startsWith("st") && a.substring(2).equals(b.substring(2))) {
            return true;
        }
        return false;
    }
}
