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
}
