package org.vcpu4j.backend.kvm.sys;

/**
 * Every KVM ioctl request number, capability and constant the backend uses, each with the C macro it
 * comes from in {@code linux/kvm.h} (or {@code asm/kvm.h}). The request numbers are
 * {@code _IOC(dir, KVMIO = 0xAE, nr, size)} = {@code dir << 30 | size << 16 | 0xAE << 8 | nr}
 * (asm-generic/ioctl.h: dir none 0, write 1, read 2); jextract cannot evaluate those function-like
 * macros, so they are written out here and pinned against the header by a test.
 */
public final class KvmIoctls {
    private KvmIoctls() {}

    /** {@code KVM_GET_API_VERSION _IO(KVMIO, 0x00)}; returns {@link #KVM_API_VERSION}. */
    public static final long KVM_GET_API_VERSION = 0xAE00L;
    /** {@code KVM_CREATE_VM _IO(KVMIO, 0x01)}; argument: machine type 0. */
    public static final long KVM_CREATE_VM = 0xAE01L;
    /** {@code KVM_CHECK_EXTENSION _IO(KVMIO, 0x03)}; argument: a {@code KVM_CAP_*}. */
    public static final long KVM_CHECK_EXTENSION = 0xAE03L;
    /** {@code KVM_GET_VCPU_MMAP_SIZE _IO(KVMIO, 0x04)}. */
    public static final long KVM_GET_VCPU_MMAP_SIZE = 0xAE04L;
    /** {@code KVM_GET_SUPPORTED_CPUID _IOWR(KVMIO, 0x05, struct kvm_cpuid2)} (x86; E2BIG if nent is too small). */
    public static final long KVM_GET_SUPPORTED_CPUID = 0xC008AE05L;
    /** {@code KVM_CREATE_VCPU _IO(KVMIO, 0x41)}; argument: the vCPU id. */
    public static final long KVM_CREATE_VCPU = 0xAE41L;
    /** {@code KVM_SET_USER_MEMORY_REGION _IOW(KVMIO, 0x46, struct kvm_userspace_memory_region)} (32 B). */
    public static final long KVM_SET_USER_MEMORY_REGION = 0x4020AE46L;
    /** {@code KVM_RUN _IO(KVMIO, 0x80)}. */
    public static final long KVM_RUN = 0xAE80L;
    /** {@code KVM_GET_REGS _IOR(KVMIO, 0x81, struct kvm_regs)} (x86: 144 B). */
    public static final long KVM_GET_REGS = 0x8090AE81L;
    /** {@code KVM_SET_REGS _IOW(KVMIO, 0x82, struct kvm_regs)} (x86: 144 B). */
    public static final long KVM_SET_REGS = 0x4090AE82L;
    /** {@code KVM_GET_SREGS _IOR(KVMIO, 0x83, struct kvm_sregs)} (x86: 312 B). */
    public static final long KVM_GET_SREGS = 0x8138AE83L;
    /** {@code KVM_SET_SREGS _IOW(KVMIO, 0x84, struct kvm_sregs)} (x86: 312 B). */
    public static final long KVM_SET_SREGS = 0x4138AE84L;
    /** {@code KVM_TRANSLATE _IOWR(KVMIO, 0x85, struct kvm_translation)} (24 B; x86 guest-linear to physical). */
    public static final long KVM_TRANSLATE = 0xC018AE85L;
    /** {@code KVM_GET_FPU _IOR(KVMIO, 0x8c, struct kvm_fpu)} (x86: 416 B). */
    public static final long KVM_GET_FPU = 0x81A0AE8CL;
    /** {@code KVM_SET_FPU _IOW(KVMIO, 0x8d, struct kvm_fpu)} (x86: 416 B). */
    public static final long KVM_SET_FPU = 0x41A0AE8DL;
    /** {@code KVM_SET_GUEST_DEBUG _IOW(KVMIO, 0x9b, struct kvm_guest_debug)} (x86: 72 B). */
    public static final long KVM_SET_GUEST_DEBUG = 0x4048AE9BL;
    /** {@code KVM_INTERRUPT _IOW(KVMIO, 0x86, struct kvm_interrupt)} (4 B; x86 without in-kernel irqchip). */
    public static final long KVM_INTERRUPT = 0x4004AE86L;
    /** {@code KVM_SET_CPUID2 _IOW(KVMIO, 0x90, struct kvm_cpuid2)} (x86). */
    public static final long KVM_SET_CPUID2 = 0x4008AE90L;
    /** {@code KVM_ENABLE_CAP _IOW(KVMIO, 0xa3, struct kvm_enable_cap)} (104 B). */
    public static final long KVM_ENABLE_CAP = 0x4068AEA3L;
    /** {@code KVM_GET_ONE_REG _IOW(KVMIO, 0xab, struct kvm_one_reg)} (16 B). */
    public static final long KVM_GET_ONE_REG = 0x4010AEABL;
    /** {@code KVM_SET_ONE_REG _IOW(KVMIO, 0xac, struct kvm_one_reg)} (16 B). */
    public static final long KVM_SET_ONE_REG = 0x4010AEACL;
    /** {@code KVM_ARM_VCPU_INIT _IOW(KVMIO, 0xae, struct kvm_vcpu_init)} (32 B; arm64). */
    public static final long KVM_ARM_VCPU_INIT = 0x4020AEAEL;
    /** {@code KVM_ARM_PREFERRED_TARGET _IOR(KVMIO, 0xaf, struct kvm_vcpu_init)} (32 B; arm64 VM ioctl). */
    public static final long KVM_ARM_PREFERRED_TARGET = 0x8020AEAFL;
    /** {@code KVM_SET_DEVICE_ATTR _IOW(KVMIO, 0xe1, struct kvm_device_attr)} (24 B). */
    public static final long KVM_SET_DEVICE_ATTR = 0x4018AEE1L;
    /** {@code KVM_HAS_DEVICE_ATTR _IOW(KVMIO, 0xe3, struct kvm_device_attr)} (24 B). */
    public static final long KVM_HAS_DEVICE_ATTR = 0x4018AEE3L;
    /** {@code KVM_CREATE_DEVICE _IOWR(KVMIO, 0xe0, struct kvm_create_device)} (12 B; VM ioctl, fills in the fd). */
    public static final long KVM_CREATE_DEVICE = 0xC00CAEE0L;
    /** {@code KVM_CREATE_IRQCHIP _IO(KVMIO, 0x60)} (VM ioctl, no argument). */
    public static final long KVM_CREATE_IRQCHIP = 0xAE60L;
    /** {@code KVM_CREATE_PIT2 _IOW(KVMIO, 0x77, struct kvm_pit_config)} (64 B; VM ioctl). */
    public static final long KVM_CREATE_PIT2 = 0x4040AE77L;
    /** {@code KVM_CAP_IRQCHIP}. */
    public static final int KVM_CAP_IRQCHIP = 0;
    /** {@code KVM_GET_IRQCHIP _IOWR(KVMIO, 0x62, struct kvm_irqchip)} (520 B; VM ioctl, api.rst 4.26). */
    public static final long KVM_GET_IRQCHIP = 0xC208AE62L;
    /** {@code KVM_SET_IRQCHIP _IOR(KVMIO, 0x63, struct kvm_irqchip)} (520 B; VM ioctl, api.rst 4.27). */
    public static final long KVM_SET_IRQCHIP = 0x8208AE63L;
    /** {@code sizeof(struct kvm_irqchip)}: chip_id u32, pad u32, a 512-byte union (PIC or IOAPIC state). */
    public static final long KVM_IRQCHIP_SIZE = 520;
    /** {@code KVM_GET_PIT2 _IOR(KVMIO, 0x9f, struct kvm_pit_state2)} (112 B; VM ioctl, api.rst 4.79). */
    public static final long KVM_GET_PIT2 = 0x8070AE9FL;
    /** {@code KVM_SET_PIT2 _IOW(KVMIO, 0xa0, struct kvm_pit_state2)} (112 B; VM ioctl, api.rst 4.80). */
    public static final long KVM_SET_PIT2 = 0x4070AEA0L;
    /** {@code sizeof(struct kvm_pit_state2)}: three 24-byte channel states, flags u32, reserved u32[9]. */
    public static final long KVM_PIT_STATE2_SIZE = 112;
    /** {@code KVM_SIGNAL_MSI _IOW(KVMIO, 0xa5, struct kvm_msi)} (32 B; VM ioctl, api.rst 4.71). */
    public static final long KVM_SIGNAL_MSI = 0x4020AEA5L;
    /** {@code sizeof(struct kvm_msi)}: address_lo, address_hi, data, flags, devid (u32 each), pad[12]. */
    public static final long KVM_MSI_SIZE = 32;
    /** {@code KVM_IRQ_LINE _IOW(KVMIO, 0x61, struct kvm_irq_level)} (8 B; VM ioctl). */
    public static final long KVM_IRQ_LINE = 0x4008AE61L;

    /** {@code KVM_API_VERSION}: the only API version there has ever been. */
    public static final int KVM_API_VERSION = 12;

    /** {@code KVM_CAP_USER_MEMORY}. */
    public static final int KVM_CAP_USER_MEMORY = 3;
    /** {@code KVM_CAP_NR_VCPUS}: recommended maximum vCPUs. */
    public static final int KVM_CAP_NR_VCPUS = 9;
    /** {@code KVM_CAP_MAX_VCPUS}. */
    public static final int KVM_CAP_MAX_VCPUS = 66;
    /** {@code KVM_CAP_MAX_VCPU_ID}: KVM_CREATE_VCPU takes ids below it. */
    public static final int KVM_CAP_MAX_VCPU_ID = 128;
    /** {@code KVM_CAP_READONLY_MEM}. */
    public static final int KVM_CAP_READONLY_MEM = 81;
    /** {@code KVM_CAP_ARM_PSCI_0_2}. */
    public static final int KVM_CAP_ARM_PSCI_0_2 = 102;
    /** {@code KVM_CAP_IMMEDIATE_EXIT}. */
    public static final int KVM_CAP_IMMEDIATE_EXIT = 136;
    /** {@code KVM_CAP_ARM_NISV_TO_USER}. */
    public static final int KVM_CAP_ARM_NISV_TO_USER = 177;

    /** {@code KVM_MEM_READONLY}: flag of {@code kvm_userspace_memory_region}. */
    public static final int KVM_MEM_READONLY = 1 << 1;

    /** {@code KVM_EXIT_UNKNOWN}. */
    public static final int KVM_EXIT_UNKNOWN = 0;
    /** {@code KVM_EXIT_EXCEPTION}. */
    public static final int KVM_EXIT_EXCEPTION = 1;
    /** {@code KVM_EXIT_IO}. */
    public static final int KVM_EXIT_IO = 2;
    /** {@code KVM_EXIT_HYPERCALL}. */
    public static final int KVM_EXIT_HYPERCALL = 3;
    /** {@code KVM_EXIT_DEBUG}. */
    public static final int KVM_EXIT_DEBUG = 4;
    /** {@code KVM_EXIT_HLT}. */
    public static final int KVM_EXIT_HLT = 5;
    /** {@code KVM_EXIT_MMIO}. */
    public static final int KVM_EXIT_MMIO = 6;
    /** {@code KVM_EXIT_IRQ_WINDOW_OPEN}. */
    public static final int KVM_EXIT_IRQ_WINDOW_OPEN = 7;
    /** {@code KVM_EXIT_SHUTDOWN}: x86 triple fault. */
    public static final int KVM_EXIT_SHUTDOWN = 8;
    /** {@code KVM_EXIT_FAIL_ENTRY}. */
    public static final int KVM_EXIT_FAIL_ENTRY = 9;
    /** {@code KVM_EXIT_INTR}. */
    public static final int KVM_EXIT_INTR = 10;
    /** {@code KVM_EXIT_INTERNAL_ERROR}. */
    public static final int KVM_EXIT_INTERNAL_ERROR = 17;
    /** {@code KVM_EXIT_SYSTEM_EVENT}. */
    public static final int KVM_EXIT_SYSTEM_EVENT = 24;
    /** {@code KVM_EXIT_ARM_NISV}. */
    public static final int KVM_EXIT_ARM_NISV = 28;

    /** {@code KVM_EXIT_IO_IN}: {@code kvm_run.io.direction}. */
    public static final int KVM_EXIT_IO_IN = 0;
    /** {@code KVM_EXIT_IO_OUT}. */
    public static final int KVM_EXIT_IO_OUT = 1;

    /** {@code KVM_SYSTEM_EVENT_SHUTDOWN}. */
    public static final int KVM_SYSTEM_EVENT_SHUTDOWN = 1;
    /** {@code KVM_SYSTEM_EVENT_RESET}. */
    public static final int KVM_SYSTEM_EVENT_RESET = 2;
    /** {@code KVM_SYSTEM_EVENT_CRASH}. */
    public static final int KVM_SYSTEM_EVENT_CRASH = 3;

    /** {@code KVM_HYPERCALL_EXIT_SMC}: {@code kvm_run.hypercall.flags} bit (arm64). */
    public static final long KVM_HYPERCALL_EXIT_SMC = 1L;

    /** {@code KVM_ARM_VCPU_PSCI_0_2}: feature bit of {@code kvm_vcpu_init.features[0]} (arm64 asm/kvm.h). */
    public static final int KVM_ARM_VCPU_PSCI_0_2 = 2;
    /** {@code KVM_ARM_VCPU_POWER_OFF}: start the vCPU powered off (arm64 asm/kvm.h). */
    public static final int KVM_ARM_VCPU_POWER_OFF = 0;
    /** {@code KVM_ARM_VM_SMCCC_CTRL}: device-attribute group on the VM fd (arm64 asm/kvm.h). */
    public static final int KVM_ARM_VM_SMCCC_CTRL = 0;
    /** {@code KVM_ARM_VM_SMCCC_FILTER}: attribute of that group taking a {@code struct kvm_smccc_filter}. */
    public static final int KVM_ARM_VM_SMCCC_FILTER = 0;
    /** {@code KVM_SMCCC_FILTER_FWD_TO_USER}: filter action (arm64 asm/kvm.h {@code enum kvm_smccc_filter_action}). */
    public static final int KVM_SMCCC_FILTER_FWD_TO_USER = 2;

    /** {@code KVM_DEV_TYPE_ARM_VGIC_V3}: {@code enum kvm_device_type} in linux/kvm.h. */
    public static final int KVM_DEV_TYPE_ARM_VGIC_V3 = 7;
    /** {@code KVM_DEV_ARM_VGIC_GRP_ADDR}: vGIC attribute group of base addresses (arm64 asm/kvm.h). */
    public static final int KVM_DEV_ARM_VGIC_GRP_ADDR = 0;
    /** {@code KVM_DEV_ARM_VGIC_GRP_NR_IRQS}: vGIC attribute group of the interrupt count (arm64 asm/kvm.h). */
    public static final int KVM_DEV_ARM_VGIC_GRP_NR_IRQS = 3;
    /** {@code KVM_DEV_ARM_VGIC_GRP_CTRL}: vGIC control attribute group (arm64 asm/kvm.h). */
    public static final int KVM_DEV_ARM_VGIC_GRP_CTRL = 4;
    /** {@code KVM_DEV_ARM_VGIC_CTRL_INIT}: attribute of {@code GRP_CTRL} that initialises the vGIC. */
    public static final int KVM_DEV_ARM_VGIC_CTRL_INIT = 0;
    /** {@code KVM_VGIC_V3_ADDR_TYPE_DIST}: attribute of {@code GRP_ADDR}, the distributor base (64 KiB). */
    public static final int KVM_VGIC_V3_ADDR_TYPE_DIST = 2;
    /** {@code KVM_VGIC_V3_ADDR_TYPE_REDIST}: attribute of {@code GRP_ADDR}, the first redistributor (128 KiB each). */
    public static final int KVM_VGIC_V3_ADDR_TYPE_REDIST = 3;
    /** {@code KVM_ARM_IRQ_TYPE_SHIFT}: {@code kvm_irq_level.irq} bits 27:24 hold the type (arm64 asm/kvm.h). */
    public static final int KVM_ARM_IRQ_TYPE_SHIFT = 24;
    /** {@code KVM_ARM_IRQ_TYPE_MASK}. */
    public static final int KVM_ARM_IRQ_TYPE_MASK = 0xF;
    /** {@code KVM_ARM_IRQ_VCPU_SHIFT}: bits 23:16 hold the vCPU index (creation order) for PPIs. */
    public static final int KVM_ARM_IRQ_VCPU_SHIFT = 16;
    /** {@code KVM_ARM_IRQ_VCPU_MASK}. */
    public static final int KVM_ARM_IRQ_VCPU_MASK = 0xFF;
    /** {@code KVM_ARM_IRQ_VCPU2_SHIFT}: bits 31:28 hold bits 11:8 of the vCPU index (KVM_CAP_ARM_IRQ_LINE_LAYOUT_2). */
    public static final int KVM_ARM_IRQ_VCPU2_SHIFT = 28;
    /** {@code KVM_ARM_IRQ_NUM_MASK}: bits 15:0 hold the INTID. */
    public static final int KVM_ARM_IRQ_NUM_MASK = 0xFFFF;
    /** {@code KVM_CREATE_DEVICE_TEST}: {@code kvm_create_device.flags} bit that only tests the type (api.rst 4.80). */
    public static final int KVM_CREATE_DEVICE_TEST = 1;
    /** {@code KVM_ARM_IRQ_TYPE_SPI}: a shared peripheral interrupt, INTID 32-1019. */
    public static final int KVM_ARM_IRQ_TYPE_SPI = 1;
    /** {@code KVM_ARM_IRQ_TYPE_PPI}: a private peripheral interrupt of one vCPU, INTID 16-31. */
    public static final int KVM_ARM_IRQ_TYPE_PPI = 2;

    /**
     * {@return {@code kvm_irq_level.irq} for an arm64 line: type in bits 27:24, vCPU index in bits 23:16
     * (bits 11:8 of the index in bits 31:28), INTID in bits 15:0 (Documentation/virt/kvm/api.rst,
     * KVM_IRQ_LINE; arm64 asm/kvm.h)}
     *
     * @param type {@link #KVM_ARM_IRQ_TYPE_SPI} or {@link #KVM_ARM_IRQ_TYPE_PPI}
     * @param vcpuIndex the vCPU's index (0 for SPIs), 0-4095
     * @param intid the interrupt id
     */
    public static int armIrq(int type, int vcpuIndex, int intid) {
        return (type & KVM_ARM_IRQ_TYPE_MASK) << KVM_ARM_IRQ_TYPE_SHIFT
                | (vcpuIndex & KVM_ARM_IRQ_VCPU_MASK) << KVM_ARM_IRQ_VCPU_SHIFT
                | (vcpuIndex >>> 8 & 0xF) << KVM_ARM_IRQ_VCPU2_SHIFT
                | intid & KVM_ARM_IRQ_NUM_MASK;
    }

    /**
     * {@return the C name of a KVM exit reason, e.g. {@code KVM_EXIT_MMIO}}
     *
     * @param reason {@code kvm_run.exit_reason}
     */
    public static String exitName(int reason) {
        return switch (reason) {
            case KVM_EXIT_UNKNOWN -> "KVM_EXIT_UNKNOWN";
            case KVM_EXIT_EXCEPTION -> "KVM_EXIT_EXCEPTION";
            case KVM_EXIT_IO -> "KVM_EXIT_IO";
            case KVM_EXIT_HYPERCALL -> "KVM_EXIT_HYPERCALL";
            case KVM_EXIT_DEBUG -> "KVM_EXIT_DEBUG";
            case KVM_EXIT_HLT -> "KVM_EXIT_HLT";
            case KVM_EXIT_MMIO -> "KVM_EXIT_MMIO";
            case KVM_EXIT_IRQ_WINDOW_OPEN -> "KVM_EXIT_IRQ_WINDOW_OPEN";
            case KVM_EXIT_SHUTDOWN -> "KVM_EXIT_SHUTDOWN";
            case KVM_EXIT_FAIL_ENTRY -> "KVM_EXIT_FAIL_ENTRY";
            case KVM_EXIT_INTR -> "KVM_EXIT_INTR";
            case KVM_EXIT_INTERNAL_ERROR -> "KVM_EXIT_INTERNAL_ERROR";
            case KVM_EXIT_SYSTEM_EVENT -> "KVM_EXIT_SYSTEM_EVENT";
            case KVM_EXIT_ARM_NISV -> "KVM_EXIT_ARM_NISV";
            default -> "exit reason " + reason;
        };
    }

    /**
     * {@return the C name of an ioctl request this class lists, or its number in hex}
     *
     * @param request a request number
     */
    public static String requestName(long request) {
        return switch ((int) request) {
            case (int) KVM_GET_API_VERSION -> "KVM_GET_API_VERSION";
            case (int) KVM_CREATE_VM -> "KVM_CREATE_VM";
            case (int) KVM_CHECK_EXTENSION -> "KVM_CHECK_EXTENSION";
            case (int) KVM_GET_VCPU_MMAP_SIZE -> "KVM_GET_VCPU_MMAP_SIZE";
            case (int) KVM_GET_SUPPORTED_CPUID -> "KVM_GET_SUPPORTED_CPUID";
            case (int) KVM_CREATE_VCPU -> "KVM_CREATE_VCPU";
            case (int) KVM_SET_USER_MEMORY_REGION -> "KVM_SET_USER_MEMORY_REGION";
            case (int) KVM_RUN -> "KVM_RUN";
            case (int) KVM_GET_REGS -> "KVM_GET_REGS";
            case (int) KVM_SET_REGS -> "KVM_SET_REGS";
            case (int) KVM_GET_SREGS -> "KVM_GET_SREGS";
            case (int) KVM_TRANSLATE -> "KVM_TRANSLATE";
            case (int) KVM_SET_SREGS -> "KVM_SET_SREGS";
            case (int) KVM_INTERRUPT -> "KVM_INTERRUPT";
            case (int) KVM_GET_FPU -> "KVM_GET_FPU";
            case (int) KVM_SET_FPU -> "KVM_SET_FPU";
            case (int) KVM_SET_GUEST_DEBUG -> "KVM_SET_GUEST_DEBUG";
            case (int) KVM_SET_CPUID2 -> "KVM_SET_CPUID2";
            case (int) KVM_ENABLE_CAP -> "KVM_ENABLE_CAP";
            case (int) KVM_GET_ONE_REG -> "KVM_GET_ONE_REG";
            case (int) KVM_SET_ONE_REG -> "KVM_SET_ONE_REG";
            case (int) KVM_ARM_VCPU_INIT -> "KVM_ARM_VCPU_INIT";
            case (int) KVM_ARM_PREFERRED_TARGET -> "KVM_ARM_PREFERRED_TARGET";
            case (int) KVM_SET_DEVICE_ATTR -> "KVM_SET_DEVICE_ATTR";
            case (int) KVM_HAS_DEVICE_ATTR -> "KVM_HAS_DEVICE_ATTR";
            case (int) KVM_CREATE_DEVICE -> "KVM_CREATE_DEVICE";
            case (int) KVM_IRQ_LINE -> "KVM_IRQ_LINE";
            case (int) KVM_SIGNAL_MSI -> "KVM_SIGNAL_MSI";
            case (int) KVM_GET_IRQCHIP -> "KVM_GET_IRQCHIP";
            case (int) KVM_SET_IRQCHIP -> "KVM_SET_IRQCHIP";
            case (int) KVM_GET_PIT2 -> "KVM_GET_PIT2";
            case (int) KVM_SET_PIT2 -> "KVM_SET_PIT2";
            case (int) KVM_CREATE_IRQCHIP -> "KVM_CREATE_IRQCHIP";
            case (int) KVM_CREATE_PIT2 -> "KVM_CREATE_PIT2";
            default -> String.format("ioctl 0x%x", request);
        };
    }
}
