package org.vcpu4j.tck.arbitraries;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import org.vcpu4j.api.AccessWidth;
import org.vcpu4j.tck.asm.X86MemAccess;
import org.vcpu4j.tck.asm.X86PortAccess;

/** jqwik arbitraries over x86-64 guest code: moves to and from memory, port accesses, vectors. */
public final class X86Arbitraries {
    private X86Arbitraries() {}

    /**
     * {@return every MOV, MOVZX, MOVSX and MOVSXD between a register and an absolute address: all widths,
     * all sixteen registers, loads and (MOV) stores}
     *
     * @param addresses the addresses to access (aligned to 8 is safest; below 2 GiB)
     */
    public static Arbitrary<X86MemAccess> memoryAccesses(Arbitrary<Long> addresses) {
        Arbitrary<X86MemAccess.Kind> kinds = Arbitraries.of(X86MemAccess.Kind.class);
        Arbitrary<AccessWidth> widths = Arbitraries.of(AccessWidth.class);
        return Combinators.combine(kinds, Arbitraries.of(true, false), widths, widths,
                Arbitraries.integers().between(0, 15), addresses)
                .filter((kind, store, mem, reg, r, a) -> valid(kind, store, mem, reg))
                .as(X86MemAccess::new);
    }

    /**
     * {@return IN and OUT of AL, AX and EAX, with imm8 ports 0x80-0x8F and 0xE0-0xEF and DX ports
     * 0x1000-0xFFFF (ports that KVM's in-kernel PIC, PIT and ELCR do not claim)}
     */
    public static Arbitrary<X86PortAccess> portAccesses() {
        Arbitrary<AccessWidth> widths = Arbitraries.of(AccessWidth.BYTE, AccessWidth.WORD, AccessWidth.DWORD);
        Arbitrary<Integer> imm8Ports = Arbitraries.oneOf(Arbitraries.integers().between(0x80, 0x8F),
                Arbitraries.integers().between(0xE0, 0xEF));
        Arbitrary<X86PortAccess> imm8 = Combinators.combine(Arbitraries.of(true, false), widths, imm8Ports)
                .as((in, w, p) -> new X86PortAccess(in, w, p, false));
        Arbitrary<X86PortAccess> dx = Combinators.combine(Arbitraries.of(true, false), widths,
                Arbitraries.integers().between(0x1000, 0xFFFF))
                .as((in, w, p) -> new X86PortAccess(in, w, p, true));
        return Arbitraries.oneOf(imm8, dx);
    }

    /** {@return interrupt vectors a guest can take as external interrupts: 32-255} */
    public static Arbitrary<Integer> vectors() {
        return Arbitraries.integers().between(32, 255);
    }

    private static boolean valid(X86MemAccess.Kind kind, boolean store, AccessWidth mem, AccessWidth reg) {
        if (kind == X86MemAccess.Kind.MOV) {
            return mem == reg;
        }
        return !store && reg.bytes() > mem.bytes() && mem != AccessWidth.QWORD && reg != AccessWidth.BYTE
                && !(kind == X86MemAccess.Kind.MOVZX && mem == AccessWidth.DWORD)
                && !(mem == AccessWidth.DWORD && reg != AccessWidth.QWORD);
    }
}
