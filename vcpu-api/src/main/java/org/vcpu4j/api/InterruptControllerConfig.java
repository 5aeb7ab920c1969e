package org.vcpu4j.api;

/**
 * The interrupt controller a {@link VirtualMachine} creates once, before its first vCPU: a GICv3 for
 * AArch64 guests, the in-kernel PIC/IOAPIC/LAPIC (and PIT) for x86-64 guests.
 */
public sealed interface InterruptControllerConfig {

    /** {@return the ISA whose guests this controller serves} */
    GuestIsa isa();

    /**
     * {@return the lines a device model may raise: for a GICv3 the SPI INTIDs {@code [32, 32 + spiCount)},
     * for the x86-64 IOAPIC the GSIs {@code [0, 24)}}
     */
    int firstLine();

    /** {@return one past the last line a device model may raise} */
    int lineLimit();

    /**
     * {@return QEMU {@code virt}'s GICv3: the distributor at 0x0800_0000, redistributors from 0x080A_0000,
     * 224 SPIs (256 interrupts in all: {@code qemu-system-aarch64 -M virt,gic-version=3} 7.2 reports
     * GICD_TYPER.ITLinesNumber = 7)}
     */
    static GicV3 qemuVirtGicV3() {
        return new GicV3(GicV3.QEMU_VIRT_DISTRIBUTOR, GicV3.QEMU_VIRT_REDISTRIBUTOR, 224);
    }

    /**
     * A GICv3 (Arm IHI 0069): a distributor, one redistributor per vCPU (128 KiB each: RD_base and SGI_base
     * frames), the system-register CPU interface; single security state (GICD_CTLR.DS = 1), affinity
     * routing always on, no LPIs or ITS.
     *
     * @param distributorBase the guest-physical base of the 64 KiB distributor, 64 KiB aligned
     * @param redistributorBase the base of the redistributor region, 64 KiB aligned; vCPU {@code n}'s frames
     *     are at {@code redistributorBase + n * 0x2_0000}
     * @param spiCount the SPIs implemented: a multiple of 32 from 32 to 960 (GICD_TYPER.ITLinesNumber counts
     *     interrupts in blocks of 32 and INTIDs stop at 1019)
     */
    record GicV3(long distributorBase, long redistributorBase, int spiCount) implements InterruptControllerConfig {
        /** QEMU virt's GICD base ({@code base_memmap[VIRT_GIC_DIST]}). */
        public static final long QEMU_VIRT_DISTRIBUTOR = 0x0800_0000L;
        /** QEMU virt's GICR base ({@code base_memmap[VIRT_GIC_REDIST]}). */
        public static final long QEMU_VIRT_REDISTRIBUTOR = 0x080A_0000L;
        /** The size of the distributor frame. */
        public static final long DISTRIBUTOR_SIZE = 0x1_0000L;
        /** The size of one vCPU's redistributor (RD_base + SGI_base, {@code KVM_VGIC_V3_REDIST_SIZE}). */
        public static final long REDISTRIBUTOR_SIZE = 0x2_0000L;
        /** The largest SPI count (INTIDs 32..991 in whole blocks of 32). */
        public static final int MAX_SPIS = 960;

        /** Validates the fields. */
        public GicV3 {
            if ((distributorBase & 0xFFFF) != 0 || distributorBase < 0) {
                throw new IllegalArgumentException(String.format(
                        "GICv3 distributor base 0x%x must be 64 KiB aligned and not negative", distributorBase));
            }
            if ((redistributorBase & 0xFFFF) != 0 || redistributorBase < 0) {
                throw new IllegalArgumentException(String.format(
                        "GICv3 redistributor base 0x%x must be 64 KiB aligned and not negative", redistributorBase));
            }
            if (spiCount < 32 || spiCount > MAX_SPIS || spiCount % 32 != 0) {
                throw new IllegalArgumentException("GICv3 SPI count " + spiCount
                        + " must be a multiple of 32 from 32 to " + MAX_SPIS);
            }
            if (distributorBase < redistributorBase + REDISTRIBUTOR_SIZE
                    && redistributorBase < distributorBase + DISTRIBUTOR_SIZE) {
                throw new IllegalArgumentException(String.format(
                        "GICv3 distributor 0x%x overlaps the first redistributor at 0x%x", distributorBase,
                        redistributorBase));
            }
        }

        @Override
        public GuestIsa isa() {
            return GuestIsa.AARCH64;
        }

        @Override
        public int firstLine() {
            return 32;
        }

        @Override
        public int lineLimit() {
            return 32 + spiCount;
        }

        /** {@return the fields, addresses in hex} */
        @Override
        public String toString() {
            return String.format("GicV3[distributorBase=0x%x, redistributorBase=0x%x, spiCount=%d]",
                    distributorBase, redistributorBase, spiCount);
        }
    }

    /**
     * The x86-64 in-kernel irqchip ({@code KVM_CREATE_IRQCHIP}: two 8259 PICs, an IOAPIC with 24 pins and
     * a LAPIC per vCPU) and, if asked, the i8254 PIT ({@code KVM_CREATE_PIT2}). GSIs 0-15 reach the PICs
     * and the IOAPIC, 16-23 the IOAPIC only (KVM's default routing).
     *
     * @param pit whether to create the PIT on GSI 0
     */
    record X86Irqchip(boolean pit) implements InterruptControllerConfig {
        /** IOAPIC pins: GSIs 0-23. */
        public static final int IOAPIC_PINS = 24;

        @Override
        public GuestIsa isa() {
            return GuestIsa.X86_64;
        }

        @Override
        public int firstLine() {
            return 0;
        }

        @Override
        public int lineLimit() {
            return IOAPIC_PINS;
        }
    }
}
