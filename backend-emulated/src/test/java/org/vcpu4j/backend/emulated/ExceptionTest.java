package org.vcpu4j.backend.emulated;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.vcpu4j.backend.emulated.Guest.PAD_TO;

import org.junit.jupiter.api.Test;
import org.vcpu4j.api.VCpuExit;
import org.vcpu4j.api.aarch64.Aarch64State;
import org.vcpu4j.api.aarch64.SystemRegister;

/**
 * Exceptions taken to EL1 (Arm ARM D1.10): syndromes, return addresses, saved PSTATE, vector offsets
 * by source EL and SP selection, ERET back, EL0 access checks and IRQs through the GICv3 CPU interface.
 * The vector handlers record ESR/ELR/FAR/SPSR in x20-x23 and the vector address in x24, exit with
 * {@code hvc #0}, add x25 to ELR_EL1 and return.
 */
class ExceptionTest {
    private static final long R = Guest.RAM;
    private static final long VBAR = R + 0x800;

    private static final int[] EXCEPTIONS = {
            0xd2a80001, // 0x000 _start: mov x1, #0x40000000
            0x91200021, // 0x004 add x1, x1, #0x800
            0xd518c001, // 0x008 msr vbar_el1, x1
            0xd2800099, // 0x00c mov x25, #0x4
            0xd4000ee1, // 0x010 svc #0x77
            0xd4200060, // 0x014 brk #0x3
            0x00000000, // 0x018 .word 0x00000000
            0xd5380700, // 0x01c mrs x0, id_aa64mmfr0_el1
            0xd2800000, // 0x020 mov x0, #0x0
            0xd5184000, // 0x024 msr spsr_el1, x0
            0x10000060, // 0x028 adr x0, 40000034 <el0code>
            0xd5184020, // 0x02c msr elr_el1, x0
            0xd69f03e0, // 0x030 eret
            0xd4000021, // 0x034 el0code: svc #0x1
            0xd5381000, // 0x038 mrs x0, sctlr_el1
            0xd4000002, // 0x03c hvc #0x0
            0xd53bd042, // 0x040 mrs x2, tpidr_el0
            0xd50342df, // 0x044 msr daifset, #0x2
            0xd53b0023, // 0x048 mrs x3, ctr_el0
            0xd53be044, // 0x04c mrs x4, cntvct_el0
            0xd4000041, // 0x050 svc #0x2
            0xd50342ff, // 0x054 el1again: msr daifclr, #0x2
            0xd503201f, // 0x058 nop
            0xd503207f, // 0x05c wfi
            0xd50342df, // 0x060 msr daifset, #0x2
            0xd4001322, // 0x064 hvc #0x99
            PAD_TO, 0xa00,
            0xd5385214, // 0xa00 mrs x20, esr_el1
            0xd5384035, // 0xa04 mrs x21, elr_el1
            0xd5386016, // 0xa08 mrs x22, far_el1
            0xd5384017, // 0xa0c mrs x23, spsr_el1
            0x10000018, // 0xa10 adr x24, 40000a10 <vectors+0x210>
            0xd4000002, // 0xa14 hvc #0x0
            0x8b1902b5, // 0xa18 add x21, x21, x25
            0xd5184035, // 0xa1c msr elr_el1, x21
            0xd69f03e0, // 0xa20 eret
            PAD_TO, 0xa80,
            0xd5385214, // 0xa80 mrs x20, esr_el1
            0xd5384035, // 0xa84 mrs x21, elr_el1
            0xd5386016, // 0xa88 mrs x22, far_el1
            0xd5384017, // 0xa8c mrs x23, spsr_el1
            0x10000018, // 0xa90 adr x24, 40000a90 <vectors+0x290>
            0xd4000002, // 0xa94 hvc #0x0
            0x8b1902b5, // 0xa98 add x21, x21, x25
            0xd5184035, // 0xa9c msr elr_el1, x21
            0xd69f03e0, // 0xaa0 eret
            PAD_TO, 0xc00,
            0xd5385214, // 0xc00 mrs x20, esr_el1
            0xd5384035, // 0xc04 mrs x21, elr_el1
            0xd5386016, // 0xc08 mrs x22, far_el1
            0xd5384017, // 0xc0c mrs x23, spsr_el1
            0x10000018, // 0xc10 adr x24, 40000c10 <vectors+0x410>
            0xd4000002, // 0xc14 hvc #0x0
            0x8b1902b5, // 0xc18 add x21, x21, x25
            0xd5184035, // 0xc1c msr elr_el1, x21
            0xd69f03e0, // 0xc20 eret
    };

    private static final int[] INTERRUPTS = {
            0xd2a80001, // 0x000 _start: mov x1, #0x40000000
            0x91200021, // 0x004 add x1, x1, #0x800
            0xd518c001, // 0x008 msr vbar_el1, x1
            0xd2800005, // 0x00c mov x5, #0x0
            0xd50342ff, // 0x010 msr daifclr, #0x2
            0x910004a5, // 0x014 add x5, x5, #0x1
            0xd503207f, // 0x018 wfi
            0xd503207f, // 0x01c wfi
            0xd538cc06, // 0x020 mrs x6, icc_iar1_el1
            0xd50342df, // 0x024 msr daifset, #0x2
            0xd503207f, // 0x028 wfi
            0xd538cc47, // 0x02c mrs x7, icc_hppir1_el1
            0xd538cc08, // 0x030 mrs x8, icc_iar1_el1
            0xd518cc28, // 0x034 msr icc_eoir1_el1, x8
            0xd4000022, // 0x038 hvc #0x1
            PAD_TO, 0xa00,
            0xd538cc14, // 0xa00 mrs x20, icc_iar1_el1
            0xd5384035, // 0xa04 mrs x21, elr_el1
            0xd5384016, // 0xa08 mrs x22, spsr_el1
            0x10000018, // 0xa0c adr x24, 40000a0c <_start+0xa0c>
            0xd4000002, // 0xa10 hvc #0x0
            0xd518cc34, // 0xa14 msr icc_eoir1_el1, x20
            0xd69f03e0, // 0xa18 eret
            PAD_TO, 0xa80,
            0xd538cc14, // 0xa80 mrs x20, icc_iar1_el1
            0xd5384035, // 0xa84 mrs x21, elr_el1
            0xd5384016, // 0xa88 mrs x22, spsr_el1
            0x10000018, // 0xa8c adr x24, 40000a8c <_start+0xa8c>
            0xd4000002, // 0xa90 hvc #0x0
            0xd518cc34, // 0xa94 msr icc_eoir1_el1, x20
            0xd69f03e0, // 0xa98 eret
            PAD_TO, 0xc00,
            0xd538cc14, // 0xc00 mrs x20, icc_iar1_el1
            0xd5384035, // 0xc04 mrs x21, elr_el1
            0xd5384016, // 0xc08 mrs x22, spsr_el1
            0x10000018, // 0xc0c adr x24, 40000c0c <_start+0xc0c>
            0xd4000002, // 0xc10 hvc #0x0
            0xd518cc34, // 0xc14 msr icc_eoir1_el1, x20
            0xd69f03e0, // 0xc18 eret
    };

    /** Runs to the next handler exit and checks what it recorded. */
    private static void expectException(Guest g, long vectorOffset, long esr, long elr, long spsr) {
        VCpuExit exit = g.run();
        assertInstanceOf(VCpuExit.Hypercall.class, exit, "expected the handler's HVC, got " + exit);
        assertEquals(VBAR + vectorOffset, g.x(24) - 0x10, "vector");
        assertEquals(esr, g.x(20), () -> "ESR_EL1 0x" + Long.toHexString(g.x(20)));
        assertEquals(elr, g.x(21), "ELR_EL1");
        assertEquals(spsr, g.x(23), "SPSR_EL1");
        assertEquals(0x3C5, g.state().pstate(), "EL1h with DAIF masked in the handler");
    }

    @Test
    void synchronousExceptionsFromEl1AndEl0() {
        try (Guest g = new Guest(EXCEPTIONS)) {
            // x25 is what the handler adds to ELR_EL1 after reporting: set it after each report.
            expectException(g, 0x200, 0x5600_0077L, R + 0x14, 0x3C5); // SVC: ELR past it
            g.vcpu.setGpr(25, 0);
            expectException(g, 0x200, 0xF200_0003L, R + 0x14, 0x3C5); // BRK: ELR at it
            g.vcpu.setGpr(25, 4);
            expectException(g, 0x200, 0x0200_0000L, R + 0x18, 0x3C5); // UDF: EC 0
            g.vcpu.setGpr(25, 4);
            // then MRS ID_AA64MMFR0_EL1 and ERET to EL0t at 0x34
            expectException(g, 0x400, 0x5600_0001L, R + 0x38, 0x0); // SVC from EL0: lower-EL vector
            assertEquals(R + 0x34, g.x(0), "the ERET target");
            g.vcpu.setGpr(25, 0);
            expectException(g, 0x400, 0x0200_0000L, R + 0x38, 0x0); // MRS SCTLR_EL1 at EL0: UNDEFINED
            g.vcpu.setGpr(25, 4);
            expectException(g, 0x400, 0x0200_0000L, R + 0x3c, 0x0); // HVC at EL0: UNDEFINED
            g.vcpu.setGpr(25, 4);
            expectException(g, 0x400, 0x620C_D3E4L, R + 0x44, 0x0); // MSR DAIFSet with UMA = 0: EC 0x18
            g.vcpu.setGpr(25, 4);
            expectException(g, 0x400, 0x6232_C061L, R + 0x48, 0x0); // MRS CTR_EL0 with UCT = 0
            g.vcpu.setGpr(25, 4);
            expectException(g, 0x400, 0x6234_F881L, R + 0x4c, 0x0); // MRS CNTVCT_EL0 with EL0VCTEN = 0
            g.vcpu.setGpr(25, 4);
            expectException(g, 0x400, 0x5600_0002L, R + 0x54, 0x0);
            g.vcpu.setGpr(25, 0);
            // Return to EL1h instead of EL0: the handler's ERET uses SPSR_EL1.
            g.vcpu.restoreState(g.state().toBuilder().spsrEl1(0x3C5).build());
            g.vcpu.setGpr(0, 0x1234);
            assertInstanceOf(VCpuExit.Halt.class, g.run(), "WFI with nothing pending");
            assertEquals(R + 0x60, g.pc());
            VCpuExit.Hypercall done = assertInstanceOf(VCpuExit.Hypercall.class, g.run());
            assertEquals(0x1234, done.number());
            assertEquals(R + 0x68, g.pc());
        }
    }

    /** The ID registers advertise what this CPU implements (Arm ARM D23, ID_AA64ISAR0/MMFR0/PFR0_EL1). */
    @Test
    void idRegistersNameTheImplementedFeatures() {
        try (Guest g = new Guest(0xd5380600 /* mrs x0, id_aa64isar0_el1 */, 0xd5380701 /* mrs x1, id_aa64mmfr0_el1 */,
                0xd5380402 /* mrs x2, id_aa64pfr0_el1 */, 0xd4000002 /* hvc #0 */)) {
            assertInstanceOf(VCpuExit.Hypercall.class, g.run());
            assertEquals(2, g.x(0) >>> 20 & 0xF, "ISAR0.Atomic: LSE");
            assertEquals(1, g.x(0) >>> 16 & 0xF, "ISAR0.CRC32");
            assertEquals(0, g.x(1) >>> 28 & 0xF, "MMFR0.TGran4: 4 KiB granule");
            assertEquals(0xF, g.x(1) >>> 24 & 0xF, "MMFR0.TGran64: not implemented");
            assertEquals(0, g.x(1) >>> 20 & 0xF, "MMFR0.TGran16: not implemented");
            assertEquals(1, g.x(2) & 0xF, "PFR0.EL0: AArch64 only");
            assertEquals(1, g.x(2) >>> 24 & 0xF, "PFR0.GIC: system-register interface");
        }
    }

    @Test
    void interruptIdsOutsideTheGicAreRefusedOnAnyThread() throws Exception {
        try (Guest g = new Guest(0xd4000002 /* hvc #0 */)) {
            var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> g.vcpu.injectInterrupt(1020));
            org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("0-1019"), e.getMessage());
            var fromElsewhere = new java.util.concurrent.atomic.AtomicReference<Throwable>();
            Thread t = Thread.ofPlatform().start(() -> {
                try {
                    g.vcpu.injectInterrupt(Integer.MAX_VALUE);
                } catch (Throwable x) {
                    fromElsewhere.set(x);
                }
            });
            t.join();
            assertInstanceOf(IllegalArgumentException.class, fromElsewhere.get(), "refused on the injecting thread");
            assertInstanceOf(VCpuExit.Hypercall.class, g.run(), "the vCPU still runs");
        }
    }

    @Test
    void aPendingButMaskedInterruptWakesWfiWithoutBeingTaken() {
        int[] code = {
            0xd50342df, // 0x00 msr daifset, #0x2
            0xd503207f, // 0x04 wfi
            0xd538cc47, // 0x08 mrs x7, icc_hppir1_el1
            0xd4000022, // 0x0c hvc #0x1
        };
        try (Guest g = new Guest(code)) {
            assertInstanceOf(VCpuExit.Halt.class, g.run(), "nothing pending: WFI halts");
            assertEquals(R + 0x08, g.pc());
            g.edit(s -> s.pc(R));
            g.vcpu.injectInterrupt(44);
            assertInstanceOf(VCpuExit.Hypercall.class, g.run(), "a masked pending IRQ is a wake-up event");
            assertEquals(44, g.x(7), "still pending, not taken");
        }
    }

    @Test
    void interruptsAreTakenWhenUnmaskedAndAcknowledgedThroughTheCpuInterface() {
        try (Guest g = new Guest(INTERRUPTS)) {
            g.vcpu.injectInterrupt(40);
            g.vcpu.injectInterrupt(33);
            VCpuExit exit = g.run();
            assertInstanceOf(VCpuExit.Hypercall.class, exit);
            assertEquals(VBAR + 0x280, g.x(24) - 0xc, "IRQ from EL1h: VBAR + 0x280");
            assertEquals(33, g.x(20), "ICC_IAR1_EL1 gives the lowest pending INTID");
            assertEquals(R + 0x14, g.x(21), "ELR: the next instruction after MSR DAIFClr");
            assertEquals(0x345, g.x(22), "SPSR: EL1h with I clear");
            VCpuExit second = g.run(); // EOI, ERET, then INTID 40 is taken at once
            assertInstanceOf(VCpuExit.Hypercall.class, second);
            assertEquals(40, g.x(20));
            assertEquals(R + 0x14, g.x(21));
            assertInstanceOf(VCpuExit.Halt.class, g.run(), "WFI with nothing pending halts");
            assertEquals(R + 0x1c, g.pc());
            assertEquals(1, g.x(5));
            g.vcpu.injectInterrupt(27);
            assertInstanceOf(VCpuExit.Hypercall.class, g.run(), "a pending IRQ is taken before the next instruction");
            assertEquals(27, g.x(20));
            assertEquals(R + 0x1c, g.x(21));
            assertInstanceOf(VCpuExit.Halt.class, g.run(), "after EOI the WFI halts again");
            assertEquals(R + 0x20, g.pc());
            assertInstanceOf(VCpuExit.Halt.class, g.run(), "WFI with PSTATE.I set");
            assertEquals(R + 0x2c, g.pc());
            g.vcpu.injectInterrupt(50);
            assertInstanceOf(VCpuExit.Hypercall.class, g.run(), "a masked IRQ is not taken");
            assertEquals(1023, g.x(6), "nothing pending: spurious 1023");
            assertEquals(50, g.x(7), "HPPIR");
            assertEquals(50, g.x(8), "IAR with PSTATE.I set still acknowledges");
            assertEquals(R + 0x3c, g.pc());
        }
    }

    @Test
    void externalAbortAnswerIsTakenAsASynchronousDataAbort() {
        int[] code = {
            0xb9400141, // 0x00 ldr w1, [x10]
            0xb9000141, // 0x04 str w1, [x10]
            PAD_TO, 0xa00,
            0xd5385214, // 0xa00 mrs x20, esr_el1
            0xd5384035, // 0xa04 mrs x21, elr_el1
            0xd5386016, // 0xa08 mrs x22, far_el1
            0xd5384017, // 0xa0c mrs x23, spsr_el1
            0x10000018, // 0xa10 adr x24, .
            0xd4000002, // 0xa14 hvc #0
        };
        try (Guest g = new Guest(code)) {
            g.edit(b -> b.sys(SystemRegister.VBAR_EL1, VBAR));
            g.vcpu.setGpr(10, Guest.UART + 0x18);
            assertInstanceOf(VCpuExit.MmioRead.class, g.run());
            g.vcpu.completeMmioWithExternalAbort();
            assertEquals(R, g.pc(), "the PC goes back to the load");
            expectException(g, 0x200, 0x9600_0010L, R, 0x3C5);
            assertEquals(Guest.UART + 0x18, g.x(22), "FAR_EL1");
            g.edit(b -> b.pc(R + 4).pstate(0x3C5));
            assertInstanceOf(VCpuExit.MmioWrite.class, g.run());
            g.vcpu.completeMmioWithExternalAbort();
            expectException(g, 0x200, 0x9600_0050L, R + 4, 0x3C5); // WnR set
        }
    }

    @Test
    void pcAndSpAlignmentFaultsAndTheFpTrap() {
        int[] code = {
            0xd61f0000, // 0x00 br x0
            0xf90003e1, // 0x04 str x1, [sp]
            0x9e670020, // 0x08 fmov d0, x1
            PAD_TO, 0xa00,
            0xd5385214, // 0xa00 mrs x20, esr_el1
            0xd5384035, // 0xa04 mrs x21, elr_el1
            0xd5386016, // 0xa08 mrs x22, far_el1
            0xd5384017, // 0xa0c mrs x23, spsr_el1
            0x10000018, // 0xa10 adr x24, .
            0xd4000002, // 0xa14 hvc #0
        };
        try (Guest g = new Guest(code)) {
            g.edit(b -> b.sys(SystemRegister.VBAR_EL1, VBAR).x(0, R + 0x102)
                    .sys(SystemRegister.SCTLR_EL1, 0x30C5_0838L).spEl1(R + 0x1008));
            expectException(g, 0x200, 0x8A00_0000L, R + 0x102, 0x3C5);
            assertEquals(R + 0x102, g.x(22), "FAR_EL1 holds the misaligned PC");
            g.edit(b -> b.pc(R + 4).pstate(0x3C5));
            expectException(g, 0x200, 0x9A00_0000L, R + 4, 0x3C5);
            g.edit(b -> b.pc(R + 8).pstate(0x3C5));
            expectException(g, 0x200, 0x1FE0_0000L, R + 8, 0x3C5);
            Aarch64State s = g.state();
            assertEquals(0, s.v(0).low(), "the trapped FMOV did nothing");
        }
    }

    @Test
    void theVirtualTimerRaisesPpi27() {
        int[] code = {
            0xd2a80001, // 0x000 _start: mov x1, #0x40000000
            0x91200021, // 0x004 add x1, x1, #0x800
            0xd518c001, // 0x008 msr vbar_el1, x1
            0xd53be002, // 0x00c mrs x2, cntfrq_el0
            0xd53be043, // 0x010 mrs x3, cntvct_el0
            0x91040064, // 0x014 add x4, x3, #0x100
            0xd51be344, // 0x018 msr cntv_cval_el0, x4
            0xd2800025, // 0x01c mov x5, #0x1
            0xd51be325, // 0x020 msr cntv_ctl_el0, x5
            0xd50342ff, // 0x024 msr daifclr, #0x2
            0x14000000, // 0x028 wait: b 40000028 <wait>
            PAD_TO, 0xa80,
            0xd538cc14, // 0xa80 mrs x20, icc_iar1_el1
            0xd53be335, // 0xa84 mrs x21, cntv_ctl_el0
            0xd2800066, // 0xa88 mov x6, #0x3
            0xd51be326, // 0xa8c msr cntv_ctl_el0, x6
            0xd518cc34, // 0xa90 msr icc_eoir1_el1, x20
            0xd53be336, // 0xa94 mrs x22, cntv_ctl_el0
            0xd4000002, // 0xa98 hvc #0x0
        };
        try (Guest g = new Guest(code)) {
            g.vcpu.setInstructionLimit(500_000_000L);
            VCpuExit exit = g.run();
            assertInstanceOf(VCpuExit.Hypercall.class, exit, "the timer interrupt ended the loop: " + exit);
            assertEquals(62_500_000L, g.x(2), "CNTFRQ_EL0");
            assertEquals(27, g.x(20), "the virtual timer's PPI");
            assertEquals(R + 0x28, g.state().elrEl1(), "interrupted in the loop");
            assertEquals(5, g.x(21), "CNTV_CTL_EL0: ENABLE and ISTATUS");
            assertEquals(7, g.x(22), "CNTV_CTL_EL0 after masking: IMASK, ENABLE, ISTATUS");
            long count = g.state().sys(SystemRegister.CNTVCT_EL0);
            assertEquals(true, count - g.x(3) >= 0x100, "the count moved past the compare value");
        }
    }
}
