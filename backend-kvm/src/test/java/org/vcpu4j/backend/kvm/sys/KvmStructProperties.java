package org.vcpu4j.backend.kvm.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;
import org.vcpu4j.property.Gen;
import org.vcpu4j.api.x86_64.DescriptorTable;
import org.vcpu4j.api.x86_64.Segment;
import org.vcpu4j.property.Property;

/** Struct accessors write exactly the fields they read back, at the header's offsets. */
class KvmStructProperties {

    Gen<Segment> segments() {
        Gen<Boolean> bit = Gen.of(true, false);
        return Gen.combine(Gen.longs(), Gen.integers(), Gen.integers().between(0, 0xFFFF),
                Gen.integers().between(0, 0xF), Gen.integers().between(0, 3),
                Gen.combine(bit, bit, bit, bit, bit, bit, bit).as((p, db, s, l, g, avl, u) ->
                        new boolean[] {p, db, s, l, g, avl, u}))
                .as((base, limit, selector, type, dpl, f) ->
                        new Segment(base, limit, selector, type, f[0], dpl, f[1], f[2], f[3], f[4], f[5], f[6]));
    }

    @Test
    void segmentsRoundTripThroughKvmSegment() {
        Property.forAll(segments()).tries(300).check(segment -> {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment sregs = arena.allocate(KvmSregs.layout());
                long at = KvmSregs.offsetOf("ss");
                KvmSegment.write(sregs, at, segment);
                assertEquals(segment, KvmSegment.read(sregs, at));
                assertEquals(segment.selector(), Short.toUnsignedInt(sregs.get(java.lang.foreign.ValueLayout.JAVA_SHORT,
                        at + 12)), "selector at offset 12 (linux/kvm.h struct kvm_segment)");
                assertEquals(segment.l() ? 1 : 0, sregs.get(java.lang.foreign.ValueLayout.JAVA_BYTE, at + 19), "l at 19");
            }
        });
    }

    @Test
    void descriptorTablesRoundTrip() {
        Property.forAll(Gen.longs(), limits()).tries(300).check((base, limit) -> {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment sregs = arena.allocate(KvmSregs.layout());
                DescriptorTable table = new DescriptorTable(base, limit);
                KvmDtable.write(sregs, KvmSregs.offsetOf("idt"), table);
                assertEquals(table, KvmDtable.read(sregs, KvmSregs.offsetOf("idt")));
                assertEquals(base, sregs.get(java.lang.foreign.ValueLayout.JAVA_LONG, 208));
            }
        });
    }

    Gen<Integer> limits() {
        return Gen.integers().between(0, 0xFFFF);
    }

    @Test
    void gprsMapEncodingOrderToKvmRegsFields() {
        Property.forAll(gprIndices(), Gen.longs()).tries(300).check((n, value) -> {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment regs = arena.allocate(KvmRegs.layout());
                KvmRegs.gpr(regs, n, value);
                String name = org.vcpu4j.api.x86_64.X86_64State.GPR_NAMES.get(n);
                assertEquals(value, regs.get(java.lang.foreign.ValueLayout.JAVA_LONG, KvmRegs.offsetOf(name)), name);
            }
        });
    }

    Gen<Integer> gprIndices() {
        return Gen.integers().between(0, 15);
    }

    /**
     * The arm64 {@code kvm_irq_level.irq} word decodes, the way kvm_vm_ioctl_irq_line (arch/arm64/kvm/arm.c)
     * does, to the type, vCPU index and INTID it was built from.
     */
    @Test
    void armIrqLinesDecodeAsTheKernelDecodesThem() {
        Property.forAll(irqTypes(), vcpuIndices(), intids()).tries(300).check((type, index, intid) -> {
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
        });
    }

    Gen<Integer> irqTypes() {
        return Gen.of(KvmIoctls.KVM_ARM_IRQ_TYPE_SPI, KvmIoctls.KVM_ARM_IRQ_TYPE_PPI);
    }

    Gen<Integer> vcpuIndices() {
        return Gen.integers().between(0, 4095);
    }

    Gen<Integer> intids() {
        return Gen.integers().between(16, 1019);
    }
}
