package org.vcpu4j.backend.kvm;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.LinkedHashSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vcpu4j.backend.kvm.sys.KvmCreateDevice;
import org.vcpu4j.backend.kvm.sys.KvmDeviceAttr;
import org.vcpu4j.backend.kvm.sys.KvmIoctls;
import org.vcpu4j.backend.kvm.sys.KvmIrqLevel;

/**
 * The in-kernel GICv3 of an arm64 VM (Documentation/virt/kvm/devices/arm-vgic-v3.rst), at QEMU virt's
 * addresses so that guests built for that board find it: {@code KVM_CREATE_DEVICE} with
 * {@code KVM_DEV_TYPE_ARM_VGIC_V3} and the distributor and redistributor bases right after the VM is
 * created, {@code KVM_DEV_ARM_VGIC_CTRL_INIT} once, when the first vCPU first runs (the kernel wants every
 * vCPU created and {@code KVM_ARM_VCPU_INIT}-ed before it, and refuses {@code KVM_CREATE_VCPU} after it),
 * interrupts through {@code KVM_IRQ_LINE} on the VM fd. Interrupts injected before {@code CTRL_INIT}
 * (which KVM would refuse with EBUSY) are held here, each once, and raised right after it, whichever
 * vCPU runs first.
 *
 * <p>Where the host has no GICv3 support (a GICv2 host, or KVM without a vGIC) the creation fails; the
 * VM keeps working without one and {@link #requireAvailable} names the errno.
 */
final class KvmVgicV3 implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KvmVgicV3.class);

    /** GICD base: QEMU hw/arm/virt.c {@code base_memmap[VIRT_GIC_DIST]} (64 KiB). */
    static final long DISTRIBUTOR_BASE = 0x0800_0000L;
    /** GICR base: QEMU hw/arm/virt.c {@code base_memmap[VIRT_GIC_REDIST]}, 128 KiB per vCPU up to 0x0900_0000. */
    static final long REDISTRIBUTOR_BASE = 0x080A_0000L;
    /** {@code KVM_VGIC_V3_REDIST_SIZE}: one redistributor, RD_base and SGI_base frames of 64 KiB (arm64 asm/kvm.h). */
    static final long REDISTRIBUTOR_SIZE = 0x2_0000L;
    /** Redistributors that fit below QEMU virt's PL011 at 0x0900_0000 (QEMU's own limit for this region). */
    static final int MAX_REDISTRIBUTORS = (int) ((0x0900_0000L - REDISTRIBUTOR_BASE) / REDISTRIBUTOR_SIZE);
    /**
     * Interrupts (SGIs, PPIs and SPIs) the distributor implements: the most the kernel accepts for
     * {@code KVM_DEV_ARM_VGIC_GRP_NR_IRQS} (a multiple of 32, at most {@code VGIC_MAX_RESERVED} = 1023).
     */
    static final int NR_IRQS = 992;
    /** The last SPI of this distributor. */
    static final int LAST_SPI = NR_IRQS - 1;

    private final KvmCalls calls;
    private final int vmFd;
    private final int deviceFd;
    private final KvmException unavailable;
    private final Set<Integer> held = new LinkedHashSet<>();
    /** Lines the VMM set high or low before CTRL_INIT (KVM_IRQ_LINE needs an initialised vGIC). */
    private final java.util.Map<Integer, Boolean> heldLevels = new java.util.LinkedHashMap<>();
    private final long redistributorBase;
    private final int interrupts;
    private volatile boolean initialised;
    private boolean closed;

    private KvmVgicV3(KvmCalls calls, int vmFd, int deviceFd, KvmException unavailable, long redistributorBase,
            int interrupts) {
        this.calls = calls;
        this.vmFd = vmFd;
        this.deviceFd = deviceFd;
        this.unavailable = unavailable;
        this.redistributorBase = redistributorBase;
        this.interrupts = interrupts;
    }

    /** {@return the vGIC of QEMU virt's layout with {@link #NR_IRQS} interrupts (a VM that configured none)} */
    static KvmVgicV3 create(KvmCalls calls, int vmFd) {
        return create(calls, vmFd, DISTRIBUTOR_BASE, REDISTRIBUTOR_BASE, NR_IRQS);
    }

    /**
     * {@return whether this KVM offers an in-kernel GICv3: {@code KVM_CREATE_DEVICE} with
     * {@code KVM_CREATE_DEVICE_TEST} (api.rst 4.80) tests the type without creating it}
     */
    static boolean supported(KvmCalls calls, int vmFd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment create = arena.allocate(KvmCreateDevice.layout());
            KvmCreateDevice.fill(create, KvmIoctls.KVM_DEV_TYPE_ARM_VGIC_V3);
            create.set(ValueLayout.JAVA_INT, KvmCreateDevice.offsetOf("flags"), KvmIoctls.KVM_CREATE_DEVICE_TEST);
            calls.ioctl(vmFd, KvmIoctls.KVM_CREATE_DEVICE, create);
            return true;
        } catch (KvmException e) {
            return false;
        }
    }

    /**
     * Creates the vGICv3 (Documentation/virt/kvm/devices/arm-vgic-v3.rst): {@code KVM_CREATE_DEVICE}, then
     * {@code KVM_DEV_ARM_VGIC_GRP_ADDR} for the distributor and the redistributor region and
     * {@code KVM_DEV_ARM_VGIC_GRP_NR_IRQS}, all before any vCPU runs; {@code CTRL_INIT} follows at the first run.
     * A host without GICv3 support gives a vGIC that is not {@link #available()}.
     *
     * @param calls the system calls
     * @param vmFd the VM
     * @param distributorBase the distributor frame
     * @param redistributorBase the redistributor region
     * @param nrIrqs 32 + the SPIs
     * @return the vGIC
     */
    static KvmVgicV3 create(KvmCalls calls, int vmFd, long distributorBase, long redistributorBase, int nrIrqs) {
        int fd;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment create = arena.allocate(KvmCreateDevice.layout());
            KvmCreateDevice.fill(create, KvmIoctls.KVM_DEV_TYPE_ARM_VGIC_V3);
            try {
                calls.ioctl(vmFd, KvmIoctls.KVM_CREATE_DEVICE, create);
            } catch (KvmException e) {
                LOG.debug("no in-kernel GICv3 on this host: {}", e.getMessage());
                return new KvmVgicV3(calls, vmFd, -1, new KvmException(
                        "KVM_CREATE_DEVICE(vm fd " + vmFd + ", KVM_DEV_TYPE_ARM_VGIC_V3)", e.errno()), redistributorBase,
                        nrIrqs);
            }
            fd = KvmCreateDevice.fd(create);
            try {
                MemorySegment attr = arena.allocate(KvmDeviceAttr.layout());
                MemorySegment address = arena.allocate(ValueLayout.JAVA_LONG);
                address.set(ValueLayout.JAVA_LONG, 0, distributorBase);
                set(calls, fd, attr, KvmIoctls.KVM_DEV_ARM_VGIC_GRP_ADDR, KvmIoctls.KVM_VGIC_V3_ADDR_TYPE_DIST, address,
                        "distributor base");
                address.set(ValueLayout.JAVA_LONG, 0, redistributorBase);
                set(calls, fd, attr, KvmIoctls.KVM_DEV_ARM_VGIC_GRP_ADDR, KvmIoctls.KVM_VGIC_V3_ADDR_TYPE_REDIST, address,
                        "redistributor base");
                MemorySegment count = arena.allocate(ValueLayout.JAVA_INT);
                count.set(ValueLayout.JAVA_INT, 0, nrIrqs);
                set(calls, fd, attr, KvmIoctls.KVM_DEV_ARM_VGIC_GRP_NR_IRQS, 0, count, "interrupt count");
            } catch (RuntimeException e) {
                calls.close(fd);
                throw e;
            }
        }
        return new KvmVgicV3(calls, vmFd, fd, null, redistributorBase, nrIrqs);
    }

    private static void set(KvmCalls calls, int fd, MemorySegment attr, int group, long attribute,
            MemorySegment payload, String what) {
        KvmDeviceAttr.fill(attr, group, attribute, payload);
        try {
            calls.ioctl(fd, KvmIoctls.KVM_SET_DEVICE_ATTR, attr);
        } catch (KvmException e) {
            throw new KvmException("setting the in-kernel GICv3's " + what + " failed", e);
        }
    }

    /** {@return whether the host gave the VM an in-kernel GICv3} */
    boolean available() {
        return deviceFd >= 0;
    }

    /** {@return whether {@code KVM_DEV_ARM_VGIC_CTRL_INIT} has been done (no more vCPUs can be created)} */
    boolean initialised() {
        return initialised;
    }

    /**
     * Throws unless the VM has a vGIC.
     *
     * @param intid the interrupt the caller wanted to inject, for the message
     * @throws KvmException naming the errno of {@code KVM_CREATE_DEVICE}
     */
    void requireAvailable(int intid) {
        if (unavailable != null) {
            throw new KvmException("cannot inject INTID " + intid + ": this host gave the VM no in-kernel GICv3, "
                    + "and the kvm backend injects interrupts only through one", unavailable);
        }
    }

    /**
     * {@code KVM_DEV_ARM_VGIC_CTRL_INIT}, once, then the interrupts held until now; later calls return at
     * once. The caller guarantees that no vCPU has entered the guest yet (the VM calls it from a vCPU's
     * first {@code run()}, under its lock).
     */
    synchronized void initialise() {
        if (initialised || !available()) {
            return;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = arena.allocate(KvmDeviceAttr.layout());
            KvmDeviceAttr.fill(attr, KvmIoctls.KVM_DEV_ARM_VGIC_GRP_CTRL, KvmIoctls.KVM_DEV_ARM_VGIC_CTRL_INIT,
                    MemorySegment.NULL);
            try {
                calls.ioctl(deviceFd, KvmIoctls.KVM_SET_DEVICE_ATTR, attr);
            } catch (KvmException e) {
                throw new KvmException("initialising the in-kernel GICv3 (KVM_DEV_ARM_VGIC_CTRL_INIT) before the "
                        + "first KVM_RUN failed", e);
            }
            initialised = true;
            MemorySegment scratch = arena.allocate(KvmIrqLevel.layout());
            heldLevels.forEach((irq, high) -> line(scratch, irq, high ? 1 : 0));
            heldLevels.clear();
            for (int irq : held) {
                pulse(scratch, irq);
            }
            held.clear();
        }
    }

    /**
     * Injects an interrupt: a {@link #pulse} once the vGIC is initialised, else held for
     * {@link #initialise}. The caller has checked {@link #requireAvailable}.
     *
     * @param scratch a {@link KvmIrqLevel} segment of the caller's thread
     * @param irq the {@code kvm_irq_level.irq} value ({@link KvmIoctls#armIrq})
     */
    void inject(MemorySegment scratch, int irq) {
        if (!initialised) {
            synchronized (this) {
                if (!initialised) {
                    held.add(irq);
                    return;
                }
            }
        }
        pulse(scratch, irq);
    }

    /** {@return one past the largest INTID: the NR_IRQS it was created with} */
    int interrupts() {
        return interrupts;
    }

    /** {@return the redistributors its region holds before QEMU virt's UART (Integer.MAX_VALUE elsewhere)} */
    int maxRedistributors() {
        return redistributorBase == REDISTRIBUTOR_BASE ? MAX_REDISTRIBUTORS : Integer.MAX_VALUE;
    }

    /**
     * Sets an SPI's level through {@code KVM_IRQ_LINE} (api.rst 4.25: irq_type SPI in bits 27:24), held until
     * {@link #initialise} when the vGIC is not initialised yet; any thread.
     *
     * @param intid the SPI
     * @param high the level
     */
    void setSpiLevel(int intid, boolean high) {
        int irq = KvmIoctls.armIrq(KvmIoctls.KVM_ARM_IRQ_TYPE_SPI, 0, intid);
        synchronized (this) {
            if (!initialised) {
                heldLevels.put(irq, high);
                return;
            }
        }
        try (Arena arena = Arena.ofConfined()) {
            line(arena.allocate(KvmIrqLevel.layout()), irq, high ? 1 : 0);
        }
    }

    /**
     * Raises and lowers a line: an edge, which sets an edge-triggered interrupt (every SPI at KVM's reset)
     * pending until the guest acknowledges it, and a level-sensitive one only for as long as the line is high.
     *
     * @param scratch a {@link KvmIrqLevel} segment of the caller's thread
     * @param irq the {@code kvm_irq_level.irq} value ({@link KvmIoctls#armIrq})
     */
    void pulse(MemorySegment scratch, int irq) {
        line(scratch, irq, 1);
        line(scratch, irq, 0);
    }

    private void line(MemorySegment scratch, int irq, int level) {
        KvmIrqLevel.fill(scratch, irq, level);
        try {
            calls.ioctl(vmFd, KvmIoctls.KVM_IRQ_LINE, scratch);
        } catch (KvmException e) {
            throw new KvmException(String.format("KVM_IRQ_LINE(vm fd %d, irq 0x%08x, level %d)", vmFd, irq, level),
                    e.errno());
        }
    }

    /** Closes the device fd. */
    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            if (available()) {
                calls.close(deviceFd);
            }
        }
    }
}
