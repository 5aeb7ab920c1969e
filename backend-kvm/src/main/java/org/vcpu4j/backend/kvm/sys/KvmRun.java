package org.vcpu4j.backend.kvm.sys;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;

/**
 * {@code struct kvm_run} (linux/kvm.h), the page shared with KVM through an mmap of the vCPU fd: 2352
 * bytes, identical header on x86_64 and arm64. Only the exit-union members the backend reads are
 * named: {@code io}, {@code mmio}, {@code fail_entry}, {@code internal}, {@code hypercall},
 * {@code system_event}, {@code arm_nisv}. jextract shape: {@link #layout()}, {@link #sizeof()},
 * {@code x$offset()} and static accessors on a {@link MemorySegment}.
 */
public final class KvmRun {
    private KvmRun() {}

    private static final GroupLayout IO = MemoryLayout.structLayout(
            JAVA_BYTE.withName("direction"), JAVA_BYTE.withName("size"), JAVA_SHORT.withName("port"),
            JAVA_INT.withName("count"), JAVA_LONG.withName("data_offset")).withName("io");
    private static final GroupLayout MMIO = MemoryLayout.structLayout(
            JAVA_LONG.withName("phys_addr"), MemoryLayout.sequenceLayout(8, JAVA_BYTE).withName("data"),
            JAVA_INT.withName("len"), JAVA_BYTE.withName("is_write"), MemoryLayout.paddingLayout(3)).withName("mmio");
    private static final GroupLayout FAIL_ENTRY = MemoryLayout.structLayout(
            JAVA_LONG.withName("hardware_entry_failure_reason"), JAVA_INT.withName("cpu"),
            MemoryLayout.paddingLayout(4)).withName("fail_entry");
    private static final GroupLayout INTERNAL = MemoryLayout.structLayout(
            JAVA_INT.withName("suberror"), JAVA_INT.withName("ndata"),
            MemoryLayout.sequenceLayout(16, JAVA_LONG).withName("data")).withName("internal");
    private static final GroupLayout HYPERCALL = MemoryLayout.structLayout(
            JAVA_LONG.withName("nr"), MemoryLayout.sequenceLayout(6, JAVA_LONG).withName("args"),
            JAVA_LONG.withName("ret"), JAVA_LONG.withName("flags")).withName("hypercall");
    private static final GroupLayout SYSTEM_EVENT = MemoryLayout.structLayout(
            JAVA_INT.withName("type"), JAVA_INT.withName("ndata"),
            MemoryLayout.sequenceLayout(16, JAVA_LONG).withName("data")).withName("system_event");
    private static final GroupLayout ARM_NISV = MemoryLayout.structLayout(
            JAVA_LONG.withName("esr_iss"), JAVA_LONG.withName("fault_ipa")).withName("arm_nisv");
    private static final GroupLayout EXIT_UNION = MemoryLayout.unionLayout(IO, MMIO, FAIL_ENTRY, INTERNAL, HYPERCALL,
            SYSTEM_EVENT, ARM_NISV, MemoryLayout.sequenceLayout(256, JAVA_BYTE).withName("padding"));

    private static final GroupLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_BYTE.withName("request_interrupt_window"), JAVA_BYTE.withName("immediate_exit"),
            MemoryLayout.paddingLayout(6),
            JAVA_INT.withName("exit_reason"), JAVA_BYTE.withName("ready_for_interrupt_injection"),
            JAVA_BYTE.withName("if_flag"), JAVA_SHORT.withName("flags"),
            JAVA_LONG.withName("cr8"), JAVA_LONG.withName("apic_base"),
            EXIT_UNION.withName("exit"),
            JAVA_LONG.withName("kvm_valid_regs"), JAVA_LONG.withName("kvm_dirty_regs"),
            MemoryLayout.sequenceLayout(2048, JAVA_BYTE).withName("s")).withName("kvm_run");

    private static long off(MemoryLayout.PathElement... path) {
        return LAYOUT.byteOffset(path);
    }

    private static final long REQUEST_INTERRUPT_WINDOW = off(groupElement("request_interrupt_window"));
    private static final long IMMEDIATE_EXIT = off(groupElement("immediate_exit"));
    private static final long EXIT_REASON = off(groupElement("exit_reason"));
    private static final long READY_FOR_INTERRUPT_INJECTION = off(groupElement("ready_for_interrupt_injection"));
    private static final long IF_FLAG = off(groupElement("if_flag"));
    private static final long EXIT = off(groupElement("exit"));
    private static final long IO_DIRECTION = EXIT + IO.byteOffset(groupElement("direction"));
    private static final long IO_SIZE = EXIT + IO.byteOffset(groupElement("size"));
    private static final long IO_PORT = EXIT + IO.byteOffset(groupElement("port"));
    private static final long IO_COUNT = EXIT + IO.byteOffset(groupElement("count"));
    private static final long IO_DATA_OFFSET = EXIT + IO.byteOffset(groupElement("data_offset"));
    private static final long MMIO_PHYS_ADDR = EXIT + MMIO.byteOffset(groupElement("phys_addr"));
    private static final long MMIO_DATA = EXIT + MMIO.byteOffset(groupElement("data"));
    private static final long MMIO_LEN = EXIT + MMIO.byteOffset(groupElement("len"));
    private static final long MMIO_IS_WRITE = EXIT + MMIO.byteOffset(groupElement("is_write"));
    private static final long FAIL_ENTRY_REASON = EXIT + FAIL_ENTRY.byteOffset(groupElement("hardware_entry_failure_reason"));
    private static final long INTERNAL_SUBERROR = EXIT + INTERNAL.byteOffset(groupElement("suberror"));
    private static final long INTERNAL_NDATA = EXIT + INTERNAL.byteOffset(groupElement("ndata"));
    private static final long INTERNAL_DATA = EXIT + INTERNAL.byteOffset(groupElement("data"));
    private static final long HYPERCALL_NR = EXIT + HYPERCALL.byteOffset(groupElement("nr"));
    private static final long HYPERCALL_FLAGS = EXIT + HYPERCALL.byteOffset(groupElement("flags"));
    private static final long SYSTEM_EVENT_TYPE = EXIT + SYSTEM_EVENT.byteOffset(groupElement("type"));
    private static final long ARM_NISV_ESR_ISS = EXIT + ARM_NISV.byteOffset(groupElement("esr_iss"));
    private static final long ARM_NISV_FAULT_IPA = EXIT + ARM_NISV.byteOffset(groupElement("fault_ipa"));

    /** {@return the layout of {@code struct kvm_run}} */
    public static GroupLayout layout() {
        return LAYOUT;
    }

    /** {@return {@code sizeof(struct kvm_run)}, 2352} */
    public static long sizeof() {
        return LAYOUT.byteSize();
    }

    /** {@return the offset of {@code request_interrupt_window}} */
    public static long request_interrupt_window$offset() {
        return REQUEST_INTERRUPT_WINDOW;
    }

    /** {@return the offset of {@code immediate_exit}} */
    public static long immediate_exit$offset() {
        return IMMEDIATE_EXIT;
    }

    /** {@return the offset of {@code exit_reason}} */
    public static long exit_reason$offset() {
        return EXIT_REASON;
    }

    /** {@return the offset of {@code ready_for_interrupt_injection}} */
    public static long ready_for_interrupt_injection$offset() {
        return READY_FOR_INTERRUPT_INJECTION;
    }

    /** {@return the offset of {@code if_flag}} */
    public static long if_flag$offset() {
        return IF_FLAG;
    }

    /** {@return the offset of {@code io.direction}} */
    public static long io_direction$offset() {
        return IO_DIRECTION;
    }

    /** {@return the offset of {@code io.size}} */
    public static long io_size$offset() {
        return IO_SIZE;
    }

    /** {@return the offset of {@code io.port}} */
    public static long io_port$offset() {
        return IO_PORT;
    }

    /** {@return the offset of {@code io.count}} */
    public static long io_count$offset() {
        return IO_COUNT;
    }

    /** {@return the offset of {@code io.data_offset}} */
    public static long io_data_offset$offset() {
        return IO_DATA_OFFSET;
    }

    /** {@return the offset of {@code mmio.phys_addr}} */
    public static long mmio_phys_addr$offset() {
        return MMIO_PHYS_ADDR;
    }

    /** {@return the offset of {@code mmio.data}} */
    public static long mmio_data$offset() {
        return MMIO_DATA;
    }

    /** {@return the offset of {@code mmio.len}} */
    public static long mmio_len$offset() {
        return MMIO_LEN;
    }

    /** {@return the offset of {@code mmio.is_write}} */
    public static long mmio_is_write$offset() {
        return MMIO_IS_WRITE;
    }

    /** {@return the offset of {@code fail_entry.hardware_entry_failure_reason}} */
    public static long fail_entry_hardware_entry_failure_reason$offset() {
        return FAIL_ENTRY_REASON;
    }

    /** {@return the offset of {@code internal.suberror}} */
    public static long internal_suberror$offset() {
        return INTERNAL_SUBERROR;
    }

    /** {@return the offset of {@code internal.data}} */
    public static long internal_data$offset() {
        return INTERNAL_DATA;
    }

    /** {@return the offset of {@code hypercall.nr}} */
    public static long hypercall_nr$offset() {
        return HYPERCALL_NR;
    }

    /** {@return the offset of {@code hypercall.flags}} */
    public static long hypercall_flags$offset() {
        return HYPERCALL_FLAGS;
    }

    /** {@return the offset of {@code system_event.type}} */
    public static long system_event_type$offset() {
        return SYSTEM_EVENT_TYPE;
    }

    /** {@return the offset of {@code arm_nisv.esr_iss}} */
    public static long arm_nisv_esr_iss$offset() {
        return ARM_NISV_ESR_ISS;
    }

    /** {@return the offset of {@code arm_nisv.fault_ipa}} */
    public static long arm_nisv_fault_ipa$offset() {
        return ARM_NISV_FAULT_IPA;
    }

    /** {@return {@code request_interrupt_window}} @param run a kvm_run segment */
    public static byte request_interrupt_window(MemorySegment run) {
        return run.get(JAVA_BYTE, REQUEST_INTERRUPT_WINDOW);
    }

    /** Sets {@code request_interrupt_window}. @param run a kvm_run segment @param value the value */
    public static void request_interrupt_window(MemorySegment run, byte value) {
        run.set(JAVA_BYTE, REQUEST_INTERRUPT_WINDOW, value);
    }

    /** {@return {@code immediate_exit}} @param run a kvm_run segment */
    public static byte immediate_exit(MemorySegment run) {
        return run.get(JAVA_BYTE, IMMEDIATE_EXIT);
    }

    /** Sets {@code immediate_exit}. @param run a kvm_run segment @param value the value */
    public static void immediate_exit(MemorySegment run, byte value) {
        run.set(JAVA_BYTE, IMMEDIATE_EXIT, value);
    }

    /** {@return {@code exit_reason}} @param run a kvm_run segment */
    public static int exit_reason(MemorySegment run) {
        return run.get(JAVA_INT, EXIT_REASON);
    }

    /** Sets {@code exit_reason} (for images built by tests). @param run a kvm_run segment @param value the value */
    public static void exit_reason(MemorySegment run, int value) {
        run.set(JAVA_INT, EXIT_REASON, value);
    }

    /** {@return {@code ready_for_interrupt_injection}} @param run a kvm_run segment */
    public static byte ready_for_interrupt_injection(MemorySegment run) {
        return run.get(JAVA_BYTE, READY_FOR_INTERRUPT_INJECTION);
    }

    /** {@return {@code if_flag}} @param run a kvm_run segment */
    public static byte if_flag(MemorySegment run) {
        return run.get(JAVA_BYTE, IF_FLAG);
    }

    /** {@return {@code io.direction}} @param run a kvm_run segment */
    public static byte io_direction(MemorySegment run) {
        return run.get(JAVA_BYTE, IO_DIRECTION);
    }

    /** {@return {@code io.size}} @param run a kvm_run segment */
    public static byte io_size(MemorySegment run) {
        return run.get(JAVA_BYTE, IO_SIZE);
    }

    /** {@return {@code io.port}} @param run a kvm_run segment */
    public static short io_port(MemorySegment run) {
        return run.get(JAVA_SHORT, IO_PORT);
    }

    /** {@return {@code io.count}} @param run a kvm_run segment */
    public static int io_count(MemorySegment run) {
        return run.get(JAVA_INT, IO_COUNT);
    }

    /** {@return {@code io.data_offset}} @param run a kvm_run segment */
    public static long io_data_offset(MemorySegment run) {
        return run.get(JAVA_LONG, IO_DATA_OFFSET);
    }

    /** {@return {@code mmio.phys_addr}} @param run a kvm_run segment */
    public static long mmio_phys_addr(MemorySegment run) {
        return run.get(JAVA_LONG, MMIO_PHYS_ADDR);
    }

    /** Sets {@code mmio.phys_addr}. @param run a kvm_run segment @param value the value */
    public static void mmio_phys_addr(MemorySegment run, long value) {
        run.set(JAVA_LONG, MMIO_PHYS_ADDR, value);
    }

    /** {@return the 8 bytes of {@code mmio.data} as a little-endian long} @param run a kvm_run segment */
    public static long mmio_data(MemorySegment run) {
        return run.get(JAVA_LONG, MMIO_DATA);
    }

    /** Sets the 8 bytes of {@code mmio.data}. @param run a kvm_run segment @param value the value */
    public static void mmio_data(MemorySegment run, long value) {
        run.set(JAVA_LONG, MMIO_DATA, value);
    }

    /** {@return {@code mmio.len}} @param run a kvm_run segment */
    public static int mmio_len(MemorySegment run) {
        return run.get(JAVA_INT, MMIO_LEN);
    }

    /** Sets {@code mmio.len}. @param run a kvm_run segment @param value the value */
    public static void mmio_len(MemorySegment run, int value) {
        run.set(JAVA_INT, MMIO_LEN, value);
    }

    /** {@return {@code mmio.is_write}} @param run a kvm_run segment */
    public static byte mmio_is_write(MemorySegment run) {
        return run.get(JAVA_BYTE, MMIO_IS_WRITE);
    }

    /** Sets {@code mmio.is_write}. @param run a kvm_run segment @param value the value */
    public static void mmio_is_write(MemorySegment run, byte value) {
        run.set(JAVA_BYTE, MMIO_IS_WRITE, value);
    }

    /** {@return {@code fail_entry.hardware_entry_failure_reason}} @param run a kvm_run segment */
    public static long fail_entry_hardware_entry_failure_reason(MemorySegment run) {
        return run.get(JAVA_LONG, FAIL_ENTRY_REASON);
    }

    /** {@return {@code internal.suberror}} @param run a kvm_run segment */
    public static int internal_suberror(MemorySegment run) {
        return run.get(JAVA_INT, INTERNAL_SUBERROR);
    }

    /** {@return {@code internal.ndata}} @param run a kvm_run segment */
    public static int internal_ndata(MemorySegment run) {
        return run.get(JAVA_INT, INTERNAL_NDATA);
    }

    /** {@return {@code internal.data[i]}} @param run a kvm_run segment @param i 0-15 */
    public static long internal_data(MemorySegment run, int i) {
        return run.get(JAVA_LONG, INTERNAL_DATA + 8L * i);
    }

    /** {@return {@code hypercall.nr}} @param run a kvm_run segment */
    public static long hypercall_nr(MemorySegment run) {
        return run.get(JAVA_LONG, HYPERCALL_NR);
    }

    /** Sets {@code hypercall.nr}. @param run a kvm_run segment @param value the value */
    public static void hypercall_nr(MemorySegment run, long value) {
        run.set(JAVA_LONG, HYPERCALL_NR, value);
    }

    /** {@return {@code hypercall.flags}} @param run a kvm_run segment */
    public static long hypercall_flags(MemorySegment run) {
        return run.get(JAVA_LONG, HYPERCALL_FLAGS);
    }

    /** Sets {@code hypercall.flags}. @param run a kvm_run segment @param value the value */
    public static void hypercall_flags(MemorySegment run, long value) {
        run.set(JAVA_LONG, HYPERCALL_FLAGS, value);
    }

    /** {@return {@code system_event.type}} @param run a kvm_run segment */
    public static int system_event_type(MemorySegment run) {
        return run.get(JAVA_INT, SYSTEM_EVENT_TYPE);
    }

    /** Sets {@code system_event.type}. @param run a kvm_run segment @param value the value */
    public static void system_event_type(MemorySegment run, int value) {
        run.set(JAVA_INT, SYSTEM_EVENT_TYPE, value);
    }

    /** {@return {@code arm_nisv.esr_iss}} @param run a kvm_run segment */
    public static long arm_nisv_esr_iss(MemorySegment run) {
        return run.get(JAVA_LONG, ARM_NISV_ESR_ISS);
    }

    /** Sets {@code arm_nisv.esr_iss}. @param run a kvm_run segment @param value the value */
    public static void arm_nisv_esr_iss(MemorySegment run, long value) {
        run.set(JAVA_LONG, ARM_NISV_ESR_ISS, value);
    }

    /** {@return {@code arm_nisv.fault_ipa}} @param run a kvm_run segment */
    public static long arm_nisv_fault_ipa(MemorySegment run) {
        return run.get(JAVA_LONG, ARM_NISV_FAULT_IPA);
    }

    /** Sets {@code arm_nisv.fault_ipa}. @param run a kvm_run segment @param value the value */
    public static void arm_nisv_fault_ipa(MemorySegment run, long value) {
        run.set(JAVA_LONG, ARM_NISV_FAULT_IPA, value);
    }
}
