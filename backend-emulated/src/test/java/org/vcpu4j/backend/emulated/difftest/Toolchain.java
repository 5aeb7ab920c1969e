package org.vcpu4j.backend.emulated.difftest;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * The host tools the QEMU comparisons need, and what to do when they are missing: fail with the
 * Debian packages to install, or skip when {@code -Dvcpu4j.difftest.optional=true}.
 */
final class Toolchain {
    /** The system property that turns a missing toolchain into a skip. */
    static final String OPTIONAL_PROPERTY = "vcpu4j.difftest.optional";
    static final String GCC = "aarch64-linux-gnu-gcc";
    static final String QEMU_USER = "qemu-aarch64";
    static final String QEMU_SYSTEM = "qemu-system-aarch64";
    static final String OBJDUMP = "aarch64-linux-gnu-objdump";
    private static final String PACKAGES =
            "gcc-aarch64-linux-gnu binutils-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user qemu-system-arm";

    private Toolchain() {}

    /** {@return the executable's path, if it is on PATH} @param name the executable */
    static Optional<Path> find(String name) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(File.pathSeparator)) {
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /**
     * Makes sure the tools exist: if one is missing, fails naming the Debian packages, or (with the
     * optional property) aborts the test as skipped with that reason.
     *
     * @param tools the executables needed
     */
    static void require(String... tools) {
        List<String> missing = new ArrayList<>();
        for (String t : tools) {
            if (find(t).isEmpty()) {
                missing.add(t);
            }
        }
        if (missing.isEmpty()) {
            return;
        }
        String reason = "the QEMU differential tests need " + String.join(", ", missing)
                + " on PATH: install the Debian packages (apt-get install -y --no-install-recommends " + PACKAGES
                + "), or set -D" + OPTIONAL_PROPERTY + "=true to skip these tests";
        if (Boolean.getBoolean(OPTIONAL_PROPERTY)) {
            Assumptions.abort(reason);
        }
        throw new AssertionError(reason);
    }

    /** {@return the module's base directory (surefire runs tests there)} */
    static Path moduleDir() {
        return Path.of(System.getProperty("basedir", ".")).toAbsolutePath();
    }

    /**
     * {@return GNU objdump's reading of the words, for failure messages (or why there is none)}
     *
     * @param words the instruction words
     * @param address the address of the first word
     */
    static String disassemble(int[] words, long address) {
        try {
            Path dir = moduleDir().resolve("target/difftest");
            Files.createDirectories(dir);
            Path bin = Files.createTempFile(dir, "case", ".bin");
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(4 * words.length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            for (int w : words) {
                b.putInt(w);
            }
            Files.write(bin, b.array());
            String text = run(dir, List.of("aarch64-linux-gnu-objdump", "-D", "-z", "-b", "binary", "-m", "aarch64",
                    "--adjust-vma=0x" + Long.toHexString(address), bin.toString()));
            Files.deleteIfExists(bin);
            StringBuilder sb = new StringBuilder();
            text.lines().filter(l -> l.matches("\\s*[0-9a-f]+:\\s+[0-9a-f]{8}\\s.*")).forEach(l -> sb.append("  ")
                    .append(l.trim()).append('\n'));
            return sb.toString();
        } catch (IOException | AssertionError e) {
            return "  (objdump unavailable: " + e.getMessage() + ")\n";
        }
    }

    /**
     * Runs a command to completion and fails with its output if it does not exit 0.
     *
     * @param cwd the working directory
     * @param command the command
     * @return its standard output and error
     */
    static String run(Path cwd, List<String> command) {
        try {
            Process p = new ProcessBuilder(command).directory(cwd.toFile()).redirectErrorStream(true).start();
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("timed out: " + String.join(" ", command));
            }
            String text = new String(out, StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                throw new AssertionError("command failed (exit " + p.exitValue() + "): " + String.join(" ", command)
                        + "\n" + text);
            }
            return text;
        } catch (IOException e) {
            throw new AssertionError("cannot run " + String.join(" ", command) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while running " + String.join(" ", command), e);
        }
    }
}
