package org.vcpu4j.tck.generators;

import org.vcpu4j.property.Gen;
import org.vcpu4j.api.AccessWidth;
import org.vcpu4j.tck.asm.X86MemAccess;
import org.vcpu4j.tck.asm.X86PortAccess;

/** generators over x86-64 guest code: moves to and from memory, port accesses, vectors. */
public final class X86Generators {
    private X86Generators() {}

    /**
     * {@return every MOV, MOVZX, MOVSX and MOVSXD between a register and an absolute address: all widths,
     * all sixteen registers, loads and (MOV) stores}
     *
     * @param addresses the addresses to access (aligned to 8 is safest; below 2 GiB)
     */
    public static Gen<X86MemAccess> memoryAccesses(Gen<Long> addresses) {
        Gen<X86MemAccess.Kind> kinds = Gen.of(X86MemAccess.Kind.class);
        Gen<AccessWidth> widths = Gen.of(AccessWidth.class);
        return Gen.combine(kinds, Gen.of(true, false), widths, widths,
                Gen.integers().between(0, 15), addresses)
                .filter((kind, store, mem, reg, r, a) -> valid(kind, store, mem, reg))
                .as(X86MemAccess::new);
    }

    /**
     * {@return IN and OUT of AL, AX and EAX, with imm8 ports 0x80-0x8F and 0xE0-0xEF and DX ports
     * 0x1000-0xFFFF (ports that KVM's in-kernel PIC, PIT and ELCR do not claim)}
     */
    public static Gen<X86PortAccess> portAccesses() {
        Gen<AccessWidth> widths = Gen.of(AccessWidth.BYTE, AccessWidth.WORD, AccessWidth.DWORD);
        Gen<Integer> imm8Ports = Gen.oneOf(Gen.integers().between(0x80, 0x8F),
                Gen.integers().between(0xE0, 0xEF));
        Gen<X86PortAccess> imm8 = Gen.combine(Gen.of(true, false), widths, imm8Ports)
                .as((in, w, p) -> new X86PortAccess(in, w, p, false));
        Gen<X86PortAccess> dx = Gen.combine(Gen.of(true, false), widths,
                Gen.integers().between(0x1000, 0xFFFF))
                .as((in, w, p) -> new X86PortAccess(in, w, p, true));
        return Gen.oneOf(imm8, dx);
    }

    /** {@return interrupt vectors a guest can take as external interrupts: 32-255} */
    public static Gen<Integer> vectors() {
        return Gen.integers().between(32, 255);
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
