package org.vcpu4j.tck.generators;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.vcpu4j.api.AccessWidth;
import org.vcpu4j.property.Gen;
import org.vcpu4j.spi.aarch64.Psci;
import org.vcpu4j.tck.asm.A64LoadStore;
import org.vcpu4j.tck.asm.X86MemAccess;
import org.vcpu4j.tck.asm.X86PortAccess;

/** The generators reach every instruction form the rules promise to cover (checked on 3,000 samples each). */
class GeneratorCoverageTest {
    private static final int SAMPLES = 3000;
    /** The seed of the samples, fixed so that a coverage gap shows in every run or in none. */
    private static final long SEED = 20261204L;

    @Test
    void a64LoadStoresCoverEveryOpWidthAndXzr() {
        Set<String> forms = new HashSet<>();
        boolean[] xzr = new boolean[2];
        boolean[] unscaled = new boolean[2];
        A64Generators.loadStores().samples(SEED).limit(SAMPLES).forEach(ls -> {
            forms.add(ls.op() + "/" + ls.width());
            if (ls.rt() == 31) {
                xzr[ls.isLoad() ? 0 : 1] = true;
            }
            unscaled[ls.unscaled() ? 0 : 1] = true;
            assertTrue(ls.rn() != ls.rt(), ls::assembly);
        });
        // STR x4, LDR x4, LDRS_X x3 (B, H, W), LDRS_W x2 (B, H): the 13 allocated forms (Arm ARM C4.1.66)
        assertEquals(13, forms.size(), forms::toString);
        assertTrue(xzr[0] && xzr[1], "loads and stores of XZR");
        assertTrue(unscaled[0] && unscaled[1], "scaled and unscaled offsets");
    }

    @Test
    void x86MovesCoverEveryKindWidthAndRegister() {
        Set<String> forms = new HashSet<>();
        Set<Integer> registers = new HashSet<>();
        X86Generators.memoryAccesses(Gen.just(0x6000_0000L)).samples(SEED).limit(SAMPLES).forEach(a -> {
            forms.add(a.kind() + "/" + a.store() + "/" + a.memoryWidth() + "/" + a.registerWidth());
            registers.add(a.reg());
        });
        // MOV load and store x4 widths = 8; MOVZX 8->16/32/64, 16->32/64 = 5; MOVSX the same 5 + MOVSXD = 6
        assertEquals(19, forms.size(), forms::toString);
        assertEquals(16, registers.size());
        assertTrue(forms.contains(X86MemAccess.Kind.MOVSX + "/false/" + AccessWidth.DWORD + "/" + AccessWidth.QWORD));
    }

    @Test
    void x86PortsCoverBothDirectionsEveryWidthAndBothPortForms() {
        Set<String> forms = new HashSet<>();
        X86Generators.portAccesses().samples(SEED).limit(SAMPLES).map(X86PortAccess.class::cast)
                .forEach(p -> forms.add(p.in() + "/" + p.width() + "/" + p.viaDx()));
        assertEquals(12, forms.size(), forms::toString);
    }

    @Test
    void psciCallsCoverEveryFunctionOverHvcAndSmc() {
        Set<String> forms = new HashSet<>();
        A64Generators.psciCalls().samples(SEED).limit(SAMPLES).forEach(c -> forms.add(c.smc() + "/" + (int) c.x0()));
        Set<String> expected = new HashSet<>();
        for (boolean smc : List.of(true, false)) {
            for (int id : List.of(Psci.CPU_ON_32, Psci.CPU_ON_64, Psci.CPU_OFF, Psci.SYSTEM_OFF, Psci.SYSTEM_RESET)) {
                expected.add(smc + "/" + id);
            }
        }
        assertEquals(expected, forms);
        A64Generators.hypercalls().samples(SEED).limit(SAMPLES)
                .forEach(c -> assertTrue(!Psci.isPsci(c.x0()), () -> "not PSCI: " + c));
    }

    @Test
    void a64LoadStoreRecordRefusesWhatTheGeneratorAvoids() {
        assertTrue(A64Generators.loadStores().samples(SEED).limit(SAMPLES)
                .noneMatch(ls -> ls.op() == A64LoadStore.Op.LDRS_W && ls.width().bytes() >= 4));
    }
}
