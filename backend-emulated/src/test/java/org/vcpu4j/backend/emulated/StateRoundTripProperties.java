package org.vcpu4j.backend.emulated;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.vcpu4j.api.VCpuExit;
import org.vcpu4j.api.aarch64.Aarch64State;
import org.vcpu4j.api.aarch64.SystemRegister;
import org.vcpu4j.api.aarch64.Vec128;
import org.vcpu4j.property.Gen;
import org.vcpu4j.property.Property;

/** restoreState then saveState gives back every register, whatever the values. */
class StateRoundTripProperties {

    @Test
    void restoreThenSaveIsTheIdentity() {
        Property.forAll(Gen.longs().list().ofSize(31), Gen.longs().list().ofSize(64), Gen.longs().list().ofSize(30),
                Gen.longs()).tries(200)
                .check((gprs, vectors, others, pstateBits) -> {
            Aarch64State.Builder b = Aarch64State.builder();
            for (int i = 0; i < 31; i++) {
                b.x(i, gprs.get(i));
            }
            for (int i = 0; i < 32; i++) {
                b.v(i, new Vec128(vectors.get(2 * i), vectors.get(2 * i + 1)));
            }
            // PSTATE: any bits, with M[4:0] one of the modes the emulator runs (EL0t, EL1t, EL1h).
            long mode = new long[] {0, 4, 5}[(int) Math.floorMod(pstateBits, 3L)];
            b.pstate((pstateBits & ~0x1FL) | mode).pc(others.get(0)).spEl0(others.get(1)).spEl1(others.get(2))
                    .elrEl1(others.get(3)).spsrEl1(others.get(4)).fpcr(others.get(5)).fpsr(others.get(6));
            int k = 7;
            for (SystemRegister r : SystemRegister.values()) {
                if (r != SystemRegister.CNTVCT_EL0) {
                    b.sys(r, others.get(k++ % others.size()));
                }
            }
            Aarch64State wanted = b.build();
            try (Guest g = new Guest(0x14000000)) {
                g.vcpu.restoreState(wanted);
                Aarch64State got = g.state();
                assertEquals(List.of(), wanted.differences(got.toBuilder().sys(SystemRegister.CNTVCT_EL0, 0).build()));
            }
        });
    }

    @Test
    void aModeTheEmulatorCannotRunIsAnInternalErrorNotAThrow() {
        try (Guest g = new Guest(0x14000000)) {
            g.edit(s -> s.pstate(0x3C9)); // EL2h
            VCpuExit.InternalError e = assertInstanceOf(VCpuExit.InternalError.class, g.run());
            assertTrue(e.description().contains("0x9"), e.description());
            assertEquals(0x3C9, g.state().pstate(), "the state is left as it was");
        }
    }
}
