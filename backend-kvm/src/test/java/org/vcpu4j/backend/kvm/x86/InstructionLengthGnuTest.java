package org.vcpu4j.backend.kvm.x86;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vcpu4j.backend.kvm.x86.InstructionLength.Mode;

/**
 * Checks {@link InstructionLength} against GNU binutils: instruction forms assembled by {@code as} (every
 * length as objdump lists it), and random byte sequences that objdump decodes (each in its own symbol,
 * where objdump starts decoding afresh). objdump runs with {@code -M intel64}, the Intel 64 reading of
 * operand-size prefixes on near branches that the decoder follows. Skipped where binutils are missing.
 */
class InstructionLengthGnuTest {
    private static final Pattern LINE = Pattern.compile("^\\s*([0-9a-f]+):\\t([0-9a-f ]+?)\\s*\\t(.*)$");
    private static final Pattern SYMBOL = Pattern.compile("^[0-9a-f]+ <(s\\d+)>:$");
    /** Prefixes objdump prints on a line of their own when it cannot attach them to what follows. */
    private static final Set<String> LONE_PREFIXES = Set.of("lock", "rep", "repz", "repnz", "repe", "repne",
            "data16", "data32", "addr16", "addr32", "cs", "ds", "es", "fs", "gs", "ss", "notrack", "bnd", "xacquire",
            "xrelease");

    @TempDir
    Path dir;

    @BeforeAll
    static void binutils() {
        assumeTrue(onPath("as") && onPath("objdump"), "binutils (as, objdump) not installed");
    }

    @Test
    void assembledFormsIn64BitModeHaveObjdumpsLengths() throws Exception {
        List<String> source = InstructionForms.x86_64();
        List<Decoded> decoded = assemble(source, "--64");
        assertEquals(source.size(), decoded.size(), "objdump listed another number of instructions than assembled");
        List<String> mismatches = mismatches(decoded, Mode.BITS_64);
        assertTrue(mismatches.isEmpty(), mismatches.size() + " of " + decoded.size() + " forms decoded to another "
                + "length than objdump's:\n" + String.join("\n", mismatches.subList(0, Math.min(40, mismatches.size()))));
        assertTrue(decoded.size() >= 1000, "only " + decoded.size() + " forms");
    }

    @Test
    void assembledFormsIn32BitModeHaveObjdumpsLengths() throws Exception {
        List<String> source = InstructionForms.x86_32();
        List<Decoded> decoded = assemble(source, "--32");
        assertEquals(source.size(), decoded.size(), "objdump listed another number of instructions than assembled");
        List<String> mismatches = mismatches(decoded, Mode.BITS_32);
        assertTrue(mismatches.isEmpty(), mismatches.size() + " of " + decoded.size() + " forms decoded to another "
                + "length than objdump's:\n" + String.join("\n", mismatches.subList(0, Math.min(40, mismatches.size()))));
        assertTrue(decoded.size() >= 300, "only " + decoded.size() + " forms");
    }

    @Test
    void assembledFormsIn16BitModeHaveObjdumpsLengths() throws Exception {
        List<String> source = new ArrayList<>(InstructionForms.x86_32());
        source.removeIf(line -> line.contains("zmm") || line.contains("ymm") || line.contains("xbegin")
                || line.startsWith("call 0x10:"));
        List<Decoded> decoded = assemble(source, "--16");
        assertEquals(source.size(), decoded.size(), "objdump listed another number of instructions than assembled");
        List<String> mismatches = mismatches(decoded, Mode.BITS_16);
        assertTrue(mismatches.isEmpty(), mismatches.size() + " of " + decoded.size() + " forms decoded to another "
                + "length than objdump's:\n" + String.join("\n", mismatches.subList(0, Math.min(40, mismatches.size()))));
        assertTrue(decoded.size() >= 300, "only " + decoded.size() + " forms");
    }

    @Test
    void randomBytesIn16BitModeHaveObjdumpsLengths() throws Exception {
        randomBytes("--16", Mode.BITS_16, 0x5EED16L);
    }

    @Test
    void randomBytesIn64BitModeHaveObjdumpsLengths() throws Exception {
        randomBytes("--64", Mode.BITS_64, 0x5EED64L);
    }

    @Test
    void randomBytesIn32BitModeHaveObjdumpsLengths() throws Exception {
        randomBytes("--32", Mode.BITS_32, 0x5EED32L);
    }

    private void randomBytes(String asMode, Mode mode, long seed) throws Exception {
        Random random = new Random(seed);
        int slots = 6000;
        List<byte[]> candidates = new ArrayList<>();
        StringBuilder src = new StringBuilder();
        HexFormat hex = HexFormat.of();
        for (int i = 0; i < slots; i++) {
            byte[] bytes = RandomInstructions.next(random, mode == Mode.BITS_64);
            candidates.add(bytes);
            src.append('s').append(i).append(": .byte ");
            for (int j = 0; j < bytes.length; j++) {
                src.append(j == 0 ? "" : ",").append("0x").append(hex.toHexDigits(bytes[j]));
            }
            src.append('\n');
        }
        List<String> dump = objdump(src.toString(), asMode);
        List<String> mismatches = new ArrayList<>();
        int compared = 0;
        int slot = -1;
        boolean firstLine = false;
        for (String line : dump) {
            Matcher symbol = SYMBOL.matcher(line);
            if (symbol.matches()) {
                slot = Integer.parseInt(symbol.group(1).substring(1));
                firstLine = true;
                continue;
            }
            Matcher m = LINE.matcher(line);
            if (!m.matches() || !firstLine) {
                continue;
            }
            firstLine = false;
            String text = m.group(3).trim();
            if (!decodedByObjdump(text)) {
                continue;
            }
            int expected = m.group(2).split(" ").length;
            byte[] bytes = candidates.get(slot);
            int actual = InstructionLength.of(bytes, 0, bytes.length, mode);
            compared++;
            if (actual != expected) {
                mismatches.add(String.format("%s: objdump %d (%s), decoder %d", hex.formatHex(bytes), expected, text,
                        actual));
            }
        }
        assertTrue(mismatches.isEmpty(), mismatches.size() + " of " + compared + " random instructions decoded to "
                + "another length than objdump's:\n" + String.join("\n", mismatches.subList(0,
                        Math.min(40, mismatches.size()))));
        assertTrue(compared >= slots / 3, "objdump decoded only " + compared + " of " + slots + " random slots");
    }

    private static boolean decodedByObjdump(String text) {
        if (text.contains("(bad)") || text.startsWith(".byte") || text.startsWith("rex")) {
            return false;
        }
        String[] words = text.split("\\s+");
        return !(words.length == 1 && LONE_PREFIXES.contains(words[0]));
    }

    /** One instruction as objdump lists it. */
    record Decoded(byte[] bytes, String text) {}

    private List<String> mismatches(List<Decoded> decoded, Mode mode) {
        List<String> mismatches = new ArrayList<>();
        for (Decoded d : decoded) {
            // Followed by NOPs, as in a guest's code: the decoder must stop at the instruction's end.
            byte[] padded = new byte[InstructionLength.MAX_LENGTH + d.bytes().length];
            java.util.Arrays.fill(padded, (byte) 0x90);
            System.arraycopy(d.bytes(), 0, padded, 0, d.bytes().length);
            int length = InstructionLength.of(padded, 0, InstructionLength.MAX_LENGTH, mode);
            if (length != d.bytes().length) {
                mismatches.add(String.format("%-40s %s: objdump %d, decoder %d", d.text(),
                        HexFormat.of().formatHex(d.bytes()), d.bytes().length, length));
            }
        }
        return mismatches;
    }

    private List<Decoded> assemble(List<String> lines, String asMode) throws Exception {
        String src = ".intel_syntax noprefix\n" + String.join("\n", lines) + "\n";
        List<Decoded> decoded = new ArrayList<>();
        for (String line : objdump(src, asMode)) {
            Matcher m = LINE.matcher(line);
            if (m.matches()) {
                decoded.add(new Decoded(HexFormat.of().parseHex(m.group(2).replace(" ", "")), m.group(3).trim()));
            }
        }
        return decoded;
    }

    /** @param asMode --64, --32, or --16 for 16-bit code (as --32 with .code16; objdump -M i8086) */
    private List<String> objdump(String source, String asMode) throws Exception {
        Path s = dir.resolve("x.s");
        Path o = dir.resolve("x.o");
        boolean bits16 = asMode.equals("--16");
        Files.writeString(s, bits16 ? ".code16\n" + source : source);
        exec("as", bits16 ? "--32" : asMode, s.toString(), "-o", o.toString());
        String machine = switch (asMode) {
            case "--64" -> "intel,intel64";
            case "--16" -> "intel,i8086";
            default -> "intel";
        };
        return exec("objdump", "-d", "-w", "-M", machine, o.toString()).lines().toList();
    }

    private static boolean onPath(String tool) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(d, tool))) {
                return true;
            }
        }
        return false;
    }

    private static String exec(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new AssertionError(String.join(" ", cmd) + " failed:\n" + out.lines().limit(30).toList());
        }
        return out;
    }
}
