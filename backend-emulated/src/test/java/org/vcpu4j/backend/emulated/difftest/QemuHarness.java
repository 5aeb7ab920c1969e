package org.vcpu4j.backend.emulated.difftest;

import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The QEMU side: the harness of {@code src/test/native/difftest}, built with aarch64-linux-gnu-gcc into
 * {@code target/difftest/} and run under one persistent {@code qemu-aarch64} process fed one record
 * per case (see harness.c for the protocol).
 */
final class QemuHarness implements AutoCloseable {
    private static final int MAGIC = 0x5643_5055;
    /**
     * The CPU QEMU models (system property {@code vcpu4j.difftest.qemuCpu}): Cortex-A76 is Armv8.2-A
     * with the LSE atomics and without the later instructions in the data-processing space (PAuth,
     * FlagM, MTE) that QEMU's default {@code max} CPU would execute.
     */
    static final String CPU = System.getProperty("vcpu4j.difftest.qemuCpu", "cortex-a76");
    private static QemuHarness shared;

    private final Process process;
    private final OutputStream in;
    private final DataInputStream out;

    private QemuHarness(Path binary) throws IOException {
        process = new ProcessBuilder(Toolchain.QEMU_USER, "-cpu", CPU, binary.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        in = new BufferedOutputStream(process.getOutputStream(), 1 << 16);
        out = new DataInputStream(process.getInputStream());
    }

    /** {@return the harness of this JVM, built and started on first use} */
    static synchronized QemuHarness shared() {
        Toolchain.require(Toolchain.GCC, Toolchain.QEMU_USER);
        if (shared == null || !shared.process.isAlive()) {
            Path src = Toolchain.moduleDir().resolve("src/test/native/difftest");
            Path dir = Toolchain.moduleDir().resolve("target/difftest");
            try {
                Files.createDirectories(dir);
                Path binary = dir.resolve("harness");
                Toolchain.run(dir, List.of(Toolchain.GCC, "-O2", "-static", "-Wall", "-Werror", "-I", src.toString(),
                        "-o", binary.toString(), src.resolve("harness.c").toString(), src.resolve("trampoline.S").toString()));
                shared = new QemuHarness(binary);
                QemuHarness started = shared;
                Runtime.getRuntime().addShutdownHook(new Thread(started::close));
            } catch (IOException e) {
                throw new AssertionError("cannot start the QEMU harness: " + e.getMessage(), e);
            }
        }
        return shared;
    }

    /**
     * Runs one case under QEMU.
     *
     * @param c the case
     * @return its outcome
     */
    synchronized Outcome run(DiffCase c) {
        int[] words = c.layout().words();
        ByteBuffer b = ByteBuffer.allocate(8 + 34 * 8 + 512 + 4 * words.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(MAGIC).putInt(words.length);
        for (long v : c.x()) {
            b.putLong(v);
        }
        b.putLong(DifftestLayout.INITIAL_SP).putLong((long) c.nzcv() << 28).putLong(c.scratchSeed());
        for (long v : c.v()) {
            b.putLong(v);
        }
        for (int w : words) {
            b.putInt(w);
        }
        try {
            in.write(b.array());
            in.flush();
            byte[] head = new byte[4 + 34 * 8 + 512 + 4];
            out.readFully(head);
            ByteBuffer h = ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN);
            int status = h.getInt();
            long[] x = new long[31];
            for (int i = 0; i < 31; i++) {
                x[i] = h.getLong();
            }
            long sp = h.getLong();
            int nzcv = (int) (h.getLong() >>> 28) & 0xF;
            long faultPc = h.getLong();
            long[] v = new long[64];
            for (int i = 0; i < 64; i++) {
                v[i] = h.getLong();
            }
            int changed = h.getInt();
            byte[] rest = new byte[changed * 12];
            out.readFully(rest);
            ByteBuffer r = ByteBuffer.wrap(rest).order(ByteOrder.LITTLE_ENDIAN);
            Map<Integer, Long> words2 = new HashMap<>();
            for (int i = 0; i < changed; i++) {
                words2.put(r.getInt(), r.getLong());
            }
            return new Outcome(null, status, faultPc, x, sp, nzcv, words2, v);
        } catch (IOException e) {
            throw new AssertionError("the QEMU harness died (exit " + (process.isAlive() ? "-" : process.exitValue())
                    + ") on the case:\n" + c.describe(), e);
        }
    }

    @Override
    public void close() {
        try {
            in.write(new byte[8]);
            in.close();
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (IOException e) {
            process.destroyForcibly();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
