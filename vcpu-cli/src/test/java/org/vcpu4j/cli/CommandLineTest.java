package org.vcpu4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.vcpu4j.cli.MalformedImageCliTest.vcpu;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vcpu4j.cli.MalformedImageCliTest.Result;
import picocli.CommandLine;

/** The command line's options and messages (in process: exit code, stdout, stderr). */
class CommandLineTest {

    @Test
    void helpOnEverySubcommandPrintsUsageAndExitsZero() {
        for (String command : List.of("run", "tck", "backends", "demo")) {
            for (String flag : List.of("--help", "-h")) {
                Result r = vcpu(command, flag);
                assertEquals(0, r.code(), command + " " + flag + ": " + r.err());
                assertTrue(r.out().startsWith("Usage: vcpu " + command), command + " " + flag + ": " + r.out());
                assertEquals("", r.err(), command + " " + flag);
            }
        }
        Result top = vcpu("--help");
        assertEquals(0, top.code());
        assertTrue(top.out().startsWith("Usage: vcpu"), top.out());
    }

    @Test
    void gdbOptionsAreCheckedWithOneLineMessages() {
        Result wait = vcpu("run", "--gdb-wait", "x.elf");
        assertEquals(2, wait.code());
        assertTrue(wait.err().lines().findFirst().orElseThrow().contains("--gdb-wait needs --gdb"), wait.err());
        for (String bad : List.of("tcp::99999", "tcp:1234", "udp::1", "tcp::x")) {
            Result r = vcpu("run", "--gdb", bad, "x.elf");
            assertEquals(2, r.code(), bad);
            assertTrue(r.err().lines().findFirst().orElseThrow().contains("is not a gdb endpoint"), r.err());
        }
        var converter = new RunCommand.GdbEndpointConverter();
        var loopback = converter.convert("tcp::1234");
        assertTrue(loopback.getAddress().isLoopbackAddress(), loopback::toString);
        assertEquals(1234, loopback.getPort());
        assertTrue(converter.convert("4321").getAddress().isLoopbackAddress(), "a bare port listens on loopback too");
        assertTrue(converter.convert("tcp:0.0.0.0:1").getAddress().isAnyLocalAddress());
    }

    @Test
    void oneTerabyteIsOutOfRangeNotNotASize() {
        Result r = vcpu("run", "--memory", "1T", "x.elf");
        assertEquals(2, r.code());
        String first = r.err().lines().findFirst().orElseThrow();
        assertFalse(first.contains("not a size"), first);
        assertTrue(first.contains("1T") && first.contains("64G"), first);
    }

    @Test
    void everySizeTheNotASizeMessageSuggestsIsAccepted() {
        var converter = new SizeConverter();
        String message = assertThrows(CommandLine.TypeConversionException.class, () -> converter.convert("3X"))
                .getMessage();
        var examples = Pattern.compile("e\\.g\\. (.*)$").matcher(message);
        assertTrue(examples.find(), message);
        String[] suggested = examples.group(1).split(",\\s*|\\s+or\\s+");
        assertTrue(suggested.length >= 2, message);
        for (String s : suggested) {
            converter.convert(s.strip());
        }
    }

    @Test
    void aFractionalTimeoutIsReportedAsGiven(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("spin.elf");
        Files.write(f, MalformedImageCliTest.elf());
        Result r = vcpu("run", "--backend", "emulated", "--timeout", "0.5", f.toString());
        assertEquals(3, r.code(), r.err());
        assertTrue(r.err().contains("--timeout 0.5s"), r.err());
    }

    @Test
    void aLinuxUserSpaceProgramIsRefusedAndNamed() {
        Path program = Path.of("/bin/true");
        assumeTrue(Files.isReadable(program), "/bin/true");
        Result r = vcpu("run", program.toString());
        assertEquals(2, r.code(), r.err());
        assertEquals(1, r.errLines().size(), r.err());
        assertTrue(r.err().contains("user-space program") && r.err().contains("bare-metal"), r.err());
    }

    @Test
    void aStaticallyLinkedLinuxProgramIsRefusedToo(@TempDir Path dir) throws Exception {
        assumeTrue(MalformedImageCliTest.onPath("gcc"), "gcc");
        Path src = dir.resolve("hello.c");
        Files.writeString(src, "int main(void) { return 0; }\n");
        Path exe = dir.resolve("hello");
        Process p = new ProcessBuilder("gcc", "-static", "-o", exe.toString(), src.toString()).redirectErrorStream(true)
                .start();
        p.getInputStream().readAllBytes();
        assumeTrue(p.waitFor() == 0, "gcc -static works here (needs libc.a)");
        Result r = vcpu("run", exe.toString());
        assertEquals(2, r.code(), r.err());
        assertEquals(1, r.errLines().size(), r.err());
        assertTrue(r.err().contains("Linux"), r.err());
    }

    @Test
    void anObjectFileIsRefusedWithHowToLinkIt(@TempDir Path dir) throws Exception {
        assumeTrue(MalformedImageCliTest.onPath("aarch64-linux-gnu-as"), "binutils-aarch64-linux-gnu");
        Path src = dir.resolve("spin.s");
        Files.writeString(src, ".globl _start\n_start: b .\n");
        Path obj = dir.resolve("spin.o");
        MalformedImageCliTest.exec("aarch64-linux-gnu-as", "-o", obj.toString(), src.toString());
        Result r = vcpu("run", obj.toString());
        assertEquals(2, r.code(), r.err());
        assertEquals(1, r.errLines().size(), r.err());
        assertTrue(r.err().contains("ET_REL") && r.err().contains("ld -N"), r.err());
    }

    @Test
    void aRawImageNeedsArchOrANamedBackend(@TempDir Path dir) throws Exception {
        Path raw = dir.resolve("spin.bin");
        Files.write(raw, ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(0x14000000).array()); // b .
        Result without = vcpu("run", "--max-instructions", "1000", raw.toString());
        assertEquals(2, without.code(), without.err());
        assertEquals(1, without.errLines().size(), without.err());
        assertTrue(without.err().contains("--arch aarch64") && without.err().contains("x86_64"), without.err());
        Result with = vcpu("run", "--arch", "aarch64", "--backend", "emulated", "--max-instructions", "1000",
                raw.toString());
        assertEquals(3, with.code(), with.err());
        Result byBackend = vcpu("run", "--backend", "emulated", "--max-instructions", "1000", raw.toString());
        assertEquals(3, byBackend.code(), byBackend.err()); // the emulated backend runs AArch64 only
        Result mismatch = vcpu("run", "--arch", "x86_64", "--backend", "emulated", raw.toString());
        assertEquals(2, mismatch.code(), mismatch.err());
        assertEquals(1, mismatch.errLines().size(), mismatch.err());
        Result unknown = vcpu("run", "--arch", "riscv64", raw.toString());
        assertEquals(2, unknown.code(), unknown.err());
    }

    @Test
    void anElfWhoseArchContradictsArchIsRefused(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("spin.elf");
        Files.write(f, MalformedImageCliTest.elf());
        Result r = vcpu("run", "--arch", "x86_64", f.toString());
        assertEquals(2, r.code(), r.err());
        assertEquals(1, r.errLines().size(), r.err());
        assertTrue(r.err().contains("aarch64"), r.err());
    }
}
