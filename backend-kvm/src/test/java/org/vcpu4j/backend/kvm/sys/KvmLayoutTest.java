package org.vcpu4j.backend.kvm.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Pins every struct size, field offset and ioctl number the backend uses: first against the values of
 * the kernel headers written down here (peers.md b.1-b.5, feasibility.md 1.1), then, when gcc and
 * linux-libc-dev are installed, against a C program compiled at test time against
 * {@code /usr/include/linux/kvm.h}. The arm64-only values (vGIC attributes, the {@code KVM_IRQ_LINE}
 * layout, the arm64 ioctls) are pinned the same way against the arm64 uapi headers of
 * linux-libc-dev-arm64-cross ({@code /usr/aarch64-linux-gnu/include}), when that package is installed.
 */
class KvmLayoutTest {

    /** Every value as the headers define it (x86_64 host; arm64-only structs are pinned by number only). */
    static Map<String, Long> headerValues() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("sizeof(struct kvm_run)", 2352L);
        m.put("offsetof(struct kvm_run, request_interrupt_window)", 0L);
        m.put("offsetof(struct kvm_run, immediate_exit)", 1L);
        m.put("offsetof(struct kvm_run, exit_reason)", 8L);
        m.put("offsetof(struct kvm_run, ready_for_interrupt_injection)", 12L);
        m.put("offsetof(struct kvm_run, if_flag)", 13L);
        m.put("offsetof(struct kvm_run, io.direction)", 32L);
        m.put("offsetof(struct kvm_run, io.size)", 33L);
        m.put("offsetof(struct kvm_run, io.port)", 34L);
        m.put("offsetof(struct kvm_run, io.count)", 36L);
        m.put("offsetof(struct kvm_run, io.data_offset)", 40L);
        m.put("offsetof(struct kvm_run, mmio.phys_addr)", 32L);
        m.put("offsetof(struct kvm_run, mmio.data)", 40L);
        m.put("offsetof(struct kvm_run, mmio.len)", 48L);
        m.put("offsetof(struct kvm_run, mmio.is_write)", 52L);
        m.put("offsetof(struct kvm_run, fail_entry.hardware_entry_failure_reason)", 32L);
        m.put("offsetof(struct kvm_run, internal.suberror)", 32L);
        m.put("offsetof(struct kvm_run, internal.data)", 40L);
        m.put("offsetof(struct kvm_run, hypercall.nr)", 32L);
        m.put("offsetof(struct kvm_run, hypercall.flags)", 96L);
        m.put("offsetof(struct kvm_run, system_event.type)", 32L);
        m.put("offsetof(struct kvm_run, arm_nisv.esr_iss)", 32L);
        m.put("offsetof(struct kvm_run, arm_nisv.fault_ipa)", 40L);
        m.put("sizeof(struct kvm_regs)", 144L);
        m.put("offsetof(struct kvm_regs, rbx)", 8L);
        m.put("offsetof(struct kvm_regs, rsp)", 48L);
        m.put("offsetof(struct kvm_regs, r15)", 120L);
        m.put("offsetof(struct kvm_regs, rip)", 128L);
        m.put("offsetof(struct kvm_regs, rflags)", 136L);
        m.put("sizeof(struct kvm_segment)", 24L);
        m.put("offsetof(struct kvm_segment, limit)", 8L);
        m.put("offsetof(struct kvm_segment, selector)", 12L);
        m.put("offsetof(struct kvm_segment, type)", 14L);
        m.put("offsetof(struct kvm_segment, unusable)", 22L);
        m.put("sizeof(struct kvm_dtable)", 16L);
        m.put("offsetof(struct kvm_dtable, limit)", 8L);
        m.put("sizeof(struct kvm_sregs)", 312L);
        m.put("offsetof(struct kvm_sregs, tr)", 144L);
        m.put("offsetof(struct kvm_sregs, ldt)", 168L);
        m.put("offsetof(struct kvm_sregs, gdt)", 192L);
        m.put("offsetof(struct kvm_sregs, idt)", 208L);
        m.put("offsetof(struct kvm_sregs, cr0)", 224L);
        m.put("offsetof(struct kvm_sregs, cr3)", 240L);
        m.put("offsetof(struct kvm_sregs, cr4)", 248L);
        m.put("offsetof(struct kvm_sregs, cr8)", 256L);
        m.put("offsetof(struct kvm_sregs, efer)", 264L);
        m.put("offsetof(struct kvm_sregs, apic_base)", 272L);
        m.put("offsetof(struct kvm_sregs, interrupt_bitmap)", 280L);
        m.put("sizeof(struct kvm_userspace_memory_region)", 32L);
        m.put("offsetof(struct kvm_userspace_memory_region, guest_phys_addr)", 8L);
        m.put("offsetof(struct kvm_userspace_memory_region, memory_size)", 16L);
        m.put("offsetof(struct kvm_userspace_memory_region, userspace_addr)", 24L);
        m.put("sizeof(struct kvm_one_reg)", 16L);
        m.put("offsetof(struct kvm_one_reg, addr)", 8L);
        m.put("sizeof(struct kvm_device_attr)", 24L);
        m.put("offsetof(struct kvm_device_attr, group)", 4L);
        m.put("offsetof(struct kvm_device_attr, attr)", 8L);
        m.put("offsetof(struct kvm_device_attr, addr)", 16L);
        m.put("sizeof(struct kvm_create_device)", 12L);
        m.put("offsetof(struct kvm_create_device, fd)", 4L);
        m.put("offsetof(struct kvm_create_device, flags)", 8L);
        m.put("sizeof(struct kvm_irq_level)", 8L);
        m.put("offsetof(struct kvm_irq_level, irq)", 0L);
        m.put("offsetof(struct kvm_irq_level, level)", 4L);
        m.put("sizeof(struct sigaction)", 152L);
        m.put("offsetof(struct sigaction, sa_mask)", 8L);
        m.put("offsetof(struct sigaction, sa_flags)", 136L);
        m.put("KVM_GET_API_VERSION", 0xAE00L);
        m.put("KVM_CREATE_VM", 0xAE01L);
        m.put("KVM_CHECK_EXTENSION", 0xAE03L);
        m.put("KVM_GET_VCPU_MMAP_SIZE", 0xAE04L);
        m.put("KVM_CREATE_VCPU", 0xAE41L);
        m.put("KVM_GET_SUPPORTED_CPUID", 0xC008AE05L);
        m.put("KVM_SET_CPUID2", 0x4008AE90L);
        m.put("sizeof(struct kvm_cpuid2)", 8L);
        m.put("sizeof(struct kvm_cpuid_entry2)", 40L);
        m.put("offsetof(struct kvm_cpuid_entry2, eax)", 12L);
        m.put("offsetof(struct kvm_cpuid_entry2, edx)", 24L);
        m.put("KVM_SET_USER_MEMORY_REGION", 0x4020AE46L);
        m.put("KVM_RUN", 0xAE80L);
        m.put("KVM_GET_REGS", 0x8090AE81L);
        m.put("KVM_SET_REGS", 0x4090AE82L);
        m.put("KVM_GET_SREGS", 0x8138AE83L);
        m.put("KVM_SET_SREGS", 0x4138AE84L);
        m.put("KVM_TRANSLATE", 0xC018AE85L);
        m.put("sizeof(struct kvm_translation)", 24L);
        m.put("offsetof(struct kvm_translation, physical_address)", 8L);
        m.put("offsetof(struct kvm_translation, valid)", 16L);
        m.put("KVM_GET_FPU", 0x81A0AE8CL);
        m.put("KVM_SET_FPU", 0x41A0AE8DL);
        m.put("sizeof(struct kvm_fpu)", 416L);
        m.put("offsetof(struct kvm_fpu, fcw)", 128L);
        m.put("offsetof(struct kvm_fpu, ftwx)", 132L);
        m.put("offsetof(struct kvm_fpu, last_ip)", 136L);
        m.put("offsetof(struct kvm_fpu, xmm)", 152L);
        m.put("offsetof(struct kvm_fpu, mxcsr)", 408L);
        m.put("KVM_SET_GUEST_DEBUG", 0x4048AE9BL);
        m.put("sizeof(struct kvm_guest_debug)", 72L);
        m.put("offsetof(struct kvm_guest_debug, arch)", 8L);
        m.put("KVM_GUESTDBG_ENABLE", 1L);
        m.put("KVM_GUESTDBG_SINGLESTEP", 2L);
        m.put("KVM_GUESTDBG_USE_SW_BP", 0x10000L);
        m.put("offsetof(struct kvm_run, debug.arch.exception)", 32L);
        m.put("KVM_INTERRUPT", 0x4004AE86L);
        m.put("KVM_ENABLE_CAP", 0x4068AEA3L);
        m.put("KVM_GET_ONE_REG", 0x4010AEABL);
        m.put("KVM_SET_ONE_REG", 0x4010AEACL);
        m.put("KVM_ARM_VCPU_INIT", 0x4020AEAEL);
        m.put("KVM_ARM_PREFERRED_TARGET", 0x8020AEAFL);
        m.put("KVM_SET_DEVICE_ATTR", 0x4018AEE1L);
        m.put("KVM_HAS_DEVICE_ATTR", 0x4018AEE3L);
        m.put("KVM_CREATE_DEVICE", 0xC00CAEE0L);
        m.put("KVM_IRQ_LINE", 0x4008AE61L);
        m.put("KVM_DEV_TYPE_ARM_VGIC_V3", 7L);
        m.put("KVM_API_VERSION", 12L);
        m.put("KVM_CAP_READONLY_MEM", 81L);
        m.put("KVM_CAP_IMMEDIATE_EXIT", 136L);
        m.put("KVM_CAP_ARM_NISV_TO_USER", 177L);
        m.put("KVM_MEM_READONLY", 2L);
        m.put("KVM_EXIT_IO", 2L);
        m.put("KVM_EXIT_HYPERCALL", 3L);
        m.put("KVM_EXIT_HLT", 5L);
        m.put("KVM_EXIT_MMIO", 6L);
        m.put("KVM_EXIT_IRQ_WINDOW_OPEN", 7L);
        m.put("KVM_EXIT_SHUTDOWN", 8L);
        m.put("KVM_EXIT_FAIL_ENTRY", 9L);
        m.put("KVM_EXIT_INTR", 10L);
        m.put("KVM_EXIT_INTERNAL_ERROR", 17L);
        m.put("KVM_EXIT_SYSTEM_EVENT", 24L);
        m.put("KVM_EXIT_ARM_NISV", 28L);
        m.put("KVM_SYSTEM_EVENT_SHUTDOWN", 1L);
        m.put("KVM_SYSTEM_EVENT_RESET", 2L);
        return m;
    }

    /** The same names, as the Java bindings compute them. */
    static Map<String, Long> javaValues() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("sizeof(struct kvm_run)", KvmRun.sizeof());
        m.put("offsetof(struct kvm_run, request_interrupt_window)", KvmRun.request_interrupt_window$offset());
        m.put("offsetof(struct kvm_run, immediate_exit)", KvmRun.immediate_exit$offset());
        m.put("offsetof(struct kvm_run, exit_reason)", KvmRun.exit_reason$offset());
        m.put("offsetof(struct kvm_run, ready_for_interrupt_injection)", KvmRun.ready_for_interrupt_injection$offset());
        m.put("offsetof(struct kvm_run, if_flag)", KvmRun.if_flag$offset());
        m.put("offsetof(struct kvm_run, io.direction)", KvmRun.io_direction$offset());
        m.put("offsetof(struct kvm_run, io.size)", KvmRun.io_size$offset());
        m.put("offsetof(struct kvm_run, io.port)", KvmRun.io_port$offset());
        m.put("offsetof(struct kvm_run, io.count)", KvmRun.io_count$offset());
        m.put("offsetof(struct kvm_run, io.data_offset)", KvmRun.io_data_offset$offset());
        m.put("offsetof(struct kvm_run, mmio.phys_addr)", KvmRun.mmio_phys_addr$offset());
        m.put("offsetof(struct kvm_run, mmio.data)", KvmRun.mmio_data$offset());
        m.put("offsetof(struct kvm_run, mmio.len)", KvmRun.mmio_len$offset());
        m.put("offsetof(struct kvm_run, mmio.is_write)", KvmRun.mmio_is_write$offset());
        m.put("offsetof(struct kvm_run, fail_entry.hardware_entry_failure_reason)",
                KvmRun.fail_entry_hardware_entry_failure_reason$offset());
        m.put("offsetof(struct kvm_run, internal.suberror)", KvmRun.internal_suberror$offset());
        m.put("offsetof(struct kvm_run, internal.data)", KvmRun.internal_data$offset());
        m.put("offsetof(struct kvm_run, hypercall.nr)", KvmRun.hypercall_nr$offset());
        m.put("offsetof(struct kvm_run, hypercall.flags)", KvmRun.hypercall_flags$offset());
        m.put("offsetof(struct kvm_run, system_event.type)", KvmRun.system_event_type$offset());
        m.put("offsetof(struct kvm_run, arm_nisv.esr_iss)", KvmRun.arm_nisv_esr_iss$offset());
        m.put("offsetof(struct kvm_run, arm_nisv.fault_ipa)", KvmRun.arm_nisv_fault_ipa$offset());
        m.put("sizeof(struct kvm_regs)", KvmRegs.sizeof());
        m.put("offsetof(struct kvm_regs, rbx)", KvmRegs.offsetOf("rbx"));
        m.put("offsetof(struct kvm_regs, rsp)", KvmRegs.offsetOf("rsp"));
        m.put("offsetof(struct kvm_regs, r15)", KvmRegs.offsetOf("r15"));
        m.put("offsetof(struct kvm_regs, rip)", KvmRegs.rip$offset());
        m.put("offsetof(struct kvm_regs, rflags)", KvmRegs.rflags$offset());
        m.put("sizeof(struct kvm_segment)", KvmSegment.sizeof());
        m.put("offsetof(struct kvm_segment, limit)", KvmSegment.offsetOf("limit"));
        m.put("offsetof(struct kvm_segment, selector)", KvmSegment.offsetOf("selector"));
        m.put("offsetof(struct kvm_segment, type)", KvmSegment.offsetOf("type"));
        m.put("offsetof(struct kvm_segment, unusable)", KvmSegment.offsetOf("unusable"));
        m.put("sizeof(struct kvm_dtable)", KvmDtable.sizeof());
        m.put("offsetof(struct kvm_dtable, limit)", KvmDtable.limit$offset());
        m.put("sizeof(struct kvm_sregs)", KvmSregs.sizeof());
        for (String f : new String[] {"tr", "ldt", "gdt", "idt", "cr0", "cr3", "cr4", "cr8", "efer", "apic_base",
            "interrupt_bitmap"}) {
            m.put("offsetof(struct kvm_sregs, " + f + ")", KvmSregs.offsetOf(f));
        }
        m.put("sizeof(struct kvm_translation)", KvmTranslation.sizeof());
        m.put("offsetof(struct kvm_translation, physical_address)", KvmTranslation.offsetOf("physical_address"));
        m.put("offsetof(struct kvm_translation, valid)", KvmTranslation.offsetOf("valid"));
        m.put("sizeof(struct kvm_fpu)", KvmFpu.sizeof());
        m.put("offsetof(struct kvm_fpu, fcw)", KvmFpu.offsetOf("fcw"));
        m.put("offsetof(struct kvm_fpu, ftwx)", KvmFpu.offsetOf("ftwx"));
        m.put("offsetof(struct kvm_fpu, last_ip)", KvmFpu.offsetOf("last_ip"));
        m.put("offsetof(struct kvm_fpu, xmm)", KvmFpu.offsetOf("xmm"));
        m.put("offsetof(struct kvm_fpu, mxcsr)", KvmFpu.offsetOf("mxcsr"));
        m.put("sizeof(struct kvm_guest_debug)", KvmGuestDebug.sizeof());
        m.put("offsetof(struct kvm_guest_debug, arch)", KvmGuestDebug.offsetOf("debugreg"));
        m.put("KVM_GUESTDBG_ENABLE", (long) KvmGuestDebug.ENABLE);
        m.put("KVM_GUESTDBG_SINGLESTEP", (long) KvmGuestDebug.SINGLESTEP);
        m.put("KVM_GUESTDBG_USE_SW_BP", (long) KvmGuestDebug.USE_SW_BP);
        m.put("offsetof(struct kvm_run, debug.arch.exception)", 32L); // KvmX86VCpu.DEBUG_EXCEPTION_OFFSET
        m.put("sizeof(struct kvm_userspace_memory_region)", KvmUserspaceMemoryRegion.sizeof());
        for (String f : new String[] {"guest_phys_addr", "memory_size", "userspace_addr"}) {
            m.put("offsetof(struct kvm_userspace_memory_region, " + f + ")", KvmUserspaceMemoryRegion.offsetOf(f));
        }
        m.put("sizeof(struct kvm_one_reg)", KvmOneReg.sizeof());
        m.put("offsetof(struct kvm_one_reg, addr)", KvmOneReg.offsetOf("addr"));
        m.put("sizeof(struct kvm_device_attr)", KvmDeviceAttr.sizeof());
        for (String f : new String[] {"group", "attr", "addr"}) {
            m.put("offsetof(struct kvm_device_attr, " + f + ")", KvmDeviceAttr.offsetOf(f));
        }
        m.put("sizeof(struct kvm_cpuid2)", KvmCpuid2.layout().byteSize());
        m.put("sizeof(struct kvm_cpuid_entry2)", KvmCpuid2.entryLayout().byteSize());
        m.put("offsetof(struct kvm_cpuid_entry2, eax)", KvmCpuid2.entryOffsetOf("eax"));
        m.put("offsetof(struct kvm_cpuid_entry2, edx)", KvmCpuid2.entryOffsetOf("edx"));
        m.put("sizeof(struct kvm_create_device)", KvmCreateDevice.sizeof());
        m.put("offsetof(struct kvm_create_device, fd)", KvmCreateDevice.offsetOf("fd"));
        m.put("offsetof(struct kvm_create_device, flags)", KvmCreateDevice.offsetOf("flags"));
        m.put("sizeof(struct kvm_irq_level)", KvmIrqLevel.sizeof());
        m.put("offsetof(struct kvm_irq_level, irq)", KvmIrqLevel.offsetOf("irq"));
        m.put("offsetof(struct kvm_irq_level, level)", KvmIrqLevel.offsetOf("level"));
        m.put("sizeof(struct sigaction)", Sigaction.sizeof());
        m.put("offsetof(struct sigaction, sa_mask)", Sigaction.offsetOf("sa_mask"));
        m.put("offsetof(struct sigaction, sa_flags)", Sigaction.offsetOf("sa_flags"));
        for (String name : new String[] {"KVM_GET_API_VERSION", "KVM_CREATE_VM", "KVM_CHECK_EXTENSION",
            "KVM_GET_VCPU_MMAP_SIZE", "KVM_CREATE_VCPU", "KVM_GET_SUPPORTED_CPUID", "KVM_SET_CPUID2", "KVM_SET_USER_MEMORY_REGION", "KVM_RUN", "KVM_GET_REGS",
            "KVM_SET_REGS", "KVM_GET_SREGS", "KVM_SET_SREGS", "KVM_TRANSLATE", "KVM_GET_FPU", "KVM_SET_FPU",
            "KVM_SET_GUEST_DEBUG", "KVM_INTERRUPT", "KVM_ENABLE_CAP", "KVM_GET_ONE_REG",
            "KVM_SET_ONE_REG", "KVM_ARM_VCPU_INIT", "KVM_ARM_PREFERRED_TARGET", "KVM_SET_DEVICE_ATTR",
            "KVM_HAS_DEVICE_ATTR", "KVM_CREATE_DEVICE", "KVM_IRQ_LINE", "KVM_DEV_TYPE_ARM_VGIC_V3", "KVM_API_VERSION", "KVM_CAP_READONLY_MEM", "KVM_CAP_IMMEDIATE_EXIT",
            "KVM_CAP_ARM_NISV_TO_USER", "KVM_MEM_READONLY", "KVM_EXIT_IO", "KVM_EXIT_HYPERCALL", "KVM_EXIT_HLT",
            "KVM_EXIT_MMIO", "KVM_EXIT_IRQ_WINDOW_OPEN", "KVM_EXIT_SHUTDOWN", "KVM_EXIT_FAIL_ENTRY", "KVM_EXIT_INTR",
            "KVM_EXIT_INTERNAL_ERROR", "KVM_EXIT_SYSTEM_EVENT", "KVM_EXIT_ARM_NISV", "KVM_SYSTEM_EVENT_SHUTDOWN",
            "KVM_SYSTEM_EVENT_RESET"}) {
            m.put(name, constant(name));
        }
        return m;
    }

    /**
     * arm64-only values (arch/arm64/include/uapi/asm/kvm.h, Linux 6.1 and later; the vGIC ones are documented in
     * Documentation/virt/kvm/devices/arm-vgic-v3.rst and the KVM_IRQ_LINE layout in Documentation/virt/kvm/api.rst).
     */
    static Map<String, Long> arm64HeaderValues() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("KVM_ARM_VCPU_INIT", 0x4020AEAEL);
        m.put("KVM_ARM_PREFERRED_TARGET", 0x8020AEAFL);
        m.put("KVM_ARM_VCPU_PSCI_0_2", 2L);
        m.put("sizeof(struct kvm_vcpu_init)", 32L);
        m.put("sizeof(struct kvm_regs)", 864L);
        m.put("KVM_VGIC_V3_ADDR_TYPE_DIST", 2L);
        m.put("KVM_VGIC_V3_ADDR_TYPE_REDIST", 3L);
        m.put("KVM_DEV_ARM_VGIC_GRP_ADDR", 0L);
        m.put("KVM_DEV_ARM_VGIC_GRP_NR_IRQS", 3L);
        m.put("KVM_DEV_ARM_VGIC_GRP_CTRL", 4L);
        m.put("KVM_DEV_ARM_VGIC_CTRL_INIT", 0L);
        m.put("KVM_ARM_IRQ_TYPE_SHIFT", 24L);
        m.put("KVM_ARM_IRQ_TYPE_MASK", 0xFL);
        m.put("KVM_ARM_IRQ_VCPU_SHIFT", 16L);
        m.put("KVM_ARM_IRQ_VCPU_MASK", 0xFFL);
        m.put("KVM_ARM_IRQ_VCPU2_SHIFT", 28L);
        m.put("KVM_ARM_IRQ_NUM_MASK", 0xFFFFL);
        m.put("KVM_ARM_IRQ_TYPE_SPI", 1L);
        m.put("KVM_ARM_IRQ_TYPE_PPI", 2L);
        m.put("KVM_CREATE_DEVICE", 0xC00CAEE0L);
        m.put("KVM_IRQ_LINE", 0x4008AE61L);
        m.put("KVM_DEV_TYPE_ARM_VGIC_V3", 7L);
        m.put("sizeof(struct kvm_create_device)", 12L);
        m.put("sizeof(struct kvm_irq_level)", 8L);
        m.put("sizeof(struct kvm_device_attr)", 24L);
        m.put("sizeof(struct kvm_one_reg)", 16L);
        return m;
    }

    /** The arm64 names, as the Java bindings compute them. */
    static Map<String, Long> arm64JavaValues() {
        Map<String, Long> m = new LinkedHashMap<>();
        for (String name : arm64HeaderValues().keySet()) {
            long v = switch (name) {
                case "sizeof(struct kvm_vcpu_init)" -> KvmVcpuInit.sizeof();
                case "sizeof(struct kvm_regs)" -> KvmArm64Regs.sizeof();
                case "sizeof(struct kvm_create_device)" -> KvmCreateDevice.sizeof();
                case "sizeof(struct kvm_irq_level)" -> KvmIrqLevel.sizeof();
                case "sizeof(struct kvm_device_attr)" -> KvmDeviceAttr.sizeof();
                case "sizeof(struct kvm_one_reg)" -> KvmOneReg.sizeof();
                default -> constant(name);
            };
            m.put(name, v);
        }
        return m;
    }

    private static long constant(String name) {
        try {
            Object v = KvmIoctls.class.getField(name).get(null);
            return ((Number) v).longValue();
        } catch (ReflectiveOperationException e) {
            throw new AssertionError("KvmIoctls has no constant " + name, e);
        }
    }

    @Test
    void bindingsMatchTheHeaderValues() {
        assertEquals(headerValues(), javaValues());
    }

    @Test
    void arm64BindingsMatchTheHeaderValues() {
        assertEquals(arm64HeaderValues(), arm64JavaValues());
    }

    @Test
    void arm64BindingsMatchACProgramCompiledAgainstTheArm64Headers() throws Exception {
        Path include = Path.of("/usr/aarch64-linux-gnu/include");
        assumeTrue(Files.exists(include.resolve("asm/kvm.h")),
                "linux-libc-dev-arm64-cross is not installed (no " + include + "/asm/kvm.h)");
        Map<String, Long> fromC = compileAndRun("layout-arm64", arm64HeaderValues().keySet(), "-I" + include);
        assertEquals(arm64JavaValues(), fromC);
    }

    @Test
    void ioctlNamesAreKnown() {
        assertEquals("KVM_RUN", KvmIoctls.requestName(KvmIoctls.KVM_RUN));
        assertEquals("KVM_SET_SREGS", KvmIoctls.requestName(KvmIoctls.KVM_SET_SREGS));
        assertEquals("KVM_EXIT_MMIO", KvmIoctls.exitName(6));
    }

    @Test
    void arm64StructsHaveTheHeaderSizes() {
        assertEquals(864, KvmArm64Regs.sizeof());
        assertEquals(32, KvmVcpuInit.sizeof());
        assertEquals(24, KvmSmcccFilter.sizeof());
        assertEquals(8, KvmSmcccFilter.offsetOf("action"));
        assertEquals(272, KvmArm64Regs.offsetOf("sp_el1"));
        assertEquals(336, KvmArm64Regs.offsetOf("fp_regs"));
    }

    @Test
    void bindingsMatchACProgramCompiledAgainstLinuxKvmH() throws Exception {
        Path header = Path.of("/usr/include/linux/kvm.h");
        assumeTrue(Files.exists(header), "linux-libc-dev is not installed (no " + header + ")");
        // arm64-only ioctls are not defined in the x86_64 header (the arm64 test checks them)
        List<String> names = headerValues().keySet().stream().filter(n -> !n.startsWith("KVM_ARM_")).toList();
        Map<String, Long> fromC = compileAndRun("layout", names);
        Map<String, Long> java = new LinkedHashMap<>(javaValues());
        java.keySet().retainAll(fromC.keySet());
        assertEquals(fromC, java);
        assertEquals(headerValues().size() - 2, fromC.size(), "every value but the two arm64 ioctls was checked");
    }

    /**
     * Compiles and runs a C program that prints each name's value, with linux/kvm.h included.
     *
     * @param program the program's name under target/layout-check
     * @param names C expressions (sizeof, offsetof, macros)
     * @param gccOptions extra gcc options, e.g. an include directory
     * @return each name with the value the program printed
     */
    private static Map<String, Long> compileAndRun(String program, Iterable<String> names, String... gccOptions)
            throws Exception {
        Path dir = Files.createDirectories(Path.of("target", "layout-check"));
        Path source = dir.resolve(program + ".c");
        Path binary = dir.resolve(program);
        StringBuilder c = new StringBuilder("""
                #include <stddef.h>
                #include <stdio.h>
                #include <signal.h>
                #include <linux/kvm.h>
                #define P(name, value) printf("%s=%lu\\n", name, (unsigned long) (value))
                int main(void) {
                """);
        for (String name : names) {
            // Older headers (6.1) call the u64 at hypercall+64 "longmode" (a u32 plus padding); same offset.
            String expression = name.replace("hypercall.flags", "hypercall.longmode");
            c.append("    P(\"").append(name).append("\", ").append(expression).append(");\n");
        }
        c.append("    return 0;\n}\n");
        Files.writeString(source, c.toString());
        List<String> command = new ArrayList<>(List.of("gcc"));
        command.addAll(List.of(gccOptions));
        command.addAll(List.of("-o", binary.toString(), source.toString()));
        Process gcc;
        try {
            gcc = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            assumeTrue(false, "gcc is not installed: " + e.getMessage());
            throw new AssertionError(e);
        }
        String gccOut = new String(gcc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assumeTrue(gcc.waitFor(60, TimeUnit.SECONDS), "gcc timed out");
        assertEquals(0, gcc.exitValue(), "gcc failed:\n" + gccOut);
        Process run = new ProcessBuilder(binary.toString()).start();
        String out = new String(run.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, run.waitFor());
        Map<String, Long> fromC = new LinkedHashMap<>();
        for (String line : out.split("\n")) {
            int eq = line.lastIndexOf('=');
            fromC.put(line.substring(0, eq), Long.parseUnsignedLong(line.substring(eq + 1)));
        }
        return fromC;
    }
}
