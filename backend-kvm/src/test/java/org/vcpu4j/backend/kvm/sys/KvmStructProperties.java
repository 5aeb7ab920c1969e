package org.vcpu4j.backend.kvm.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.vcpu4j.api.x86_64.DescriptorTable;
import org.vcpu4j.api.x86_64.Segment;

/** Struct accessors write exactly the fields they read back, at the header's offsets. */
class KvmStructProperties {

    @Provide
    Arbitrary<Segment> segments() {
        Arbitrary<Boolean> bit = Arbitraries.of(true, false);
        return Combinators.combine(Arbitraries.longs(), Arbitraries.integers(), Arbitraries.integers().between(0, 0xFFFF),
                Arbitraries.integers().between(0, 0xF), Arbitraries.integers().between(0, 3),
                Combinators.combine(bit, bit, bit, bit, bit, bit, bit).as((p, db, s, l, g, avl, u) ->
                        new boolean[] {p, db, s, l, g, avl, u}))
                .as((base, limit, selector, type, dpl, f) ->
                        new Segment(base, limit, selector, type, f[0], dpl, f[1], f[2], f[3], f[4], f[5], f[6]));
    }

    @Property(tries = 300)
    void segmentsRoundTripThroughKvmSegment(@ForAll("segments") Segment segment) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment sregs = arena.allocate(KvmSregs.layout());
            long at = KvmSregs.offsetOf("ss");
            KvmSegment.write(sregs, at, segment);
            assertEquals(segment, KvmSegment.read(sregs, at));
            assertEquals(segment.selector(), Short.toUnsignedInt(sregs.get(java.lang.foreign.ValueLayout.JAVA_SHORT,
                    at + 12)), "selector at offset 12 (linux/kvm.h struct kvm_segment)");
            assertEquals(segment.l() ? 1 : 0, sregs.get(java.lang.foreign.ValueLayout.JAVA_BYTE, at + 19), "l at 19");
        }
    }

    @Property(tries = 300)
    void descriptorTablesRoundTrip(@ForAll long base, @ForAll("limits") int limit) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment sregs = arena.allocate(KvmSregs.layout());
            DescriptorTable table = new DescriptorTable(base, limit);
            KvmDtable.write(sregs, KvmSregs.offsetOf("idt"), table);
            assertEquals(table, KvmDtable.read(sregs, KvmSregs.offsetOf("idt")));
            assertEquals(base, sregs.get(java.lang.foreign.ValueLayout.JAVA_LONG, 208));
        }
    }

    @Provide
    Arbitrary<Integer> limits() {
        return Arbitraries.integers().between(0, 0xFFFF);
    }

    @Property(tries = 300)
    void gprsMapEncodingOrderToKvmRegsFields(@ForAll("gprIndices") int n, @ForAll long value) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment regs = arena.allocate(KvmRegs.layout());
            KvmRegs.gpr(regs, n, value);
            String name = org.vcpu4j.api.x86_64.X86_64State.GPR_NAMES.get(n);
            assertEquals(value, regs.get(java.lang.foreign.ValueLayout.JAVA_LONG, KvmRegs.offsetOf(name)), name);
        }
    }

    @Provide
    Arbitrary<Integer> gprIndices() {
        return Arbitraries.integers().between(0, 15);
    }

    /**
     * The arm64 {@code kvm_irq_level.irq} word decodes, the way kvm_vm_ioctl_irq_line (arch/arm64/kvm/arm.c)
     * does, to the type, vCPU index and INTID it was built from.
     */
    @Property(tries = 300)
    void armIrqLinesDecodeAsTheKernelDecodesThem(@ForAll("irqTypes") int type,
            @ForAll("vcpuIndices") int index, @ForAll("intids") int intid) {
        int irq = KvmIoctls.armIrq(type, index, intid);
        assertEquals(type, irq >>> 24 & 0xF, "type, bits 27:24");
        assertEquals(index, (irq >>> 16 & 0xFF) + (irq >>> 28 & 0xF) * 256, "vCPU index, bits 23:16 and 31:28");
        assertEquals(intid, irq & 0xFFFF, "INTID, bits 15:0");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment level = arena.allocate(KvmIrqLevel.layout());
            KvmIrqLevel.fill(level, irq, 1);
            assertEquals(irq, level.get(java.lang.foreign.ValueLayout.JAVA_INT, 0));
            assertEquals(1, level.get(java.lang.foreign.ValueLayout.JAVA_INT, 4));
        }
    }

    @Provide
    Arbitrary<Integer> irqTypes() {
        return Arbitraries.of(KvmIoctls.KVM_ARM_IRQ_TYPE_SPI, KvmIoctls.KVM_ARM_IRQ_TYPE_PPI);
    }

    @Provide
    Arbitrary<Integer> vcpuIndices() {
        return Arbitraries.integers().between(0, 4095);
    }

    @Provide
    Arbitrary<Integer> intids() {
        return Arbitraries.integers().between(16, 1019);
    }
}
