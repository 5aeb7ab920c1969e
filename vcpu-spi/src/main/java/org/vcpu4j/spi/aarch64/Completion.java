package org.vcpu4j.spi.aarch64;

import org.vcpu4j.api.AccessWidth;
import org.vcpu4j.api.VCpuExit;

/**
 * The arithmetic that completes a load exit, as the architecture defines a load's effect on its
 * destination register (Arm ARM C6.2, LDR/LDRS*): truncate to the access width, sign-extend (SSE) or
 * zero-extend to the register width, clear bits 63:32 of a W register, and leave XZR alone.
 */
public final class Completion {
    private Completion() {}

    /**
     * {@return the value a load leaves in its destination register}
     *
     * @param value the value read from the device (only the low {@code width} bits count)
     * @param width the access width
     * @param signExtend whether the load sign-extends
     * @param registerWidth DWORD for a W register, QWORD for an X register
     */
    public static long loadResult(long value, AccessWidth width, boolean signExtend, AccessWidth registerWidth) {
        long v = value & width.mask();
        if (signExtend && width != AccessWidth.QWORD) {
            int shift = 64 - width.bits();
            v = (v << shift) >> shift;
        }
        return registerWidth == AccessWidth.QWORD ? v : v & 0xFFFF_FFFFL;
    }

    /**
     * {@return the value a completed MMIO read leaves in its register}
     *
     * @param exit the exit
     * @param value the device's value
     */
    public static long loadResult(VCpuExit.MmioRead exit, long value) {
        return loadResult(value, exit.width(), exit.signExtend(), exit.registerWidth());
    }

    /**
     * Completes an MMIO read into the register file (XZR ignored).
     *
     * @param exit the exit
     * @param value the device's value
     * @param gprs the registers
     */
    public static void completeMmioRead(VCpuExit.MmioRead exit, long value, Gprs gprs) {
        if (exit.register() != 31) {
            gprs.setX(exit.register(), loadResult(exit, value));
        }
    }

    /**
     * Completes a system-register read into the register file (XZR ignored).
     *
     * @param exit the exit
     * @param value the register's value
     * @param gprs the registers
     */
    public static void completeSysRegRead(VCpuExit.SysRegRead exit, long value, Gprs gprs) {
        if (exit.register() != 31) {
            gprs.setX(exit.register(), value);
        }
    }

    /**
     * {@return the data of a store of register {@code rt}: its value masked to the width, 0 for XZR}
     *
     * @param gprs the registers
     * @param rt the source register, 0-31
     * @param width the access width
     */
    public static long storeData(Gprs gprs, int rt, AccessWidth width) {
        return gprs.xOrZero(rt) & width.mask();
    }
}
