package org.vcpu4j.benchmarks;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.vcpu4j.api.GuestMemory;
import org.vcpu4j.api.VCpu;
import org.vcpu4j.api.VCpuExit;

/**
 * Runs a bare-metal AArch64 ELF built for QEMU's virt board on the emulated backend: loads its PT_LOAD
 * segments into RAM at 0x4000_0000 (128 MiB, like {@code qemu-system-aarch64 -M virt}), starts at the
 * ELF entry at EL1, writes PL011 data-register stores (0x0900_0000) to stdout, reads 0 from the other
 * PL011 registers, and exits 0 on PSCI SYSTEM_OFF. Any other exit prints it and exits 1.
 *
 * <p>Usage: {@code java -cp benchmarks.jar org.vcpu4j.benchmarks.RunElf prog.elf}
 */
public final class RunElf {
    static final long RAM_BASE = 0x4000_0000L;
    static final long RAM_SIZE = 128L << 20;
    static final long UART_BASE = 0x0900_0000L;
    static final long UART_END = UART_BASE + 0x1000;
    /** With {@code -Drunelf.stats=true}, the number of retired guest instructions goes to stderr. */
    static final String STATS_PROPERTY = "runelf.stats";
    private static final int PT_LOAD = 1;
    private static final int EM_AARCH64 = 183;

    private RunElf() {}

    /**
     * Loads the PT_LOAD segments of an ELF64 AArch64 image (ELF-64 Object File Format, "Program
     * Header": p_type at 0, p_offset at 8, p_paddr at 24, p_filesz at 32).
     *
     * @param memory guest memory
     * @param elf the image's bytes
     * @return the entry point
     * @throws IllegalArgumentException if the bytes are not a little-endian ELF64 AArch64 image
     */
    public static long load(GuestMemory memory, byte[] elf) {
        ByteBuffer b = ByteBuffer.wrap(elf).order(ByteOrder.LITTLE_ENDIAN);
        if (elf.length < 64 || b.getInt(0) != 0x464C_457F || elf[4] != 2 || elf[5] != 1
                || b.getShort(18) != EM_AARCH64) {
            throw new IllegalArgumentException("not a little-endian ELF64 AArch64 image (e_machine 183)");
        }
        long entry = b.getLong(24);
        long phoff = b.getLong(32);
        int phentsize = b.getShort(54) & 0xFFFF;
        int phnum = b.getShort(56) & 0xFFFF;
        for (int i = 0; i < phnum; i++) {
            int ph = Math.toIntExact(phoff + (long) i * phentsize);
            if (b.getInt(ph) != PT_LOAD) {
                continue;
            }
            int offset = Math.toIntExact(b.getLong(ph + 8));
            long paddr = b.getLong(ph + 24);
            int filesz = Math.toIntExact(b.getLong(ph + 32));
            byte[] bytes = new byte[filesz];
            System.arraycopy(elf, offset, bytes, 0, filesz);
            memory.write(paddr, bytes);
        }
        return entry;
    }

    /**
     * Runs the image until PSCI SYSTEM_OFF or an exit the board does not handle.
     *
     * @param elf the image
     * @param console where the UART output goes
     * @return the exit that ended the run
     * @throws IOException if the file cannot be read
     */
    public static VCpuExit run(Path elf, PrintStream console) throws IOException {
        byte[] image = Files.readAllBytes(elf);
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        try (GuestMachine m = new GuestMachine(RAM_BASE, RAM_SIZE)) {
            long entry = load(m.vm().memory(), image);
            m.start(entry);
            VCpu cpu = m.vcpu();
            for (;;) {
                VCpuExit exit = cpu.run();
                switch (exit) {
                    case VCpuExit.MmioWrite w when w.address() == UART_BASE -> {
                        line.write((int) w.data() & 0xFF);
                        if (w.data() == '\n') {
                            line.writeTo(console);
                            line.reset();
                        }
                    }
                    case VCpuExit.MmioWrite w when w.address() > UART_BASE && w.address() < UART_END -> {
                        // PL011 control registers: nothing to model
                    }
                    case VCpuExit.MmioRead r when r.address() >= UART_BASE && r.address() < UART_END ->
                            cpu.completeMmioRead(0); // FR = 0: transmit FIFO never full
                    case VCpuExit.Nothing n -> {
                        // handled inside the backend
                    }
                    default -> {
                        line.writeTo(console);
                        console.flush();
                        if (Boolean.getBoolean(STATS_PROPERTY)) {
                            System.err.printf("RunElf: %d guest instructions retired%n",
                                    cpu.retiredInstructions().orElse(-1));
                        }
                        return exit;
                    }
                }
            }
        }
    }

    /**
     * Entry point.
     *
     * @param args the ELF path
     * @throws IOException if the file cannot be read
     */
    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: RunElf <prog.elf>");
            System.exit(2);
        }
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), false);
        VCpuExit exit = run(Path.of(args[0]), out);
        out.flush();
        if (!(exit instanceof VCpuExit.SystemDown)) {
            System.err.println("RunElf: the guest stopped with " + exit);
            System.exit(1);
        }
    }
}
