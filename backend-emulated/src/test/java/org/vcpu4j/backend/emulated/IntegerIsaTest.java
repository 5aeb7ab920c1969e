package org.vcpu4j.backend.emulated;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.vcpu4j.api.VCpuExit;
import org.vcpu4j.api.aarch64.SystemRegister;

/**
 * The A64 base integer instructions and the SIMD&amp;FP moves, one program per class. Each program starts with a branch over a
 * 16-byte aligned data area ({@code buf}), runs from {@code snippet} and ends in {@code hvc #0}. The
 * expected registers and flags were produced by running the same code under {@code qemu-aarch64}
 * (registers that hold addresses differ between the two and are not compared). The MMU is on with
 * RAM as Normal memory, as a Linux process's memory is, so unaligned accesses work as they did there.
 */
class IntegerIsaTest {

    /** One program and the state QEMU left after it. */
    record Case(String name, int[] words, long[] x, int nzcv, int[] unchecked) {
        /** Marker in {@code words}: the next word is the byte offset the following words start at. */
        static final int PAD_TO = 0x7FFF_FFF7;

        int[] image() {
            List<Integer> out = new ArrayList<>();
            for (int i = 0; i < words.length; i++) {
                if (words[i] == PAD_TO) {
                    int target = words[++i] / 4;
                    while (out.size() < target) {
                        out.add(0);
                    }
                } else {
                    out.add(words[i]);
                }
            }
            out.add(0xd4000002); // hvc #0
            return out.stream().mapToInt(Integer::intValue).toArray();
        }
    }

    @TestFactory
    Stream<DynamicTest> eachClassMatchesQemu() {
        return cases().stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> check(c)));
    }

    private static void check(Case c) {
        try (Guest g = new Guest(c.image())) {
            g.enableMmu(true);
            g.edit(b -> b.sys(SystemRegister.CPACR_EL1, 3L << 20)); // FP/SIMD enabled, as under Linux
            VCpuExit exit = g.run();
            assertInstanceOf(VCpuExit.Hypercall.class, exit, c.name() + " should end in its HVC, not " + exit);
            var state = g.state();
            List<String> wrong = new ArrayList<>();
            outer:
            for (int i = 0; i < 31; i++) {
                for (int u : c.unchecked()) {
                    if (u == i) {
                        continue outer;
                    }
                }
                if (state.x(i) != c.x()[i]) {
                    wrong.add(String.format("x%d = 0x%x, QEMU 0x%x", i, state.x(i), c.x()[i]));
                }
            }
            assertEquals(List.of(), wrong, c.name());
            assertEquals(c.nzcv(), (int) (state.pstate() >>> 28) & 0xF, c.name() + " NZCV");
        }
    }

    private static List<Case> cases() {
        return List.of(
        new Case("addsub",
            new int[] {
                0x14000044, // b 110 <snippet>
                0xd503201f, 0xd503201f, 0xd503201f, // data
                Case.PAD_TO, 0x110,
                0xd51b421f, // msr nzcv, xzr
                0xd2ffffe0, // mov x0, #0xffff000000000000
                0xab000001, // adds x1, x0, x0
                0x92800002, // mov x2, #0xffffffffffffffff
                0xb1000443, // adds x3, x2, #0x1
                0xd53b4204, // mrs x4, nzcv
                0x717ffc45, // subs w5, w2, #0xfff, lsl #12
                0xd53b4206, // mrs x6, nzcv
                0x12b00007, // mov w7, #0x7fffffff
                0x310004e8, // adds w8, w7, #0x1
                0xd53b4209, // mrs x9, nzcv
                0xcb070c0a, // sub x10, x0, x7, lsl #3
                0x0b8210eb, // add w11, w7, w2, asr #4
                0xeb40f0ec, // subs x12, x7, x0, lsr #60
                0xd53b420d, // mrs x13, nzcv
                0xb100045f, // cmn x2, #0x1
                0xd53b420e, // mrs x14, nzcv
                0xcb0703ef, // neg x15, x7
                0x6b0703f0, // negs w16, w7
                0xd53b4211, // mrs x17, nzcv
                0xeb02001f, // cmp x0, x2
                0xd53b4212, // mrs x18, nzcv
                0x8b27c813, // add x19, x0, w7, sxtw #2
                0xcb222414, // sub x20, x0, w2, uxth #1
                0xab228015, // adds x21, x0, w2, sxtb
                0xd53b4216, // mrs x22, nzcv
                0x0b2210f7, // add w23, w7, w2, uxtb #4
                0x6b020058, // subs w24, w2, w2
                0xd53b4219, // mrs x25, nzcv
                0x8b07fc5a, // add x26, x2, x7, lsl #63
            },
            new long[] {0xffff000000000000L, 0xfffe000000000000L, 0xffffffffffffffffL, 0x0L, 0x60000000L, 0xff000fffL, 0xa0000000L, 0x7fffffffL, 0x80000000L, 0x90000000L, 0xfffefffc00000008L, 0x7ffffffeL, 0x7ffffff0L, 0x20000000L, 0x60000000L, 0xffffffff80000001L, 0x80000001L, 0x80000000L, 0x80000000L, 0xffff0001fffffffcL, 0xfffefffffffe0002L, 0xfffeffffffffffffL, 0xa0000000L, 0x80000fefL, 0x0L, 0x60000000L, 0x7fffffffffffffffL, 0x0L, 0x0L, 0x0L, 0x0L},
            0x6, new int[] {}),
        new Case("adr",
            new int[] {
                0x14000044, // b 110 <snippet>
                0xd503201f, 0xd503201f, 0xd503201f, // data
                Case.PAD_TO, 0x110,
                0xd51b421f, // msr nzcv, xzr
                0x10000000, // adr x0, 114 <snippet+0x4>
                0x10001f41, // adr x1, 500 <snippet_end+0x3cc>
                0xcb000022, // sub x2, x1, x0
                0x90000003, // adrp x3, 0 <_start>
                0xb0000024, // adrp x4, 0 <_start>
                0xcb030085, // sub x5, x4, x3
                0x10ffffe6, // adr x6, 128 <snippet+0x18>
                0xcb060007, // sub x7, x0, x6
            },
            new long[] {0L, 0L, 0x3ecL, 0L, 0L, 0x5000L, 0L, 0xffffffffffffffecL, 0x0L, 0x0L, 0x0L, 0x0L, 0x0L, 0x0L, 0x0L, 0x0L, 0x0L, 0x0L, 0x0L, 0x0L, 0x0L, 0x0L, 0x0L, 0x0L, 0x0L, 0x0L, 0x0L, 0x0L, 0x0L, 0x0L, 0x0L},
            0x0, new int[] {0, 1, 3, 4, 6}),
        new Case("atomics",
            new int[] {
                0x14000044, // b 110 <snippet>
                0xd503201f, 0xd503201f, 0xd503201f, // data
                Case.PAD_TO, 0x110,
                0xd51b421f, // msr nzcv, xzr
                0x10fff7fc, // adr x28, 10 <buf>
                0xd28000a0, // mov x0, #0x5
                0xf9000380, // str x0, [x28]
                0xd2800061, // mov x1, #0x3
                0xf8210382, // ldadd x1, x2, [x28]
                0xf9400383, // ldr x3, [x28]
                0x92800004, // mov x4, #0xffffffffffffffff
                0xf8244385, // ldsmax x4, x5, [x28]
                0xf8246386, // ldumax x4, x6, [x28]
                0xf9400387, // ldr x7, [x28]
                0xf8211388, // ldclr x1, x8, [x28]
                0xf8212389, // ldeor x1, x9, [x28]
                0xf821338a, // ldset x1, x10, [x28]
                0xf940038b, // ldr x11, [x28]
                0xf820838c, // swp x0, x12, [x28]
                0xf824538d, // ldsmin x4, x13, [x28]
                0xf824738e, // ldumin x4, x14, [x28]
                0xf940038f, // ldr x15, [x28]
                0x92800010, // mov x16, #0xffffffffffffffff
                0xd28009b1, // mov x17, #0x4d
                0xc8b07f91, // cas x16, x17, [x28]
                0xaa1003f2, // mov x18, x16
                0xc8f0ff91, // casal x16, x17, [x28]
                0xf9400393, // ldr x19, [x28]
                0x52801ff4, // mov w20, #0xff
                0x39002394, // strb w20, [x28, #8]
                0x9100239d, // add x29, x28, #0x8
                0x382103b5, // ldaddb w1, w21, [x29]
                0x39402396, // ldrb w22, [x28, #8]
                0xc85f7f97, // ldxr x23, [x28]
                0xc8187f80, // stxr w24, x0, [x28]
                0xc8197f81, // stxr w25, x1, [x28]
                0x885fff9a, // ldaxr w26, [x28]
                0x9100439d, // add x29, x28, #0x10
                0x889fffba, // stlr w26, [x29]
                0xc8dfffbb, // ldar x27, [x29]
                0xd2800020, // mov x0, #0x1
                0xd2800041, // mov x1, #0x2
                0xc87f0f82, // ldxp x2, x3, [x28]
                0xc8240780, // stxp w4, x0, x1, [x28]
                0xa9401b85, // ldp x5, x6, [x28]
                0xd2800026, // mov x6, #0x1
                0xd2800047, // mov x7, #0x2
                0xd2800148, // mov x8, #0xa
                0xd2800289, // mov x9, #0x14
                0x48267f88, // casp x6, x7, x8, x9, [x28]
                0xa940338b, // ldp x11, x12, [x28]
                0xf861039f, // staddl x1, [x28]
                0xf940038d, // ldr x13, [x28]
                0x38bfc38e, // ldaprb w14, [x28]
                0xb8e1838f, // swpal w1, w15, [x28]
                0xf9400390, // ldr x16, [x28]
                0x08ae7f91, // casb w14, w17, [x28]
                0xf9400391, // ldr x17, [x28]
                0x92800012, // mov x18, #0xffffffffffffffff
                0x78325393, // ldsminh w18, w19, [x28]
                0xf9400394, // ldr x20, [x28]
            },
            new long[] {0x1L, 0x2L, 0x5L, 0x2L, 0x0L, 0x1L, 0x1L, 0x2L, 0xaL, 0x14L, 0xffffffffffffffffL, 0xaL, 0x14L, 0xcL, 0x2L, 0xcL, 0x2L, 0x2L, 0xffffffffffffffffL, 0x2L, 0xffffL, 0xffL, 0x2L, 0x4dL, 0x0L, 0x1L, 0x5L, 0x5L, 0L, 0L, 0x0L},
            0x0, new int[] {28, 29}),
        new Case("bitfield",
            new int[] {
                0x14000044, // b 110 <snippet>
                0xd503201f, 0xd503201f, 0xd503201f, // data
                Case.PAD_TO, 0x110,
                0xd51b421f, // msr nzcv, xzr
                0xd2886420, // mov x0, #0x4321
                0xf2b0eca0, // movk x0, #0x8765, lsl #16
                0xf2c86420, // movk x0, #0x4321, lsl #32
                0xf2f0eca0, // movk x0, #0x8765, lsl #48
                0xf2900000, // movk x0, #0x8000
                0xd3443c01, // ubfx x1, x0, #4, #12
                0x937cfc02, // asr x2, x0, #60
                0x130c3c03, // sbfx w3, w0, #12, #4
                0xd35c1c04, // ubfiz x4, x0, #36, #8
                0x934e3405, // sbfiz x5, x0, #50, #14
                0xd373c806, // lsl x6, x0, #13
                0x53077c07, // lsr w7, w0, #7
                0x9361fc08, // asr x8, x0, #33
                0x131f7c09, // asr w9, w0, #31
                0x9280000a, // mov x10, #0xffffffffffffffff
                0xb3783c0a, // bfi x10, x0, #8, #16
                0x3200f3eb, // mov w11, #0x55555555
                0x33032c0b, // bfxil w11, w0, #3, #9
                0x93401c0c, // sxtb x12, w0
                0x13003c0d, // sxth w13, w0
                0x93407c0e, // sxtw x14, w0
                0x53001c0f, // uxtb w15, w0
                0x53003c10, // uxth w16, w0
                0x93ca3411, // extr x17, x0, x10, #13
                0x138b7c12, // extr w18, w0, w11, #31
                0x93c0f013, // ror x19, x0, #60
                0x13800014, // ror w20, w0, #0
                0xb37b27f5, // bfc x21, #5, #10
                0xd29ffff6, // mov x22, #0xffff
                0x33040c16, // bfi w22, w0, #28, #4
            },
            new long[] {0x8765432187658000L, 0x800L, 0xfffffffffffffff8L, 0xfffffff8L, 0x0L, 0x0L, 0xa86430ecb0000000L, 0x10ecb00L, 0xffffffffc3b2a190L, 0xffffffffL, 0xffffffffff8000ffL, 0x55555400L, 0x0L, 0xffff8000L, 0xffffffff87658000L, 0x0L, 0x8000L, 0x7fffffffffc00L, 0xecb0000L, 0x7654321876580008L, 0x87658000L, 0x0L, 0xffffL, 0x0L, 0x0L, 0x0L, 0x0L, 0x0L, 0x0L, 0x0L, 0x0L},
            0x0, new int[] {}),
        new Case("bits",
            new int[] {
                0x14000044, // b 110 <snippet>
                0xd503201f, 0xd503201f, 0xd503201f, // data
                Case.PAD_TO, 0x110,
                0xd51b421f, // msr nzcv, xzr
                0xd299bde0, // mov x0, #0xcdef
                0xf2b13560, // movk x0, #0x89ab, lsl #16
                0xf2c8ace0, // movk x0, #0x4567, lsl #32
                0xf2e02460, // movk x0, #0x123, lsl #48
                0xdac00001, // rbit x1, x0
                0x5ac00002, // rbit w2, w0
                0xdac00c03, // rev x3, x0
                0x5ac00804, // rev w4, w0
                0xdac00405, // rev16 x5, x0
                0x5ac00406, // rev16 w6, w0
                0xdac00807, // rev32 x7, x0
                0xdac01008, // clz x8, x0
                0x5ac013e9, // clz w9, wzr
                0xd2be000a, // mov x10, #0xf0000000
                0xdac0154b, // cls x11, x10
                0x5ac0154c, // cls w12, w10
                0x9280000d, // mov x13, #0xffffffffffffffff
                0xdac015ae, // cls x14, x13
                0xdac011af, // clz x15, x13
                0x5ac017f0, // cls w16, wzr
                0x9acd2011, // lsl x17, x0, x13
                0x1acd2412, // lsr w18, w0, w13
                0x9ac029b3, // asr x19, x13, x0
                0x9aca2c14, // ror x20, x0, x10
                0xd2800435, // mov x21, #0x21
                0x1ad52016, // lsl w22, w0, w21
                0x9ad52817, // asr x23, x0, x21
                0x1ad52c18, // ror w24, w0, w21
            },
            new long[] {0x123456789abcdefL, 0xf7b3d591e6a2c480L, 0xf7b3d591L, 0xefcdab8967452301L, 0xefcdab89L, 0x23016745ab89efcdL, 0xab89efcdL, 0x67452301efcdab89L, 0x7L, 0x20L, 0xf0000000L, 0x1fL, 0x3L, 0xffffffffffffffffL, 0x3fL, 0x0L, 0x1fL, 0x8000000000000000L, 0x1L, 0xffffffffffffffffL, 0x123456789abcdefL, 0x21L, 0x13579bdeL, 0x91a2b3L, 0xc4d5e6f7L, 0x0L, 0x0L, 0x0L, 0x0L, 0x0L, 0x0L},
            0x0, new int[] {}),
        new Case("branch",
            new int[] {
                0x14000044, // b 110 <snippet>
                0xd503201f, 0xd503201f, 0xd503201f, // data
                Case.PAD_TO, 0x110,
                0xd51b421f, // msr nzcv, xzr
                0xd2800000, // mov x0, #0x0
                0xd2800061, // mov x1, #0x3
                0x91002800, // add x0, x0, #0xa
                0xf1000421, // subs x1, x1, #0x1
                0x54ffffc1, // b.ne 11c <snippet+0xc>
                0xb4000041, // cbz x1, 130 <snippet+0x20>
                0xd2800c60, // mov x0, #0x63
                0xb5000040, // cbnz x0, 138 <snippet+0x28>
                0xd2800c40, // mov x0, #0x62
                0xd2c00022, // mov x2, #0x100000000
                0xb6000042, // tbz x2, #32, 144 <snippet+0x34>
                0xb7000042, // tbnz x2, #32, 148 <snippet+0x38>
                0xd2800c20, // mov x0, #0x61
                0x36000042, // tbz w2, #0, 150 <snippet+0x40>
                0xd2800c00, // mov x0, #0x60
                0x94000003, // bl 15c <snippet+0x4c>
                0xd2800023, // mov x3, #0x1
                0x14000005, // b 16c <snippet+0x5c>
                0xd2800044, // mov x4, #0x2
                0x10fffdfc, // adr x28, 11c <snippet+0xc>
                0xcb1c03c5, // sub x5, x30, x28
                0xd65f03c0, // ret
                0x1000007c, // adr x28, 178 <snippet+0x68>
                0xd63f0380, // blr x28
                0x14000003, // b 180 <snippet+0x70>
                0xd2800066, // mov x6, #0x3
                0xd61f03c0, // br x30
                0xd2800087, // mov x7, #0x4
                0x1000007c, // adr x28, 190 <snippet+0x80>
                0xd61f0380, // br x28
                0xd28000a7, // mov x7, #0x5
                0xf10010ff, // cmp x7, #0x4
                0x54000040, // b.eq 19c <snippet+0x8c>
                0xd2800028, // mov x8, #0x1
                0x5400006c, // b.gt 1a8 <snippet+0x98>
                0x5400004d, // b.le 1a8 <snippet+0x98>
                0xd2800048, // mov x8, #0x2
                0xd2800009, // mov x9, #0x0
                0x35000049, // cbnz w9, 1b4 <snippet+0xa4>
                0xd28000ea, // mov x10, #0x7
                0x8b01001d, // add x29, x0, x1
            },
            new long[] {0x1eL, 0x0L, 0x100000000L, 0x1L, 0x2L, 0x38L, 0x3L, 0x4L, 0x0L, 0x0L, 0x7L, 0x0L, 0x0L, 0x0L, 0x0L, 0x0L, 0x0L, 0x0L, 0x0L, 0x0L, 0x0L, 0x0L, 0x0L, 0x0L, 0x0L, 0x0L, 0x0L, 0x0L, 0L, 0x1eL, 0L},
            0x6, new int[] {30, 28}),
        new Case("carry",
            new int[] {
                0x14000044, // b 110 <snippet>
                0xd503201f, 0xd503201f, 0xd503201f, // data
                Case.PAD_TO, 0x110,
                0xd51b421f, // msr nzcv, xzr
                0x92800000, // mov x0, #0xffffffffffffffff
                0xd2800021, // mov x1, #0x1
                0xab010002, // adds x2, x0, x1
                0x9a010003, // adc x3, x0, x1
                0xba010024, // adcs x4, x1, x1
                0xd53b4205, // mrs x5, nzcv
                0xda000026, // sbc x6, x1, x0
                0xeb010027, // subs x7, x1, x1
                0xfa000028, // sbcs x8, x1, x0
                0xd53b4209, // mrs x9, nzcv
                0x52b0000a, // mov w10, #0x80000000
                0x7a01014b, // sbcs w11, w10, w1
                0xd53b420c, // mrs x12, nzcv
                0x3a0a014d, // adcs w13, w10, w10
                0xd53b420e, // mrs x14, nzcv
                0xda0103ef, // ngc x15, x1
                0x7a0103f0, // ngcs w16, w1
                0xd53b4211, // mrs x17, nzcv
            },
            new long[] {0xffffffffffffffffL, 0x1L, 0x0L, 0x1L, 0x3L, 0x0L, 0x1L, 0x0L, 0x2L, 0x0L, 0x80000000L, 0x7ffffffeL, 0x30000000L, 0x1L, 0x30000000L, 0xffffffffffffffffL, 0xffffffffL, 0x80000000L, 0x0L, 0x0L, 0x0L, 0x0L, 0x0L, 0x0L, 0x0L, 0x0L, 0x0L, 0x0L, 0x0L, 0x0L, 0x0L},
            0x8, new int[] {}),
        new Case("condsel",
            new int[] {
                0x14000044, // b 110 <snippet>
                0xd503201f, 0xd503201f, 0xd503201f, // data
                Case.PAD_TO, 0x110,
                0xd51b421f, // msr nzcv, xzr
                0xd28000a0, // mov x0, #0x5
                0xd28000e1, // mov x1, #0x7
                0xeb01001f, // cmp x0, x1
                0x9a81b002, // csel x2, x0, x1, lt
                0x9a81a403, // csinc x3, x0, x1, ge
                0x5a818004, // csinv w4, w0, w1, hi
                0xda819405, // csneg x5, x0, x1, ls
                0x9a9f57e6, // cset x6, mi
                0x5a9f43e7, // csetm w7, pl
                0x9a800408, // cinc x8, x0, ne
                0xda811429, // cneg x9, x1, eq
                0xfa45b802, // ccmp x0, #0x5, #0x2, lt
                0xd53b420a, // mrs x10, nzcv
                0xfa41c006, // ccmp x0, x1, #0x6, gt
                0xd53b420b, // mrs x11, nzcv
                0x3a450809, // ccmn w0, #0x5, #0x9, eq
                0xd53b420c, // mrs x12, nzcv
                0x9280008d, // mov x13, #0xfffffffffffffffb
                0xba4d0000, // ccmn x0, x13, #0x0, eq
                0xd53b420e, // mrs x14, nzcv
                0x6b00001f, // cmp w0, w0
                0x1a81200f, // csel w15, w0, w1, cs
                0x1a816010, // csel w16, w0, w1, vs
                0x1a817011, // csel w17, w0, w1, vc
                0x1a81c012, // csel w18, w0, w1, gt
                0x1a81d013, // csel w19, w0, w1, le
                0x1a81e014, // csel w20, w0, w1, al
                0x1a81f015, // csel w21, w0, w1, nv
                0x1a813016, // csel w22, w0, w1, cc
            },
            new long[] {0x5L, 0x7L, 0x5L, 0x8L, 0xfffffff8L, 0x5L, 0x1L, 0x0L, 0x6L, 0x7L, 0x60000000L, 0x60000000L, 0x0L, 0xfffffffffffffffbL, 0x0L, 0x5L, 0x7L, 0x5L, 0x7L, 0x5L, 0x5L, 0x5L, 0x7L, 0x0L, 0x0L, 0x0L, 0x0L, 0x0L, 0x0L, 0x0L, 0x0L},
            0x6, new int[] {}),
        new Case("fpmove",
            new int[] {
                0x14000044, // b 110 <snippet>
                0xd503201f, 0xd503201f, 0xd503201f, // data
                Case.PAD_TO, 0x110,
                0xd51b421f, // msr nzcv, xzr
                0x10fff7fc, // adr x28, 10 <buf>
                0xd299bde0, // mov x0, #0xcdef
                0xf2b13560, // movk x0, #0x89ab, lsl #16
                0xf2c8ace0, // movk x0, #0x4567, lsl #32
                0xf2e02460, // movk x0, #0x123, lsl #48
                0xd2864201, // mov x1, #0x3210
                0xf2aeca81, // movk x1, #0x7654, lsl #16
                0xf2d75301, // movk x1, #0xba98, lsl #32
                0xf2ffdb81, // movk x1, #0xfedc, lsl #48
                0x9e670000, // fmov d0, x0
                0x9eaf0020, // fmov v0.d[1], x1
                0x3d800380, // str q0, [x28]
                0xfd400781, // ldr d1, [x28, #8]
                0x9e660022, // fmov x2, d1
                0xbd400782, // ldr s2, [x28, #4]
                0x1e260043, // fmov w3, s2
                0x7d400783, // ldr h3, [x28, #2]
                0x0e023c64, // umov w4, v3.h[0]
                0x3d403f84, // ldr b4, [x28, #15]
                0x0e013c85, // umov w5, v4.b[0]
                0x3dc00385, // ldr q5, [x28]
                0x4e183ca6, // mov x6, v5.d[1]
                0x0e1c3ca7, // mov w7, v5.s[3]
                0x4e1f2ca8, // smov x8, v5.b[15]
                0x0e1a2ca9, // smov w9, v5.h[6]
                0x6f05e546, // movi v6.2d, #0xff00ff00ff00ff00
                0x9e6600ca, // fmov x10, d6
                0x4f002647, // movi v7.4s, #0x12, lsl #8
                0x4e183ceb, // mov x11, v7.d[1]
                0x6f018688, // mvni v8.8h, #0x34
                0x4e083d0c, // mov x12, v8.d[0]
                0x4f007427, // orr v7.4s, #0x1, lsl #24
                0x4e183ced, // mov x13, v7.d[1]
                0x2f00e409, // movi d9, #0x0
                0x9e66012e, // fmov x14, d9
                0x6f03f70a, // fmov v10.2d, #1.500000000000000000e+00
                0x4e183d4f, // mov x15, v10.d[1]
                0x4f06f60b, // fmov v11.4s, #-2.500000000000000000e-01
                0x4e083d70, // mov x16, v11.d[0]
                0x0e010c0c, // dup v12.8b, w0
                0x9e660191, // fmov x17, d12
                0x4e1404ad, // dup v13.4s, v5.s[2]
                0x4e183db2, // mov x18, v13.d[1]
                0x4e071c2d, // mov v13.b[3], w1
                0x4e083db3, // mov x19, v13.d[0]
                0x6e1e14ad, // mov v13.h[7], v5.h[1]
                0x4e183db4, // mov x20, v13.d[1]
                0xad013785, // stp q5, q13, [x28, #32]
                0x6d42bf8e, // ldp d14, d15, [x28, #40]
                0x9e6601d5, // fmov x21, d14
                0x9e6601f6, // fmov x22, d15
                0x9101039d, // add x29, x28, #0x40
                0x2dbf37a5, // stp s5, s13, [x29, #-8]!
                0xf94003b7, // ldr x23, [x29]
                0xcb1c03b8, // sub x24, x29, x28
                0x3cc10f90, // ldr q16, [x28, #16]!
                0x4e183e19, // mov x25, v16.d[1]
                0x3d000785, // str b5, [x28, #1]
                0xf940039a, // ldr x26, [x28]
                0x9c000091, // ldr q17, 210 <flit>
                0x4e183e3b, // mov x27, v17.d[1]
                0xcb1c039c, // sub x28, x28, x28
                0x14000005, // b 220 <snippet_end>
                0x00000001, // .word 0x00000001
                0x00000000, // .word 0x00000000
                0x55667788, // .word 0x55667788
                0x11223344, // .word 0x11223344
            },
            new long[] {0x123456789abcdefL, 0xfedcba9876543210L, 0xfedcba9876543210L, 0x1234567L, 0x89abL, 0xfeL, 0xfedcba9876543210L, 0xfedcba98L, 0xfffffffffffffffeL, 0xffffba98L, 0xff00ff00ff00ff00L, 0x120000001200L, 0xffcbffcbffcbffcbL, 0x100120001001200L, 0x0L, 0x3ff8000000000000L, 0xbe800000be800000L, 0xefefefefefefefefL, 0x7654321076543210L, 0x7654321010543210L, 0x89ab321076543210L, 0xfedcba9876543210L, 0x7654321010543210L, 0x1054321089abcdefL, 0x38L, 0x0L, 0xef00L, 0x1122334455667788L, 0L, 0L, 0x0L},
            0x0, new int[] {28, 29}),
        new Case("ldst",
            new int[] {
                0x14000044, // b 110 <snippet>
                0xd503201f, 0xd503201f, 0xd503201f, // data
                Case.PAD_TO, 0x110,
                0xd51b421f, // msr nzcv, xzr
                0x10fff7fc, // adr x28, 10 <buf>
                0xd29ddfe0, // mov x0, #0xeeff
                0xf2b99ba0, // movk x0, #0xccdd, lsl #16
                0xf2d55760, // movk x0, #0xaabb, lsl #32
                0xf2f11320, // movk x0, #0x8899, lsl #48
                0xf9000380, // str x0, [x28]
                0x39400781, // ldrb w1, [x28, #1]
                0x39801f82, // ldrsb x2, [x28, #7]
                0x39c01b83, // ldrsb w3, [x28, #6]
                0x79400784, // ldrh w4, [x28, #2]
                0x79c00f85, // ldrsh w5, [x28, #6]
                0xb9800786, // ldrsw x6, [x28, #4]
                0xb9400787, // ldr w7, [x28, #4]
                0xf8401388, // ldur x8, [x28, #1]
                0x39004380, // strb w0, [x28, #16]
                0x79002780, // strh w0, [x28, #18]
                0xb9001780, // str w0, [x28, #20]
                0xf9400b89, // ldr x9, [x28, #16]
                0xaa1c03fd, // mov x29, x28
                0xf8408faa, // ldr x10, [x29, #8]!
                0xcb1c03aa, // sub x10, x29, x28
                0xf85f87ab, // ldr x11, [x29], #-8
                0xcb1c03ac, // sub x12, x29, x28
                0xd280004d, // mov x13, #0x2
                0xf86d7b8e, // ldr x14, [x28, x13, lsl #3]
                0x128000ef, // mov w15, #0xfffffff8
                0x9100439d, // add x29, x28, #0x10
                0x386fcbb0, // ldrb w16, [x29, w15, sxtw]
                0x786fdbb1, // ldrh w17, [x29, w15, sxtw #1]
                0xd2800072, // mov x18, #0x3
                0xb8b27b93, // ldrsw x19, [x28, x18, lsl #2]
                0x78326b80, // strh w0, [x28, x18]
                0xf9400394, // ldr x20, [x28]
                0xa9020780, // stp x0, x1, [x28, #32]
                0x29445b95, // ldp w21, w22, [x28, #32]
                0x69446397, // ldpsw x23, x24, [x28, #32]
                0x29bf0381, // stp w1, w0, [x28, #-8]!
                0xf9400399, // ldr x25, [x28]
                0xa8c0ef9a, // ldp x26, x27, [x28], #8
                0x5800009d, // ldr x29, 1c0 <lit>
                0x9800007e, // ldrsw x30, 1c0 <lit>
                0xcb1c039c, // sub x28, x28, x28
                0x14000003, // b 1c8 <snippet_end>
                0x80000001, // .word 0x80000001
                0xffffffff, // .word 0xffffffff
            },
            new long[] {0x8899aabbccddeeffL, 0xeeL, 0xffffffffffffff88L, 0xffffff99L, 0xccddL, 0xffff8899L, 0xffffffff8899aabbL, 0x8899aabbL, 0x8899aabbccddeeL, 0xccddeeffeeff00ffL, 0x8L, 0x0L, 0x0L, 0x2L, 0xccddeeffeeff00ffL, 0xfffffff8L, 0x0L, 0xeeffL, 0x3L, 0x0L, 0x8899aaeeffddeeffL, 0xccddeeffL, 0x8899aabbL, 0xffffffffccddeeffL, 0xffffffff8899aabbL, 0xccddeeff000000eeL, 0xccddeeff000000eeL, 0x8899aaeeffddeeffL, 0L, 0L, 0L},
            0x0, new int[] {28, 29, 30}),
        new Case("ldst2",
            new int[] {
                0x14000044, // b 110 <snippet>
                0xd503201f, 0xd503201f, 0xd503201f, // data
                Case.PAD_TO, 0x110,
                0xd51b421f, // msr nzcv, xzr
                0x10fff7fc, // adr x28, 10 <buf>
                0xaa1c03fd, // mov x29, x28
                0xd28ef100, // mov x0, #0x7788
                0xf2aaacc0, // movk x0, #0x5566, lsl #16
                0xf2c66880, // movk x0, #0x3344, lsl #32
                0xf2e22440, // movk x0, #0x1122, lsl #48
                0xf8008fa0, // str x0, [x29, #8]!
                0xb80033a0, // stur w0, [x29, #3]
                0xf84003a1, // ldur x1, [x29]
                0x92800002, // mov x2, #0xffffffffffffffff
                0xa8040382, // stnp x2, x0, [x28, #64]
                0xa8441383, // ldnp x3, x4, [x28, #64]
                0xf9002b82, // str x2, [x28, #80]
                0x3901479f, // strb wzr, [x28, #81]
                0xf9402b85, // ldr x5, [x28, #80]
                0x9101939d, // add x29, x28, #0x64
                0xb80047a0, // str w0, [x29], #4
                0xcb1c03a6, // sub x6, x29, x28
                0xb9406787, // ldr w7, [x28, #100]
                0xd28000a8, // mov x8, #0x5
                0xf8286b80, // str x0, [x28, x8]
                0xf8405389, // ldur x9, [x28, #5]
                0xf8408b8a, // ldtr x10, [x28, #8]
                0xf9800380, // prfm pldl1keep, [x28]
                0xf8a86b80, // prfm pldl1keep, [x28, x8]
                0x38687b8b, // ldrb w11, [x28, x8, lsl #0]
                0x789fe38c, // ldursh x12, [x28, #-2]
                0x38dff38d, // ldursb w13, [x28, #-1]
                0x78c0938e, // ldursh w14, [x28, #9]
                0xb8809b8f, // ldtrsw x15, [x28, #9]
                0xa9078b80, // stp x0, x2, [x28, #120]
                0x294fc790, // ldp w16, w17, [x28, #124]
                0x39c1f392, // ldrsb w18, [x28, #124]
                0xf9403f93, // ldr x19, [x28, #120]
            },
            new long[] {0x1122334455667788L, 0x1155667788667788L, 0xffffffffffffffffL, 0xffffffffffffffffL, 0x1122334455667788L, 0xffffffffffff00ffL, 0x68L, 0x55667788L, 0x5L, 0x1122334455667788L, 0x1155661122334455L, 0x88L, 0xffffffffffffd503L, 0xffffffd5L, 0x3344L, 0x11223344L, 0x11223344L, 0xffffffffL, 0x44L, 0x1122334455667788L, 0x0L, 0x0L, 0x0L, 0x0L, 0x0L, 0x0L, 0x0L, 0x0L, 0L, 0L, 0x0L},
            0x0, new int[] {28, 29}),
        new Case("logic",
            new int[] {
                0x14000044, // b 110 <snippet>
                0xd503201f, 0xd503201f, 0xd503201f, // data
                Case.PAD_TO, 0x110,
                0xd51b421f, // msr nzcv, xzr
                0xb2009fe0, // mov x0, #0xff00ff00ff00ff
                0xb204cfe1, // mov x1, #0xf0f0f0f0f0f0f0f0
                0x8a010002, // and x2, x0, x1
                0xaa011003, // orr x3, x0, x1, lsl #4
                0xcac12004, // eor x4, x0, x1, ror #8
                0x8a200025, // bic x5, x1, x0
                0x2a610c06, // orn w6, w0, w1, lsr #3
                0xcaa1fc07, // eon x7, x0, x1, asr #63
                0xea010008, // ands x8, x0, x1
                0xd53b4209, // mrs x9, nzcv
                0xf241002a, // ands x10, x1, #0x8000000000000000
                0xd53b420b, // mrs x11, nzcv
                0x6a21002c, // bics w12, w1, w1
                0xd53b420d, // mrs x13, nzcv
                0x121e2c2e, // and w14, w1, #0x3ffc
                0xb200f3ef, // mov x15, #0x5555555555555555
                0xd2003c10, // eor x16, x0, #0xffff0000ffff
                0x12800031, // mov w17, #0xfffffffe
                0x927f0c32, // and x18, x1, #0x1e
                0xf278001f, // tst x0, #0x100
                0xd53b4213, // mrs x19, nzcv
                0x32000bf4, // orr w20, wzr, #0x7
                0x52010435, // eor w21, w1, #0x80000001
                0xaa2003f6, // mvn x22, x0
                0xb2068ff7, // mov x23, #0x3c003c003c003c00
            },
            new long[] {0xff00ff00ff00ffL, 0xf0f0f0f0f0f0f0f0L, 0xf000f000f000f0L, 0xfff0fff0fff0fffL, 0xf00ff00ff00ff00fL, 0xf000f000f000f000L, 0xe1ffe1ffL, 0xff00ff00ff00ffL, 0xf000f000f000f0L, 0x0L, 0x8000000000000000L, 0x80000000L, 0x0L, 0x40000000L, 0x30f0L, 0x5555555555555555L, 0xffff0000ffff00L, 0xfffffffeL, 0x10L, 0x40000000L, 0x7L, 0x70f0f0f1L, 0xff00ff00ff00ff00L, 0x3c003c003c003c00L, 0x0L, 0x0L, 0x0L, 0x0L, 0x0L, 0x0L, 0x0L},
            0x4, new int[] {}),
        new Case("movewide",
            new int[] {
                0x14000044, // b 110 <snippet>
                0xd503201f, 0xd503201f, 0xd503201f, // data
                Case.PAD_TO, 0x110,
                0xd51b421f, // msr nzcv, xzr
                0xd2e24680, // mov x0, #0x1234000000000000
                0xf2aacf00, // movk x0, #0x5678, lsl #16
                0x92c24681, // mov x1, #0xffffedcbffffffff
                0x12800022, // mov w2, #0xfffffffe
                0x52b7dde3, // mov w3, #0xbeef0000
                0x72995fc3, // movk w3, #0xcafe
                0x92800024, // mov x4, #0xfffffffffffffffe
                0xf2e00004, // movk x4, #0x0, lsl #48
                0x52bfffe5, // mov w5, #0xffff0000
            },
            new long[] {0x1234000056780000L, 0xffffedcbffffffffL, 0xfffffffeL, 0xbeefcafeL, 0xfffffffffffeL, 0xffff0000L, 0x0L, 0x0L, 0x0L, 0x0L, 0x0L, 0x0L, 0x0L, 0x0L, 0x0L, 0x0L, 0x0L, 0x0L, 0x0L, 0x0L, 0x0L, 0x0L, 0x0L, 0x0L, 0x0L, 0x0L, 0x0L, 0x0L, 0x0L, 0x0L, 0x0L},
            0x0, new int[] {}),
        new Case("muldiv",
            new int[] {
                0x14000044, // b 110 <snippet>
                0xd503201f, 0xd503201f, 0xd503201f, // data
                Case.PAD_TO, 0x110,
                0xd51b421f, // msr nzcv, xzr
                0x928000c0, // mov x0, #0xfffffffffffffff9
                0xd2800061, // mov x1, #0x3
                0xd28cf122, // mov x2, #0x6789
                0xf2a468a2, // movk x2, #0x2345, lsl #16
                0xf2c00022, // movk x2, #0x1, lsl #32
                0xf2e00002, // movk x2, #0x0, lsl #48
                0x9b017c03, // mul x3, x0, x1
                0x9b010804, // madd x4, x0, x1, x2
                0x1b018805, // msub w5, w0, w1, w2
                0x9b217c06, // smull x6, w0, w1
                0x9ba17c07, // umull x7, w0, w1
                0x9b200808, // smaddl x8, w0, w0, x2
                0x9ba18809, // umsubl x9, w0, w1, x2
                0x9b427c0a, // smulh x10, x0, x2
                0x9bc27c0b, // umulh x11, x0, x2
                0x9ac10c0c, // sdiv x12, x0, x1
                0x9ac1080d, // udiv x13, x0, x1
                0x1ac10c0e, // sdiv w14, w0, w1
                0x1ac1080f, // udiv w15, w0, w1
                0x9adf0810, // udiv x16, x0, xzr
                0x1adf0c11, // sdiv w17, w0, wzr
                0xd2f00012, // mov x18, #0x8000000000000000
                0x92800013, // mov x19, #0xffffffffffffffff
                0x9ad30e54, // sdiv x20, x18, x19
                0x9b02fc15, // mneg x21, x0, x2
                0x9b21fc16, // smnegl x22, w0, w1
                0x9ba1fc17, // umnegl x23, w0, w1
                0x52b00018, // mov w24, #0x80000000
                0x1ad30f19, // sdiv w25, w24, w19
            },
            new long[] {0xfffffffffffffff9L, 0x3L, 0x123456789L, 0xffffffffffffffebL, 0x123456774L, 0x2345679eL, 0xffffffffffffffebL, 0x2ffffffebL, 0x1234567baL, 0xfffffffe2345679eL, 0xffffffffffffffffL, 0x123456788L, 0xfffffffffffffffeL, 0x5555555555555553L, 0xfffffffeL, 0x55555553L, 0x0L, 0x0L, 0x8000000000000000L, 0xffffffffffffffffL, 0x8000000000000000L, 0x7f6e5d4bfL, 0x15L, 0xfffffffd00000015L, 0x80000000L, 0x80000000L, 0x0L, 0x0L, 0x0L, 0x0L, 0x0L},
            0x0, new int[] {}));
    }
}
