package org.vcpu4j.tck.asm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.vcpu4j.property.Gen;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vcpu4j.tck.generators.A64Generators;
import org.vcpu4j.tck.generators.X86Generators;

/**
 * Compares the assemblers with GNU as on samples of the TCK's own generators: A64 words must equal
 * {@code aarch64-linux-gnu-as}'s; x86 bytes, disassembled by {@code objdump}, must read back as the
 * instruction the record describes (GNU as picks other, equivalent encodings for some x86 forms).
 * Skipped where binutils are not installed (CI installs them).
 */
class GnuAsCrossCheckTest {
    private static final int SAMPLES = 400;
    /** The seed of the samples, fixed so that a coverage gap shows in every run or in none. */
    private static final long SEED = 20261204L;

    @TempDir
    Path dir;

    @Test
    void a64GeneratorsEncodeLikeGnuAs() throws Exception {
        assumeTrue(onPath("aarch64-linux-gnu-as") && onPath("aarch64-linux-gnu-objcopy"), "binutils-aarch64-linux-gnu");
        List<String> lines = new ArrayList<>();
        List<Integer> words = new ArrayList<>();
        A64Generators.loadStores().samples(SEED).limit(SAMPLES).forEach(ls -> {
            lines.add(ls.assembly());
            words.add(ls.encode());
        });
        A64Generators.systemRegisters().samples(SEED).limit(SAMPLES / 4).forEach(r -> {
            String name = String.format("s%d_%d_c%d_c%d_%d", r.op0(), r.op1(), r.crn(), r.crm(), r.op2());
            lines.add("mrs x5, " + name);
            words.add(r.mrs(5));
            lines.add("msr " + name + ", xzr");
            words.add(r.msr(31));
        });
        Path src = dir.resolve("a.s");
        Files.writeString(src, String.join("\n", lines) + "\n");
        exec("aarch64-linux-gnu-as", src.toString(), "-o", dir.resolve("a.o").toString());
        exec("aarch64-linux-gnu-objcopy", "-O", "binary", "-j", ".text", dir.resolve("a.o").toString(),
                dir.resolve("a.bin").toString());
        ByteBuffer bin = ByteBuffer.wrap(Files.readAllBytes(dir.resolve("a.bin"))).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(words.size() * 4, bin.remaining());
        for (int i = 0; i < words.size(); i++) {
            int expected = bin.getInt();
            assertEquals(expected, (int) words.get(i), () -> "encoding differs from GNU as");
        }
    }

    @Test
    void x86GeneratorsDisassembleToTheirOwnSyntax() throws Exception {
        assumeTrue(onPath("objdump") && onPath("as"), "binutils");
        Gen<Long> addresses = Gen.longs().between(0x6000_0000L, 0x6FFF_FFF8L).map(a -> a & ~7L);
        List<String> expected = new ArrayList<>();
        StringBuilder src = new StringBuilder();
        X86Generators.memoryAccesses(addresses).samples(SEED).limit(SAMPLES).forEach(a -> {
            expected.add(a.assembly());
            src.append(byteDirective(a.encode()));
        });
        X86Generators.portAccesses().samples(SEED).limit(SAMPLES / 4).forEach(a -> {
            expected.add(a.assembly());
            src.append(byteDirective(a.encode()));
        });
        Path s = dir.resolve("x.s");
        Files.writeString(s, src.toString());
        exec("as", "--64", s.toString(), "-o", dir.resolve("x.o").toString());
        String dump = exec("objdump", "-d", "-M", "intel", "--no-show-raw-insn", dir.resolve("x.o").toString());
        List<String> actual = dump.lines().filter(l -> l.matches("\\s+[0-9a-f]+:\\s+.*"))
                .map(l -> l.substring(l.indexOf(':') + 1)).map(GnuAsCrossCheckTest::normalize).toList();
        assertEquals(expected.stream().map(GnuAsCrossCheckTest::normalize).toList(), actual);
    }

    private static String normalize(String insn) {
        String s = insn.toLowerCase(Locale.ROOT).replace("ds:", "").replaceAll("[\\[\\]\\s]", "");
        return s.startsWith("rex") && !s.startsWith("rex.") ? s.substring(3) : s;
    }

    private static String byteDirective(byte[] bytes) {
        List<String> hex = new ArrayList<>();
        for (byte b : bytes) {
            hex.add(String.format("0x%02x", b & 0xFF));
        }
        return ".byte " + hex.stream().collect(Collectors.joining(",")) + "\n";
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
            throw new AssertionError(String.join(" ", cmd) + " failed:\n" + out);
        }
        return out;
    }
}
