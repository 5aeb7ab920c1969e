package org.vcpu4j.cli.machine;

import org.vcpu4j.api.GuestIsa;
import org.vcpu4j.api.VCpu;
import org.vcpu4j.api.VCpuCreateConfig;
import org.vcpu4j.api.VCpuExit;
import org.vcpu4j.api.x86_64.X86_64CreateConfig;
import org.vcpu4j.api.x86_64.X86_64SetupConfig;
import org.vcpu4j.api.x86_64.X86_64State;

/**
 * A minimal PC for x86-64 guests: RAM at 0, a 16550 UART at port 0x3F8 (COM1); port and MMIO reads
 * where nothing is behind them return all ones and such writes are ignored, as on a PC. The guest
 * starts in 64-bit long mode with all RAM identity-mapped; the last 32 KiB of RAM hold the page tables
 * and GDT that setup builds, and RSP starts just below them. {@code hlt} with interrupts disabled ends
 * the run.
 */
public final class PcMachine extends Machine {
    /** COM1. */
    public static final int UART_PORT = 0x3F8;
    /** Bytes reserved at the top of RAM for the system tables. */
    public static final long SYSTEM_TABLES_RESERVE = 0x8000;

    private static final long RFLAGS_IF = 1L << 9;

    private final Uart16550 uart;

    /**
     * Creates the PC.
     *
     * @param console where the UART's output goes
     */
    public PcMachine(GuestConsole console) {
        super(console);
        this.uart = new Uart16550(UART_PORT, console);
    }

    @Override
    public GuestIsa isa() {
        return GuestIsa.X86_64;
    }

    @Override
    public long ramBase() {
        return 0;
    }

    @Override
    protected VCpuCreateConfig bootConfig() {
        return X86_64CreateConfig.bootstrap();
    }

    @Override
    protected void setUp(VCpu vcpu, long ramSize) {
        long tables = ramSize - SYSTEM_TABLES_RESERVE;
        vcpu.setup(new X86_64SetupConfig(tables));
        vcpu.setGpr(4, tables); // RSP
    }

    @Override
    public Outcome handle(VCpu vcpu, VCpuExit exit) {
        return switch (exit) {
            case VCpuExit.IoRead r -> {
                vcpu.completeIoRead(uart.contains(r.port()) ? uart.read(r.port()) : r.width().mask());
                yield Outcome.CONTINUE;
            }
            case VCpuExit.IoWrite w -> {
                if (uart.contains(w.port())) {
                    uart.write(w.port(), w.data());
                }
                yield Outcome.CONTINUE;
            }
            case VCpuExit.MmioRead r -> {
                vcpu.completeMmioRead(-1L);
                yield Outcome.CONTINUE;
            }
            case VCpuExit.MmioWrite w -> Outcome.CONTINUE;
            case VCpuExit.Halt h -> (((X86_64State) vcpu.saveState()).rflags() & RFLAGS_IF) == 0
                    ? Outcome.finished("the guest halted with interrupts disabled")
                    : Outcome.CONTINUE;
            case VCpuExit.SystemDown d -> Outcome.finished("the guest powered off");
            case VCpuExit.SystemReset r -> Outcome.finished("the guest asked for a reset");
            case VCpuExit.Nothing n -> Outcome.CONTINUE;
            case VCpuExit.ExternalInterrupt e -> Outcome.CONTINUE;
            case VCpuExit.InternalError e -> Outcome.failed("the guest stopped: " + e.description());
            case VCpuExit.FailEntry e -> Outcome.failed("the backend could not enter the guest (reason 0x"
                    + Long.toHexString(e.hardwareEntryFailureReason()) + ")");
            case VCpuExit.NestedPageFault f -> Outcome.failed(String.format(
                    "the guest accessed 0x%x (%s), where the PC has no memory", f.address(), f.access()));
            default -> unexpected(exit);
        };
    }
}
