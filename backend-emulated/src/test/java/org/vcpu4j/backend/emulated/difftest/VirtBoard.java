package org.vcpu4j.backend.emulated.difftest;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.vcpu4j.api.GuestMemory;
import org.vcpu4j.api.Hypervisor;
import org.vcpu4j.api.VCpu;
import org.vcpu4j.api.VCpuExit;
import org.vcpu4j.api.VirtualMachine;
import org.vcpu4j.api.aarch64.Aarch64CreateConfig;
import org.vcpu4j.api.aarch64.Aarch64SetupConfig;
import org.vcpu4j.spi.Backends;

/**
 * A tiny model of QEMU's virt board for bare-metal programs: RAM at 0x4000_0000, a PL011 whose data
 * register writes append to the output and whose other registers read 0, and PSCI SYSTEM_OFF. The ELF
 * is loaded by its PT_LOAD program headers (ELF-64 object file format, "Program header").
 */
final class VirtBoard {
    static final long RAM_BASE = 0x4000_0000L;
    static final long RAM_SIZE = 64L << 20;
    static final long UART_BASE = 0x0900_0000L;
    private static final int PT_LOAD = 1;

    private VirtBoard() {}

    /**
     * The result of a run.
     *
     * @param output what the guest wrote to the UART
     * @param exit the exit that ended the run
     * @param instructions instructions retired
     */
    record Result(String output, VCpuExit exit, long instructions) {}

    /**
     * Loads an ELF64 image's PT_LOAD segments into guest memory.
     *
     * @param memory the guest memory
     * @param elf the file's bytes
     * @return the entry point
     */
    static long load(GuestMemory memory, byte[] elf) {
        ByteBuffer b = ByteBuffer.wrap(elf).order(ByteOrder.LITTLE_ENDIAN);
        if (b.getInt(0) != 0x464C_457F || elf[4] != 2 || elf[5] != 1 || b.getShort(18) != 183) {
            throw new IllegalArgumentException("not a little-endian ELF64 AArch64 image (EM_AARCH64 = 183)");
        }
        long entry = b.getLong(24);
        long phoff = b.getLong(32);
        int phentsize = b.getShort(54) & 0xFFFF;
        int phnum = b.getShort(56) & 0xFFFF;
        for (int i = 0; i < phnum; i++) {
            int ph = (int) (phoff + (long) i * phentsize);
            if (b.getInt(ph) != PT_LOAD) {
                continue;
            }
            long offset = b.getLong(ph + 8);
            long paddr = b.getLong(ph + 24);
            long filesz = b.getLong(ph + 32);
            byte[] bytes = new byte[(int) filesz];
            System.arraycopy(elf, (int) offset, bytes, 0, bytes.length);
            memory.write(paddr, bytes);
        }
        return entry;
    }

    /**
     * Runs an ELF on the emulated backend until PSCI SYSTEM_OFF or an unexpected exit.
     *
     * @param elf the image
     * @param instructionLimit the most instructions to run
     * @return what happened
     */
    static Result run(Path elf, long instructionLimit) throws IOException {
        byte[] image = Files.readAllBytes(elf);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (Hypervisor hv = Backends.open("emulated"); VirtualMachine vm = hv.createVirtualMachine()) {
            vm.mapRam(RAM_BASE, RAM_SIZE);
            long entry = load(vm.memory(), image);
            VCpu cpu = vm.createVCpu(0, Aarch64CreateConfig.ofMpidr(0));
            cpu.setEntry(entry);
            cpu.setup(Aarch64SetupConfig.defaults());
            cpu.bind();
            cpu.setInstructionLimit(instructionLimit);
            try {
                for (;;) {
                    VCpuExit exit = cpu.run();
                    switch (exit) {
                        case VCpuExit.MmioWrite w when w.address() == UART_BASE -> out.write((int) w.data() & 0xFF);
                        case VCpuExit.MmioWrite w when w.address() > UART_BASE && w.address() < UART_BASE + 0x1000 -> {
                            // other PL011 registers: ignored
                        }
                        case VCpuExit.MmioRead r when r.address() >= UART_BASE && r.address() < UART_BASE + 0x1000 ->
                                cpu.completeMmioRead(0);
                        case VCpuExit.Nothing n -> {
                            // handled in the backend
                        }
                        default -> {
                            long n = cpu.retiredInstructions().orElse(-1);
                            return new Result(out.toString(java.nio.charset.StandardCharsets.ISO_8859_1), exit, n);
                        }
                    }
                }
            } finally {
                cpu.unbind();
            }
        }
    }
}
