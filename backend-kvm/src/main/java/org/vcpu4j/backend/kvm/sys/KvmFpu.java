package org.vcpu4j.backend.kvm.sys;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import org.vcpu4j.api.x86_64.FpuState;

/**
 * x86 {@code struct kvm_fpu} (arch/x86/include/uapi/asm/kvm.h), the argument of {@code KVM_GET_FPU} and
 * {@code KVM_SET_FPU}, 416 bytes: fpr[8][16], fcw u16, fsw u16, ftwx u8 (the abridged tag word), pad1 u8,
 * last_opcode u16, last_ip u64, last_dp u64, xmm[16][16], mxcsr u32, pad2 u32.
 */
public final class KvmFpu {
    private KvmFpu() {}

    private static final GroupLayout LAYOUT = MemoryLayout.structLayout(
            MemoryLayout.sequenceLayout(128, JAVA_BYTE).withName("fpr"), JAVA_SHORT.withName("fcw"),
            JAVA_SHORT.withName("fsw"), JAVA_BYTE.withName("ftwx"), JAVA_BYTE.withName("pad1"),
            JAVA_SHORT.withName("last_opcode"), JAVA_LONG.withName("last_ip"), JAVA_LONG.withName("last_dp"),
            MemoryLayout.sequenceLayout(256, JAVA_BYTE).withName("xmm"), JAVA_INT.withName("mxcsr"),
            JAVA_INT.withName("pad2")).withName("kvm_fpu");

    private static final long FPR = offsetOf("fpr");
    private static final long FCW = offsetOf("fcw");
    private static final long FSW = offsetOf("fsw");
    private static final long FTWX = offsetOf("ftwx");
    private static final long LAST_OPCODE = offsetOf("last_opcode");
    private static final long LAST_IP = offsetOf("last_ip");
    private static final long LAST_DP = offsetOf("last_dp");
    private static final long XMM = offsetOf("xmm");
    private static final long MXCSR = offsetOf("mxcsr");

    /** {@return the layout} */
    public static GroupLayout layout() {
        return LAYOUT;
    }

    /** {@return {@code sizeof(struct kvm_fpu)}, 416} */
    public static long sizeof() {
        return LAYOUT.byteSize();
    }

    /** {@return the offset of a field} @param field a field name of the struct */
    public static long offsetOf(String field) {
        return LAYOUT.byteOffset(groupElement(field));
    }

    /** {@return the state a {@code KVM_GET_FPU} left in the struct} @param s the struct */
    public static FpuState read(MemorySegment s) {
        long[] x87 = new long[16];
        for (int i = 0; i < 8; i++) {
            x87[2 * i] = s.get(JAVA_LONG, FPR + 16L * i);
            x87[2 * i + 1] = s.get(JAVA_LONG, FPR + 16L * i + 8) & 0xFFFF;
        }
        long[] xmm = new long[32];
        for (int i = 0; i < 32; i++) {
            xmm[i] = s.get(JAVA_LONG, XMM + 8L * i);
        }
        return new FpuState(x87, s.get(JAVA_SHORT, FCW) & 0xFFFF, s.get(JAVA_SHORT, FSW) & 0xFFFF,
                s.get(JAVA_BYTE, FTWX) & 0xFF, s.get(JAVA_SHORT, LAST_OPCODE) & 0x7FF, s.get(JAVA_LONG, LAST_IP),
                s.get(JAVA_LONG, LAST_DP), xmm, s.get(JAVA_INT, MXCSR));
    }

    /** Fills the struct for {@code KVM_SET_FPU}. @param s the struct @param f the state */
    public static void write(MemorySegment s, FpuState f) {
        s.fill((byte) 0);
        long[] x87 = f.x87();
        for (int i = 0; i < 8; i++) {
            s.set(JAVA_LONG, FPR + 16L * i, x87[2 * i]);
            s.set(JAVA_LONG, FPR + 16L * i + 8, x87[2 * i + 1] & 0xFFFF);
        }
        s.set(JAVA_SHORT, FCW, (short) f.fcw());
        s.set(JAVA_SHORT, FSW, (short) f.fsw());
        s.set(JAVA_BYTE, FTWX, (byte) f.ftw());
        s.set(JAVA_SHORT, LAST_OPCODE, (short) f.fop());
        s.set(JAVA_LONG, LAST_IP, f.fip());
        s.set(JAVA_LONG, LAST_DP, f.fdp());
        long[] xmm = f.xmm();
        for (int i = 0; i < 32; i++) {
            s.set(JAVA_LONG, XMM + 8L * i, xmm[i]);
        }
        s.set(JAVA_INT, MXCSR, f.mxcsr());
    }
}
