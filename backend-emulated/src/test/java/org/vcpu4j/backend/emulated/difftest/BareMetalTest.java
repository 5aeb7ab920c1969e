package org.vcpu4j.backend.emulated.difftest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.vcpu4j.api.VCpuExit;

/**
 * The bare-metal programs of {@code src/test/native/baremetal}, built at test time, print exactly the
 * same under {@code qemu-system-aarch64 -M virt} and on the emulated backend with {@link VirtBoard}.
 */
class BareMetalTest {
    private static Path out;

    @BeforeAll
    static void tools() throws IOException {
        Toolchain.require(Toolchain.GCC, Toolchain.QEMU_SYSTEM);
        out = Toolchain.moduleDir().resolve("target/baremetal");
        Files.createDirectories(out);
    }

    static Path build(String program) {
        Path script = Toolchain.moduleDir().resolve("src/test/native/baremetal/build.sh");
        Path elf = out.resolve(program + ".elf");
        Toolchain.run(out, List.of("sh", script.toString(), program, elf.toString()));
        return elf;
    }

    static String runQemu(Path elf) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(Toolchain.QEMU_SYSTEM, "-M", "virt", "-cpu", "cortex-a57", "-nographic",
                "-nic", "none", "-monitor", "none", "-kernel", elf.toString()).redirectErrorStream(true).start();
        p.getOutputStream().close();
        byte[] bytes = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("qemu-system-aarch64 did not power off within 60 s: " + elf);
        }
        assertEquals(0, p.exitValue(), () -> "qemu-system-aarch64 failed on " + elf);
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"hello", "cpubench", "memstress", "mmu"})
    void programPrintsTheSameOnQemuAndTheEmulator(String program) throws Exception {
        Path elf = build(program);
        String expected = runQemu(elf);
        assertTrue(expected.length() > 20, () -> "QEMU printed almost nothing for " + program + ": " + expected);
        VirtBoard.Result r = VirtBoard.run(elf, 2_000_000_000L);
        assertInstanceOf(VCpuExit.SystemDown.class, r.exit(), () -> program + " did not power off; output so far:\n"
                + r.output());
        assertEquals(expected, r.output(), () -> program + ": the emulator's UART output differs from QEMU's");
    }
}
