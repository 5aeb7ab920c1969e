package org.vcpu4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code vcpu run} on malformed images: one line on standard error, exit code 2, nothing on standard out. */
class MalformedImageCliTest {

    record Result(int code, String out, String err) {
        /** {@return the stderr lines} */
        List<String> errLines() {
            return err.lines().toList();
        }
    }

    static Result vcpu(String... args) {
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        int code = Main.execute(new Console(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)), args);
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** A one-segment AArch64 ELF64 executable at 0x4000_0000 whose code is {@code b .}. */
    static byte[] elf() {
        ByteBuffer b = ByteBuffer.allocate(64 + 56 + 4).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {0x7F, 'E', 'L', 'F', 2, 1, 1, 0}).put(new byte[8]);
        b.putShort((short) 2).putShort((short) 183).putInt(1).putLong(0x4000_0000L).putLong(64).putLong(0)
                .putInt(0).putShort((short) 64).putShort((short) 56).putShort((short) 1)
                .putShort((short) 64).putShort((short) 0).putShort((short) 0);
        b.putInt(1).putInt(5).putLong(120).putLong(0x4000_0000L).putLong(0x4000_0000L).putLong(4).putLong(4)
                .putLong(0x1000);
        b.putInt(0x14000000);
        return b.array();
    }

    /** Header field offset and the value written there, each a mutation the issue reported. */
    private static final long[][] MUTATIONS = {
        {72, Long.MAX_VALUE - 1}, // p_offset + p_filesz overflows
        {96, -1}, // p_filesz = -1
        {96, (1L << 63) | 4}, // p_filesz with bit 63 set (low 32 bits: 4)
        {32, Long.MAX_VALUE - 7}, // e_phoff near 2^63
        {88, 1L << 63}, // p_paddr = 2^63
        {104, 1L << 63}, // p_memsz = 2^63
    };

    @Test
    void aMutatedHeaderIsOneLineAndExitCode2(@TempDir Path dir) throws Exception {
        for (long[] mutation : MUTATIONS) {
            byte[] d = elf();
            ByteBuffer.wrap(d).order(ByteOrder.LITTLE_ENDIAN).putLong((int) mutation[0], mutation[1]);
            Path f = dir.resolve("m" + mutation[0] + ".elf");
            Files.write(f, d);
            Result r = vcpu("run", "--backend", "emulated", "--max-instructions", "1000", f.toString());
            String what = "offset " + mutation[0] + " = 0x" + Long.toHexString(mutation[1]) + ": " + r.err();
            assertEquals(2, r.code(), what);
            assertEquals("", r.out(), what);
            assertEquals(1, r.errLines().size(), what);
            assertTrue(r.err().startsWith("vcpu: ") && r.err().contains(f.getFileName().toString()), what);
        }
    }

    @Test
    void theUnmutatedImageRuns(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("ok.elf");
        Files.write(f, elf());
        Result r = vcpu("run", "--backend", "emulated", "--max-instructions", "1000", f.toString());
        assertEquals(3, r.code(), r.err());
    }

    /** Plain {@code ld -Ttext=0x40000000} puts the ELF header in the first segment, below RAM. */
    @Test
    void aSegmentBelowRamSaysHowToLink(@TempDir Path dir) throws Exception {
        assumeTrue(onPath("aarch64-linux-gnu-as") && onPath("aarch64-linux-gnu-ld"), "binutils-aarch64-linux-gnu");
        Path src = dir.resolve("spin.s");
        Files.writeString(src, ".globl _start\n_start: b .\n");
        exec("aarch64-linux-gnu-as", "-o", dir.resolve("spin.o").toString(), src.toString());
        Path elf = dir.resolve("spin.elf");
        exec("aarch64-linux-gnu-ld", "-Ttext=0x40000000", "-o", elf.toString(), dir.resolve("spin.o").toString());
        Result r = vcpu("run", "--backend", "emulated", "--max-instructions", "1000", elf.toString());
        assertEquals(2, r.code(), r.err());
        assertEquals(1, r.errLines().size(), r.err());
        assertTrue(r.err().contains("below RAM") && r.err().contains("0x3fff0000") && r.err().contains("-N"), r.err());
    }

    static boolean onPath(String tool) {
        return Arrays.stream(System.getenv("PATH").split(":")).anyMatch(d -> Files.isExecutable(Path.of(d, tool)));
    }

    static void exec(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), String.join(" ", command) + ": " + output);
    }
}
