package org.vcpu4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code ./vcpu} as a user runs it, after {@code package}: exit codes, stdout, stderr. */
class CliIT {
    private static final Path ROOT = Path.of(System.getProperty("vcpu4j.root", "..")).toAbsolutePath().normalize();

    record Result(int code, String out, String err) {}

    static Result vcpu(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(ROOT.resolve("vcpu").toString()));
        command.addAll(Arrays.asList(args));
        Process p = new ProcessBuilder(command).directory(ROOT.toFile()).start();
        p.getOutputStream().close();
        var out = p.getInputStream().readAllBytes();
        var err = p.getErrorStream().readAllBytes();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "vcpu did not finish");
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }

    private static boolean kvmUsable() {
        Path kvm = Path.of("/dev/kvm");
        return Files.isReadable(kvm) && Files.isWritable(kvm);
    }

    @Test
    void backendsListsEveryBackendWithItsStatus() throws Exception {
        Result r = vcpu("backends");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("emulated") && l.contains("aarch64") && l.contains(" available")),
                r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("hvf") && l.contains("unavailable") && l.contains("macOS")),
                r.out());
        if (kvmUsable()) {
            assertTrue(r.out().lines().anyMatch(l -> l.startsWith("kvm") && l.contains(" available")), r.out());
        }
    }

    @Test
    void anUnknownBackendFailsWithTheOneLineListOfBackends() throws Exception {
        Result r = vcpu("run", "--backend", "nosuch", "x.elf");
        assertEquals(2, r.code());
        assertEquals("", r.out());
        List<String> lines = r.err().lines().filter(l -> !l.startsWith("WARNING")).toList();
        assertEquals(1, lines.size(), r.err());
        assertTrue(lines.getFirst().contains("unknown backend 'nosuch'") && lines.getFirst().contains("emulated (aarch64")
                && lines.getFirst().contains("hvf (aarch64, unavailable"), lines.getFirst());
    }

    @Test
    void demoOnTheEmulatorPrintsOnlyTheGuestOutput() throws Exception {
        Result r = vcpu("demo", "--backend", "emulated");
        assertEquals(0, r.code(), r.err());
        assertEquals("Hello from vcpu4j! (backend emulated, aarch64 guest)\n", r.out());
    }

    @Test
    void demoOnTheDefaultBackend() throws Exception {
        Result r = vcpu("demo");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("Hello from vcpu4j! (backend "), r.out());
    }

    @Test
    void aGuestThatNeverStopsIsEndedByTheTimeoutAndTheInstructionLimit(@TempDir Path dir) throws Exception {
        Path spin = dir.resolve("spin.bin");
        Files.write(spin, ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(0x14000000).array()); // b .
        Result t = vcpu("run", "--backend", "emulated", "--arch", "aarch64", "--timeout", "1", spin.toString());
        assertEquals(3, t.code(), t.err());
        assertTrue(t.err().contains("--timeout"), t.err());
        Result m = vcpu("run", "--backend", "emulated", "--arch", "aarch64", "--max-instructions", "100000", "--stats",
                spin.toString());
        assertEquals(3, m.code(), m.err());
        assertTrue(m.err().contains("--max-instructions 100000") && m.err().contains("instructions=100000"), m.err());
    }

    /** Ctrl-C (SIGINT) stops the guest, prints a one-line note and still prints {@code --stats}. */
    @Test
    void ctrlCPrintsANoteAndStillPrintsTheStats(@TempDir Path dir) throws Exception {
        Path guest = dir.resolve("bang-then-spin.bin");
        ByteBuffer code = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        code.putInt(0xD2A12001).putInt(0x52800420).putInt(0x39000020).putInt(0x14000000); // x1=UART; '!'; strb; b .
        Files.write(guest, code.array());
        List<String> command = new ArrayList<>();
        if (onPath("python3")) { // a process started in the background may inherit SIGINT ignored: reset it, keep the pid
            command.addAll(List.of("python3", "-c", "import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL);"
                    + " os.execv(sys.argv[1], sys.argv[1:])"));
        }
        command.addAll(List.of(ROOT.resolve("vcpu").toString(), "run", "--backend", "emulated", "--arch", "aarch64",
                "--stats", guest.toString()));
        Process p = new ProcessBuilder(command).directory(ROOT.toFile()).start();
        p.getOutputStream().close();
        assertEquals('!', p.getInputStream().read(), "the guest printed its mark, so it is running");
        Process kill = new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).inheritIO().start();
        assertEquals(0, kill.waitFor());
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "vcpu did not stop on SIGINT");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        List<String> err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).lines()
                .filter(l -> !l.startsWith("WARNING")).toList();
        assertEquals(130, p.exitValue(), String.join("\n", err));
        assertEquals("", out);
        assertEquals(1, err.stream().filter(l -> l.startsWith("vcpu: ")).count(), String.join("\n", err));
        assertTrue(err.contains("vcpu: interrupted (Ctrl-C): the guest was stopped"), String.join("\n", err));
        assertTrue(err.stream().anyMatch(l -> l.startsWith("stats: backend=emulated instructions=")), String.join("\n", err));
        assertTrue(err.stream().anyMatch(l -> l.startsWith("stats: exits ") && l.contains("Interrupted=1")),
                String.join("\n", err));
    }

    /**
     * Issue 11, item 14: a store where the board has nothing takes an external abort to VBAR_EL1 = 0,
     * where nothing is mapped either. The run stops once, and the line names what the guest took (its
     * ESR class and fault, FAR, ELR and the vector), not only the fetch that followed.
     */
    @Test
    void aGuestExceptionToAnEmptyVectorSaysWhichExceptionAndStopsOnce(@TempDir Path dir) throws Exception {
        Path guest = dir.resolve("store-to-nothing.bin");
        ByteBuffer code = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
        code.putInt(0xD2A20001).putInt(0xF9000020).putInt(0x14000000); // x1 = 0x1000_0000; str x0, [x1]; b .
        Files.write(guest, code.array());
        Result r = vcpu("run", "--backend", "emulated", "--arch", "aarch64", "--stats", guest.toString());
        assertEquals(1, r.code(), r.err());
        List<String> lines = r.err().lines().filter(l -> l.startsWith("vcpu: ")).toList();
        assertEquals(List.of("vcpu: the guest took a synchronous exception from the current EL with SP_ELx"
                + " (data abort from the current EL: synchronous external abort, write, FAR_EL1 0x10000000)"
                + " at ELR_EL1 0x40000004 to VBAR_EL1 + 0x200 = 0x200, where the board has neither RAM nor a device"),
                lines, r.err());
        assertTrue(r.err().contains("NestedPageFault=1"), r.err());
    }

    @Test
    void tckPrintsOneLinePerRuleAndPassesOnTheEmulator() throws Exception {
        Result r = vcpu("tck", "--backend", "emulated", "--tries", "10");
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("RULE") && r.out().contains("LIF-001") && r.out().contains("EXIT-002"), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.matches("\\d+ rules: \\d+ passed, 0 failed, 0 skipped")), r.out());
    }

    @Test
    void badCommandLinesAreRefusedWithExitCode2() throws Exception {
        assertEquals(2, vcpu("run", "--memory", "3X", "x.elf").code());
        assertEquals(2, vcpu("run").code());
        assertEquals(2, vcpu("frobnicate").code());
        Result missing = vcpu("run", "--backend", "emulated", "/nonexistent/image.elf");
        assertEquals(2, missing.code());
        assertTrue(missing.err().contains("no such image file"), missing.err());
    }

    @Test
    void kvmRunsAnX86ElfThatPrintsThroughCom1AndHalts(@TempDir Path dir) throws Exception {
        assumeTrue(kvmUsable(), "/dev/kvm is not usable here");
        Path src = dir.resolve("hello.s");
        Files.writeString(src, """
                .globl _start
                _start:
                    lea msg(%rip), %rsi
                    mov $0x3f8, %dx
                1:  lodsb
                    test %al, %al
                    jz 2f
                    out %al, (%dx)
                    jmp 1b
                2:  cli
                    hlt
                msg: .asciz "hello from an x86-64 ELF\\n"
                """);
        Path obj = dir.resolve("hello.o");
        Path elf = dir.resolve("hello.elf");
        exec("as", "-o", obj.toString(), src.toString());
        exec("ld", "-static", "-Ttext=0x200000", "-o", elf.toString(), obj.toString());
        Result r = vcpu("run", "--backend", "kvm", "--stats", elf.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals("hello from an x86-64 ELF\n", r.out());
        assertTrue(r.err().contains("IoWrite=25"), r.err());
    }

    /**
     * The north star in small: bare-metal C programs built for QEMU's virt board print exactly what
     * {@code qemu-system-aarch64 -M virt} prints for them when {@code ./vcpu run} runs them on the
     * emulated backend (hot loops and all: cpubench runs its kernels thousands of times).
     */
    @ParameterizedTest
    @ValueSource(strings = {"hello", "memstress", "mmu", "cpubench"})
    void bareMetalImagesPrintWhatQemuPrints(String program, @TempDir Path dir) throws Exception {
        assumeTrue(onPath("aarch64-linux-gnu-gcc") && onPath("qemu-system-aarch64"),
                "needs gcc-aarch64-linux-gnu and qemu-system-arm (.ci/run installs them)");
        Path elf = dir.resolve(program + ".elf");
        exec("sh", ROOT.resolve("backend-emulated/src/test/native/baremetal/build.sh").toString(), program,
                elf.toString(), "-DITERATIONS=20");
        Process qemu = new ProcessBuilder("qemu-system-aarch64", "-M", "virt", "-cpu", "cortex-a57", "-nographic",
                "-nic", "none", "-monitor", "none", "-kernel", elf.toString()).redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        qemu.getOutputStream().close();
        String expected = new String(qemu.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(qemu.waitFor(60, TimeUnit.SECONDS), "qemu-system-aarch64 did not power off");
        assertEquals(0, qemu.exitValue(), "qemu-system-aarch64 failed");
        assertTrue(expected.lines().count() >= 1, "QEMU printed nothing for " + program);
        Result r = vcpu("run", "--backend", "emulated", elf.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals(expected, r.out());
    }

    /**
     * Issue 13's done-when program: it programs the GICv3 distributor and redistributor, sends itself an
     * SGI, runs the virtual timer at 100 Hz and sleeps in WFI for 50 ticks; {@code ./vcpu run} prints what
     * {@code qemu-system-aarch64 -M virt,gic-version=3 -cpu max} prints, with the GIC and the timer served
     * by the backend (no MMIO exit reaches the board for the GIC frames).
     */
    @Test
    void gicTimerProgramPrintsWhatQemuPrints(@TempDir Path dir) throws Exception {
        assumeTrue(onPath("aarch64-linux-gnu-gcc") && onPath("qemu-system-aarch64"),
                "needs gcc-aarch64-linux-gnu and qemu-system-arm (.ci/run installs them)");
        Path elf = dir.resolve("gictimer.elf");
        exec("sh", ROOT.resolve("backend-emulated/src/test/native/baremetal/build.sh").toString(), "gictimer",
                elf.toString());
        Process qemu = new ProcessBuilder("qemu-system-aarch64", "-M", "virt,gic-version=3", "-cpu", "max",
                "-nographic", "-nic", "none", "-monitor", "none", "-kernel", elf.toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        qemu.getOutputStream().close();
        String expected = new String(qemu.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(qemu.waitFor(60, TimeUnit.SECONDS), "qemu-system-aarch64 did not power off");
        assertTrue(expected.contains("tick 50\n"), expected);
        Result r = vcpu("run", "--backend", "emulated", "--stats", elf.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals(expected, r.out());
        assertTrue(r.err().contains("SystemDown=1") && !r.err().contains("Halt="), r.err());
    }

    /**
     * Guest RAM is reserved lazily (issue 11, item 5): 16 GiB for a three-instruction guest runs; a size
     * beyond the host's memory and swap is a one-line usage error (exit 2), never an OutOfMemoryError.
     */
    @Test
    void memoryIsReservedLazilyAndASizeTheHostCannotHoldIsAUsageError(@TempDir Path dir) throws Exception {
        Path image = dir.resolve("off.bin");
        ByteBuffer code = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
        code.putInt(0x52800100).putInt(0x72b08000).putInt(0xd4000002); // mov w0,#8; movk w0,#0x8400,lsl 16; hvc #0
        Files.write(image, code.array());
        Result lazy = vcpu("run", "--backend", "emulated", "--memory", "16G", image.toString());
        assertEquals(0, lazy.code(), lazy.err());
        Result huge = vcpu("run", "--backend", "emulated", "--memory", "64G", image.toString());
        if (hostMemoryAndSwap() < 64L << 30) {
            assertEquals(2, huge.code(), huge.err());
            assertEquals(1, huge.err().lines().count(), huge.err());
            assertTrue(huge.err().startsWith("vcpu: --memory 64G: ") && huge.err().contains("host"), huge.err());
        } else {
            assertEquals(0, huge.code(), huge.err());
        }
    }

    /** {@return MemTotal + SwapTotal of /proc/meminfo in bytes (proc(5)), or Long.MAX_VALUE without it} */
    private static long hostMemoryAndSwap() throws IOException {
        Path meminfo = Path.of("/proc/meminfo");
        if (!Files.isReadable(meminfo)) {
            return Long.MAX_VALUE;
        }
        long kib = 0;
        for (String line : Files.readAllLines(meminfo)) {
            if (line.startsWith("MemTotal:") || line.startsWith("SwapTotal:")) {
                kib += Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return kib << 10;
    }

    private static boolean onPath(String tool) {
        return Arrays.stream(System.getenv("PATH").split(":")).anyMatch(d -> Files.isExecutable(Path.of(d, tool)));
    }

    private static void exec(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).inheritIO().start();
        assertEquals(0, p.waitFor(), String.join(" ", command));
    }
}
