package org.vcpu4j.cli.machine;

/**
 * The part of an Arm PL011 UART a bare-metal guest needs (PrimeCell UART PL011 TRM, DDI 0183, 3.2):
 * writes to UARTDR print, UARTFR reads "transmit FIFO empty, receive FIFO empty", the PrimeCell
 * identification registers read as a PL011, other registers are plain storage.
 */
public final class Pl011 {
    /** The size of the register window. */
    public static final long SIZE = 0x1000;

    private static final int DR = 0x000;
    private static final int FR = 0x018;
    private static final int FR_RXFE = 1 << 4;
    private static final int FR_TXFE = 1 << 7;
    private static final int[] PERIPH_ID = {0x11, 0x10, 0x14, 0x00, 0x0D, 0xF0, 0x05, 0xB1};

    private final long base;
    private final GuestConsole console;
    private final int[] registers = new int[(int) SIZE / 4];

    /**
     * Creates the UART.
     *
     * @param base its guest-physical base
     * @param console where transmitted bytes go
     */
    public Pl011(long base, GuestConsole console) {
        this.base = base;
        this.console = console;
    }

    /**
     * {@return whether the address is in the UART's window}
     *
     * @param address a guest-physical address
     */
    public boolean contains(long address) {
        return address >= base && address < base + SIZE;
    }

    /**
     * {@return the value of a register read}
     *
     * @param address the guest-physical address
     */
    public long read(long address) {
        int offset = (int) (address - base);
        if (offset == FR) {
            return FR_TXFE | FR_RXFE;
        }
        if (offset == DR) {
            return 0;
        }
        if (offset >= 0xFE0) {
            return PERIPH_ID[(offset - 0xFE0) >> 2 & 7];
        }
        return registers[offset >> 2];
    }

    /**
     * Writes a register.
     *
     * @param address the guest-physical address
     * @param value the value
     */
    public void write(long address, long value) {
        int offset = (int) (address - base);
        if (offset == DR) {
            console.write((int) value & 0xFF);
        } else if (offset != FR) {
            registers[offset >> 2] = (int) value;
        }
    }
}
