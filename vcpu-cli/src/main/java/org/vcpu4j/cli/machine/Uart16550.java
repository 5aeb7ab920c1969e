package org.vcpu4j.cli.machine;

/**
 * The part of a 16550 UART a bare-metal guest needs (TI PC16550D data sheet, register table): writes to
 * THR print, LSR reads "transmitter empty", IIR reads "no interrupt pending", the other registers are
 * plain storage, and DLAB selects the divisor latch at offsets 0 and 1.
 */
public final class Uart16550 {
    /** The number of ports. */
    public static final int PORTS = 8;

    private static final int LSR_THRE_TEMT = 0x60;
    private static final int IIR_NO_INTERRUPT = 0x01;
    private static final int LCR_DLAB = 0x80;

    private final int base;
    private final GuestConsole console;
    private final int[] registers = new int[PORTS];
    private int divisorLow;
    private int divisorHigh;

    /**
     * Creates the UART.
     *
     * @param base its first port, e.g. 0x3F8 for COM1
     * @param console where transmitted bytes go
     */
    public Uart16550(int base, GuestConsole console) {
        this.base = base;
        this.console = console;
    }

    /**
     * {@return whether the port belongs to this UART}
     *
     * @param port an I/O port
     */
    public boolean contains(int port) {
        return port >= base && port < base + PORTS;
    }

    /**
     * {@return a register read}
     *
     * @param port the port
     */
    public long read(int port) {
        int offset = port - base;
        boolean dlab = (registers[3] & LCR_DLAB) != 0;
        return switch (offset) {
            case 0 -> dlab ? divisorLow : 0;
            case 1 -> dlab ? divisorHigh : registers[1];
            case 2 -> IIR_NO_INTERRUPT;
            case 5 -> LSR_THRE_TEMT;
            default -> registers[offset];
        };
    }

    /**
     * Writes a register.
     *
     * @param port the port
     * @param value the value (low byte counts)
     */
    public void write(int port, long value) {
        int offset = port - base;
        int v = (int) value & 0xFF;
        boolean dlab = (registers[3] & LCR_DLAB) != 0;
        if (offset == 0 && !dlab) {
            console.write(v);
        } else if (offset == 0) {
            divisorLow = v;
        } else if (offset == 1 && dlab) {
            divisorHigh = v;
        } else if (offset != 5 && offset != 2) {
            registers[offset] = v;
        }
    }
}
