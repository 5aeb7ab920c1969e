package org.vcpu4j.backend.hvf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.vcpu4j.property.Gen;
import org.junit.jupiter.api.Test;
import org.vcpu4j.api.BackendException;
import org.vcpu4j.api.aarch64.Aarch64State;
import org.vcpu4j.api.aarch64.SystemRegister;
import org.vcpu4j.api.aarch64.Vec128;
import org.vcpu4j.backend.hvf.sys.HvReg;
import org.vcpu4j.backend.hvf.sys.HvSysReg;
import org.vcpu4j.property.Property;

/** saveState/restoreState of every Aarch64State field through the framework's register calls. */
class HvfStateTest {

    static Aarch64State sample() {
        Aarch64State.Builder b = Aarch64State.builder();
        for (int i = 0; i <= 30; i++) {
            b.x(i, 0x1000L * i + 1);
        }
        b.spEl0(0x111).spEl1(0x222).pc(0x4000_1000L).pstate(0x6000_03C5L).elrEl1(0x333).spsrEl1(0x3C4)
                .fpcr(0x0300_0000L).fpsr(0x1F);
        for (int n = 0; n < 32; n++) {
            b.v(n, new Vec128(0xA000L + n, 0));
        }
        long k = 1;
        for (SystemRegister r : SystemRegister.values()) {
            b.sys(r, 0x5000 + k++);
        }
        return b.build();
    }

    @Test
    void restoreWritesEachFieldWhereTheFrameworkKeepsItAndSaveReadsItBack() {
        try (Rig r = Rig.bound()) {
            Aarch64State s = sample();
            r.cpu.restoreState(s);
            FakeHvfApi.VCpu v = r.fake();
            assertEquals(0x1000L * 7 + 1, v.regs[7]);
            assertEquals(0x4000_1000L, v.regs[HvReg.PC]);
            assertEquals(0x6000_03C5L, v.regs[HvReg.CPSR]);
            assertEquals(0x0300_0000L, v.regs[HvReg.FPCR]);
            assertEquals(0x1F, v.regs[HvReg.FPSR]);
            assertEquals(0x111, v.sys(0xc208));
            assertEquals(0x222, v.sys(0xe208));
            assertEquals(0x333, v.sys(0xc201));
            assertEquals(0x3C4, v.sys(0xc200));
            assertEquals(0xA000L + 17, v.simd[34]);
            for (SystemRegister reg : SystemRegister.values()) {
                HvSysReg h = HvSysReg.of(reg).orElse(null);
                if (h != null) {
                    assertEquals(s.sys(reg), v.sys(h.code()), reg.name());
                }
            }
            assertEquals(r.api.clock - s.sys(SystemRegister.CNTVCT_EL0), v.vtimerOffset,
                    "restoring CNTVCT_EL0 sets the offset so that the count reads the value");
            assertEquals(List.of(), s.differences((Aarch64State) r.cpu.saveState()));
        }
    }

    @Test
    void theVirtualCountIsHostTimeMinusTheOffsetAndMovesWithIt() {
        try (Rig r = Rig.bound()) {
            r.fake().vtimerOffset = 1000;
            r.api.clock = 5000;
            assertEquals(4000, ((Aarch64State) r.cpu.saveState()).sys(SystemRegister.CNTVCT_EL0));
            r.api.clock = 5600;
            assertEquals(4600, ((Aarch64State) r.cpu.saveState()).sys(SystemRegister.CNTVCT_EL0));
        }
    }

    @Test
    void aVectorWithBitsAbove63IsLoadedByTheGuestStubAndTheOtherRegistersSurvive() {
        try (Rig r = Rig.bound()) {
            Aarch64State s = sample().toBuilder().v(3, new Vec128(1, 2)).v(31, new Vec128(-1, -1)).build();
            r.cpu.restoreState(s);
            assertEquals(1, r.api.stubRuns);
            FakeHvfApi.VCpu v = r.fake();
            assertEquals(2, v.simd[7]);
            assertEquals(-1, v.simd[63]);
            assertEquals(0xA000L + 17, v.simd[34]);
            assertEquals(s.x(0), v.regs[0], "X0 restored after the stub");
            assertEquals(s.pc(), v.regs[HvReg.PC], "PC restored after the stub");
            assertEquals(s.pstate(), v.regs[HvReg.CPSR]);
            assertEquals(s.sys(SystemRegister.SCTLR_EL1), v.sys(HvSysReg.SCTLR_EL1.code()));
            assertEquals(s.sys(SystemRegister.CPACR_EL1), v.sys(HvSysReg.CPACR_EL1.code()));
            assertEquals(List.of(), s.differences((Aarch64State) r.cpu.saveState()));
            assertTrue(r.api.mappings.stream().anyMatch(m -> m.ipa() == HvfVm.SCRATCH_IPA && m.flags() == 5),
                    "the scratch page is mapped read+execute at the top of the IPA space");
        }
    }

    @Test
    void aFailingStubIsABackendExceptionAndTheRegistersItBorrowedAreRestored() {
        try (Rig r = Rig.bound()) {
            r.api.breakStub = true;
            Aarch64State s = sample().toBuilder().v(3, new Vec128(1, 2)).build();
            BackendException e = assertThrows(BackendException.class, () -> r.cpu.restoreState(s));
            assertTrue(e.getMessage().contains("guest stub that loads V registers"), e.getMessage());
            assertEquals(s.pc(), r.fake().regs[HvReg.PC]);
            assertEquals(s.x(0), r.fake().regs[0]);
            assertEquals(s.sys(SystemRegister.SCTLR_EL1), r.fake().sys(HvSysReg.SCTLR_EL1.code()));
        }
    }

    @Test
    void anUnchangedVectorWithBitsAbove63IsFine() {
        try (Rig r = Rig.bound()) {
            r.fake().simd[2 * 3] = 1;
            r.fake().simd[2 * 3 + 1] = 2;
            Aarch64State s = sample().toBuilder().v(3, new Vec128(1, 2)).build();
            r.cpu.restoreState(s);
            assertEquals(List.of(), s.differences((Aarch64State) r.cpu.saveState()));
            assertEquals(0, r.api.stubRuns, "nothing to load through the guest");
        }
    }

    @Test
    void stateRestoredBeforeBindIsWhatTheNewVCpuGets() {
        try (Rig r = Rig.unbound()) {
            Aarch64State s = sample();
            r.cpu.restoreState(s);
            assertEquals(List.of(), s.differences((Aarch64State) r.cpu.saveState()), "held in the cache");
            r.cpu.bind();
            assertEquals(0x222, r.fake().sys(HvSysReg.SP_EL1.code()));
            assertEquals(List.of(), s.differences((Aarch64State) r.cpu.saveState()), "and flushed at bind");
        }
    }

    @Test
    void registersWithoutAnHvSysRegAreHeldByTheBackend() {
        try (Rig r = Rig.bound()) {
            Aarch64State s = sample();
            r.cpu.restoreState(s);
            Aarch64State back = (Aarch64State) r.cpu.saveState();
            for (SystemRegister reg : List.of(SystemRegister.ACTLR_EL1, SystemRegister.PMCR_EL0,
                    SystemRegister.CNTP_CTL_EL0, SystemRegister.CNTP_CVAL_EL0)) {
                assertEquals(s.sys(reg), back.sys(reg), reg.name());
                assertTrue(!r.fake().sysRegs.containsKey(reg.encoding()), reg + " has no hv_sys_reg_t");
            }
        }
    }

    @Test
    void anyStateRoundTrips() {
        Property.forAll(states()).tries(60).check(s -> {
            try (Rig r = Rig.bound()) {
                r.cpu.restoreState(s);
                assertEquals(List.of(), s.differences((Aarch64State) r.cpu.saveState()));
                r.cpu.unbind();
                assertEquals(List.of(), s.differences((Aarch64State) r.cpu.saveState()), "after unbind");
                r.cpu.bind();
                assertEquals(List.of(), s.differences((Aarch64State) r.cpu.saveState()), "after a new bind");
            }
        });
    }

    Gen<Aarch64State> states() {
        Gen<long[]> longs = Gen.longs().list().ofSize(31 + 8 + 64 + SystemRegister.values().length)
                .map(l -> l.stream().mapToLong(Long::longValue).toArray());
        return Gen.combine(longs, Gen.longs()).as((a, pstate) -> {
            Aarch64State.Builder b = Aarch64State.builder();
            int k = 0;
            for (int i = 0; i <= 30; i++) {
                b.x(i, a[k++]);
            }
            b.spEl0(a[k++]).spEl1(a[k++]).pc(a[k++]).pstate(pstate).elrEl1(a[k++]).spsrEl1(a[k++])
                    .fpcr(a[k++]).fpsr(a[k++]);
            k++;
            for (int n = 0; n < 32; n++) {
                b.v(n, new Vec128(a[k++], a[k++]));
            }
            for (SystemRegister r : SystemRegister.values()) {
                b.sys(r, a[k++]);
            }
            return b.build();
        });
    }
}
