package org.vcpu4j.tck.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.vcpu4j.api.AccessWidth;
import org.vcpu4j.api.GuestIsa;
import org.vcpu4j.api.Hypervisor;
import org.vcpu4j.api.InterruptController;
import org.vcpu4j.api.VCpuExit;
import org.vcpu4j.api.VirtualMachine;
import org.vcpu4j.api.aarch64.Aarch64State;
import org.vcpu4j.api.aarch64.SystemRegister;
import org.vcpu4j.api.x86_64.X86_64State;
import org.vcpu4j.tck.asm.A64;
import org.vcpu4j.tck.asm.A64SysReg;
import org.vcpu4j.tck.asm.X86;

/**
 * The checks behind the interrupt-controller rules (INT-*): guests that program the VM's interrupt
 * controller as an OS does (GICv3 on AArch64, IOAPIC and LAPIC on x86-64), and a VMM side that raises and
 * lowers lines through {@link InterruptController}.
 *
 * <p>An interrupt taken or not taken is observed through exits: an AArch64 handler acknowledges with
 * ICC_IAR1_EL1 and calls HVC with the INTID in X0 (a {@code Hypercall(intid)} exit), an x86-64 handler
 * writes its vector to port 0xE0. "Not taken" is a guest that stays in WFI/HLT until the TCK kicks it
 * ({@code Interrupted}); "taken" must happen within {@link #LIVENESS_MILLIS} (a liveness bound, not a
 * speed test).
 */
public final class InterruptChecks {
    /** How long a run may take to deliver an interrupt that is due. */
    static final long LIVENESS_MILLIS = 2_000;
    /** How long a guest sits in WFI/HLT to show that nothing is delivered. */
    static final long QUIET_MILLIS = 50;
    /** X0 of the guest's "ready" and loop hypercalls (no INTID is this large). */
    static final int READY = 0xAAA;
    /** How many loop exits may pass before an unmasked pending interrupt is taken (hardware latency). */
    private static final int DELIVERY_SLACK = 50;

    private static final int REPORT_PORT = 0xE0;
    private static final int X86_VECTOR = 0x41;

    private final Hypervisor hv;
    private final IsaKit kit;
    private final boolean arm;

    /**
     * Creates the checks for one property.
     *
     * @param hv the opened backend
     * @param kit the ISA kit
     */
    public InterruptChecks(Hypervisor hv, IsaKit kit) {
        this.hv = hv;
        this.kit = kit;
        this.arm = kit.isa() == GuestIsa.AARCH64;
    }

    // ------------------------------------------------------------------ INT-001

    /**
     * INT-001: level semantics. The guest routes one line to an interrupt handler that reports it and ends it
     * (EOI), then returns to WFI/HLT. Held high, the line is taken, and taken again after the EOI; low at an
     * EOI, the guest sleeps. The AArch64 handler reports before its EOI; the x86-64 handler ends the interrupt
     * first, so the IOAPIC's re-send at an EOI with the line high is one more
     * delivery after the TCK lowers it.
     *
     * @param line a GICv3 SPI INTID or an IOAPIC pin (GSI)
     */
    public void int001(int line) {
        try (Machine m = arm ? a64LevelGuest(line) : x86LevelGuest(line)) {
            InterruptController irq = m.interruptController();
            expectReady(m, "INT-001");
            irq.setIrqLevel(line, true);
            expectTaken(m, line, "INT-001: line " + line + " was raised while the guest waits in " + idle());
            expectTaken(m, line, "INT-001: line " + line + " is still high after the guest's EOI, so it must be taken "
                    + "again (a level-sensitive line stays pending while it is high)");
            irq.setIrqLevel(line, false);
            if (!arm) {
                expectTaken(m, line, "INT-001: the x86 handler ends the interrupt (EOI) before it reports it, and line "
                        + line + " was still high at that EOI, so the IOAPIC sent it again");
            }
            VCpuExit quiet = m.runKicked(QUIET_MILLIS);
            check(quiet instanceof VCpuExit.Interrupted, "INT-001: line " + line + " was lowered before the guest's "
                    + "EOI, so after the EOI the guest must stay in " + idle() + " until the TCK kicks it (Interrupted), "
                    + "but the run returned " + quiet);
        }
    }

    private Machine a64LevelGuest(int spi) {
        int[] main = A64.concat(GicGuest.enable(0xFF), GicGuest.spi(spi, 0x80), ready(), new int[] {
            A64.msrDaifClr(2), A64.wfi(), A64.b(-4)});
        Machine m = Machine.startWithInterruptController(hv, kit, A64.toBytes(main));
        installA64Handler(m, new int[0]);
        return m;
    }

    private Machine x86LevelGuest(int pin) {
        byte[] main = new X86().lidt(X86Kit.IDT - 16).bytes(x86Routing(pin)).sti().outImm8(REPORT_PORT, READY & 0xFF)
                .bytes(new byte[] {(byte) 0xF4, (byte) 0xEB, (byte) 0xFD}) // hlt; jmp hlt
                .toBytes();
        Machine m = Machine.startWithInterruptController(hv, kit, main);
        // push rax; EOI (SDM vol. 3 11.8.5); report; pop rax; iretq
        byte[] handler = new X86().bytes(new byte[] {0x50}).bytes(x86LapicWrite(0xB0, 0)).outImm8(REPORT_PORT, X86_VECTOR)
                .bytes(new byte[] {0x58, 0x48, (byte) 0xCF}).toBytes();
        X86_64State s = (X86_64State) m.baseline();
        int cs = s.segment(X86_64State.SegmentRegister.CS).selector();
        m.write(X86Kit.HANDLERS, handler);
        m.write(X86Kit.IDT + 16L * X86_VECTOR, X86.interruptGate(X86Kit.HANDLERS, cs));
        m.write(X86Kit.IDT - 16, X86.pseudoDescriptor(X86Kit.IDT, 16 * 256 - 1));
        // the CPU pushes SS, RSP, RFLAGS, CS and RIP on delivery (SDM vol. 3A 6.14.2): give it a stack
        m.cpu().restoreState(kit.withGpr(s, X86.RSP, kit.dataAddress() + 0x1000));
        return m;
    }

    /**
     * The IOAPIC redirection entry of {@code pin} (82093AA datasheet 3.2.4: IOREGSEL at 0xFEC0_0000, IOWIN at
     * +0x10, entry n at registers 0x10 + 2n and 0x11 + 2n): destination APIC 0, vector {@link #X86_VECTOR},
     * fixed, physical, active high, level-triggered (bit 15), unmasked; then the LAPIC on (spurious vector
     * register 0xF0, bit 8).
     */
    private static byte[] x86Routing(int pin) {
        ByteBuffer b = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 0xB8).putInt(0xFEC0_0000);                                 // mov eax, IOAPIC
        b.put((byte) 0xC7).put((byte) 0x00).putInt(0x11 + 2 * pin);               // mov dword [rax], high
        b.put((byte) 0xC7).put((byte) 0x40).put((byte) 0x10).putInt(0);           // mov dword [rax+0x10], APIC 0
        b.put((byte) 0xC7).put((byte) 0x00).putInt(0x10 + 2 * pin);               // low
        b.put((byte) 0xC7).put((byte) 0x40).put((byte) 0x10).putInt(X86_VECTOR | 1 << 15);
        b.put(x86LapicWrite(0xF0, 0x1FF));
        return java.util.Arrays.copyOf(b.array(), b.position());
    }

    /** mov eax, 0xFEE0_0000; mov dword [rax + register], value (the LAPIC's xAPIC MMIO page, SDM vol. 3 11.4.1). */
    private static byte[] x86LapicWrite(int register, int value) {
        ByteBuffer b = ByteBuffer.allocate(15).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 0xB8).putInt(0xFEE0_0000).put((byte) 0xC7).put((byte) 0x80).putInt(register).putInt(value);
        return b.array();
    }

    // ------------------------------------------------------------------ INT-002

    /**
     * INT-002 (AArch64): priority order and the priority mask. Two SPIs at different priorities; the guest's
     * loop calls HVC and writes the value the VMM returns to ICC_PMR_EL1.
     *
     * @param highSpi the SPI with the higher priority (lower value)
     * @param lowSpi the other SPI
     * @param highPriority its priority
     * @param lowPriority the other's, larger
     */
    public void int002(int highSpi, int lowSpi, int highPriority, int lowPriority) {
        int[] main = A64.concat(GicGuest.enable(0xFF), GicGuest.spi(highSpi, highPriority),
                GicGuest.spi(lowSpi, lowPriority), new int[] {A64.msrDaifClr(2),
                    A64.movz(0, READY, 0), A64.hvc(0), GicGuest.PMR.msr(0), A64.isb(), A64.b(-16)});
        String what = String.format("SPI %d at priority 0x%x and SPI %d at 0x%x", highSpi, highPriority, lowSpi,
                lowPriority);
        try (Machine m = Machine.startWithInterruptController(hv, kit, A64.toBytes(main))) {
            installA64Handler(m, new int[0]);
            InterruptController irq = m.interruptController();
            expectReady(m, "INT-002");
            m.cpu().setReturnValue(0xFF);
            irq.setIrqLevel(lowSpi, true);
            irq.setIrqLevel(highSpi, true);
            expectTakenFromLoop(m, highSpi, 0xFF, "INT-002: " + what + " are both pending with ICC_PMR_EL1 0xff, so the "
                    + "higher priority one is acknowledged first");
            irq.setIrqLevel(highSpi, false);
            expectTakenFromLoop(m, lowSpi, 0xFF, "INT-002: " + what + ": after the EOI of SPI " + highSpi + " the other");
            irq.setIrqLevel(lowSpi, false);
            // two loop passes: the second HVC comes after the MSR ICC_PMR_EL1 of the value the first returned
            expectTakenFromLoop(m, READY, lowPriority, "INT-002: both lines low, the loop runs");
            expectTakenFromLoop(m, READY, lowPriority, "INT-002: both lines low, the loop runs");
            irq.setIrqLevel(lowSpi, true);
            for (int i = 0; i < 5; i++) {
                expectTakenFromLoop(m, READY, lowPriority, String.format("INT-002: %s: ICC_PMR_EL1 is 0x%x, so SPI %d "
                        + "is masked (an interrupt is signalled only when its priority is below the mask)", what,
                        lowPriority, lowSpi));
            }
            irq.setIrqLevel(highSpi, true);
            expectTakenFromLoop(m, highSpi, lowPriority, String.format("INT-002: %s: ICC_PMR_EL1 is 0x%x, so SPI %d "
                    + "passes the mask", what, lowPriority, highSpi));
            irq.setIrqLevel(highSpi, false);
            expectTakenFromLoop(m, lowSpi, 0xFF, "INT-002: " + what + ": ICC_PMR_EL1 opened to 0xff, so the masked SPI "
                    + lowSpi + " is taken");
        }
    }

    /**
     * Runs until the guest reports {@code intid} (its handler, or READY from its loop), answering each loop
     * hypercall with {@code pmr}; an interrupt expected from the loop may need a few loop passes to arrive.
     */
    private static void expectTakenFromLoop(Machine m, int intid, int pmr, String what) {
        for (int pass = 0; pass <= DELIVERY_SLACK; pass++) {
            VCpuExit exit = m.run();
            check(exit instanceof VCpuExit.Hypercall, what + ": expected Hypercall exits, got " + exit + " "
                    + m.describeCpu());
            long number = ((VCpuExit.Hypercall) exit).number();
            if (number == intid) {
                if (number == READY) {
                    m.cpu().setReturnValue(pmr);
                }
                return;
            }
            check(number == READY, what + ": expected INTID " + intid + ", but the guest acknowledged " + number);
            m.cpu().setReturnValue(pmr);
            if (intid == READY) {
                return;
            }
        }
        throw new AssertionError(what + ": expected INTID " + intid + " within " + DELIVERY_SLACK + " loop passes");
    }

    // ------------------------------------------------------------------ INT-003

    /**
     * INT-003 (AArch64): the virtual timer fires its PPI 27 through the GIC once CNTVCT_EL0 passes
     * CNTV_CVAL_EL0, waking the guest from WFI, with CNTV_CTL_EL0.ISTATUS set; disabled, it stops.
     *
     * @param delayTicks the compare value's distance from the count, in counter ticks
     */
    public void int003(long delayTicks) {
        A64SysReg cntvct = A64SysReg.of(SystemRegister.CNTVCT_EL0);
        A64SysReg cval = A64SysReg.of(SystemRegister.CNTV_CVAL_EL0);
        A64SysReg ctl = A64SysReg.of(SystemRegister.CNTV_CTL_EL0);
        int[] main = A64.concat(GicGuest.enable(0xFF), GicGuest.privateInterrupt(VTIMER_PPI, 0x80),
                new int[] {cntvct.mrs(3), A64.addReg(1, 3, 20), cval.msr(1), A64.movz(2, 1, 0), ctl.msr(2), A64.isb()},
                ready(), new int[] {A64.msrDaifClr(2), A64.wfi(), A64.b(-4)});
        // after reporting the count and CNTV_CTL_EL0, the handler turns the timer off before its EOI
        int[] report = {cntvct.mrs(1), ctl.mrs(2)};
        try (Machine m = Machine.startWithInterruptController(hv, kit, A64.toBytes(main))) {
            installA64Handler(m, report, ctl.msr(A64.ZR));
            m.cpu().restoreState(kit.withGpr(m.cpu().saveState(), 20, delayTicks));
            VCpuExit.Hypercall ready = expectReady(m, "INT-003");
            long compare = ready.args().get(0);
            VCpuExit fired = m.runKicked(LIVENESS_MILLIS);
            String what = String.format("INT-003: the guest set CNTV_CVAL_EL0 = CNTVCT_EL0 + 0x%x = 0x%x, enabled the "
                    + "timer (CNTV_CTL_EL0 = 1) and PPI %d, and waits in WFI", delayTicks, compare, VTIMER_PPI);
            check(fired instanceof VCpuExit.Hypercall h && h.number() == VTIMER_PPI, what + ", so the timer's PPI must "
                    + "wake it within " + LIVENESS_MILLIS + " ms, but the run returned " + fired + " " + m.describeCpu());
            VCpuExit.Hypercall h = (VCpuExit.Hypercall) fired;
            check(Long.compareUnsigned(h.args().get(0), compare) >= 0, what + ": the interrupt came at CNTVCT_EL0 0x"
                    + Long.toHexString(h.args().get(0)) + ", before the compare value");
            check((h.args().get(1) & 0b111) == 0b101, what + ": in the handler CNTV_CTL_EL0 must read ENABLE = 1, "
                    + "IMASK = 0, ISTATUS = 1 (0b101), but read 0b" + Long.toBinaryString(h.args().get(1) & 0b111));
            VCpuExit quiet = m.runKicked(QUIET_MILLIS);
            check(quiet instanceof VCpuExit.Interrupted, what + ": the handler disabled the timer before its EOI, so "
                    + "its PPI must not come again (the guest stays in WFI until the TCK kicks it), but the run returned "
                    + quiet);
        }
    }

    // ------------------------------------------------------------------ INT-004

    /**
     * INT-004 (AArch64): a snapshot taken mid-flight (an SPI pending and held high, the virtual timer armed,
     * IRQs still masked by the guest) and restored into a fresh VM of the same configuration goes on as the
     * original would: the SPI is taken first (higher priority), stays pending after its EOI while its
     * restored line is high, and the restored timer fires after it is lowered.
     *
     * @param spi the SPI held high
     * @param delayTicks the timer's compare value's distance from the count
     */
    public void int004(int spi, long delayTicks) {
        A64SysReg cntvct = A64SysReg.of(SystemRegister.CNTVCT_EL0);
        A64SysReg cval = A64SysReg.of(SystemRegister.CNTV_CVAL_EL0);
        A64SysReg ctl = A64SysReg.of(SystemRegister.CNTV_CTL_EL0);
        int[] main = A64.concat(GicGuest.enable(0xFF), GicGuest.spi(spi, 0x40), GicGuest.privateInterrupt(VTIMER_PPI, 0x80),
                new int[] {cntvct.mrs(3), A64.addReg(1, 3, 20), cval.msr(1), A64.movz(2, 1, 0), ctl.msr(2), A64.isb()},
                ready(), new int[] {A64.msrDaifClr(2), A64.wfi(), A64.b(-4)});
        byte[] ram;
        org.vcpu4j.api.InterruptControllerState controllerState;
        org.vcpu4j.api.RegisterState cpuState;
        long compare;
        try (Machine a = Machine.startWithInterruptController(hv, kit, A64.toBytes(main))) {
            installA64Handler(a, new int[] {cntvct.mrs(1)});
            a.cpu().restoreState(kit.withGpr(a.cpu().saveState(), 20, delayTicks));
            compare = expectReady(a, "INT-004").args().get(0);
            a.interruptController().setIrqLevel(spi, true);
            controllerState = a.interruptController().saveState();
            cpuState = a.cpu().saveState();
            ram = a.vm().memory().read(kit.ramBase(), (int) kit.ramSize());
        }
        String what = String.format("INT-004: the snapshot was taken with SPI %d (priority 0x40) held high and pending, "
                + "the virtual timer armed at CNTV_CVAL_EL0 0x%x (PPI 27, priority 0x80) and IRQs masked; restored "
                + "into a fresh VM", spi, compare);
        try (Machine b = Machine.startWithInterruptController(hv, kit, new byte[0])) {
            b.write(kit.ramBase(), ram);
            b.interruptController().restoreState(controllerState);
            b.cpu().restoreState(cpuState);
            expectTaken(b, spi, what + ", the guest unmasks IRQs: SPI " + spi + " must come first");
            expectTaken(b, spi, what + ": its restored line is still high, so after the EOI SPI " + spi + " comes again");
            b.interruptController().setIrqLevel(spi, false);
            VCpuExit fired = b.runKicked(LIVENESS_MILLIS);
            check(fired instanceof VCpuExit.Hypercall h && h.number() == VTIMER_PPI
                    && Long.compareUnsigned(h.args().get(0), compare) >= 0, what + ": SPI " + spi + " lowered, the "
                    + "restored timer must fire PPI 27 at a count at or past its compare value, but the run returned "
                    + fired + " " + b.describeCpu());
        }
    }

    // ------------------------------------------------------------------ INT-005

    /**
     * INT-005 (AArch64, two vCPUs on their own threads): an SGI written by vCPU 0 to ICC_SGI1R_EL1 with
     * vCPU 1's affinity reaches vCPU 1 (without a VMM exit on vCPU 0), and an SPI routed by GICD_IROUTER to
     * affinity 0.0.0.1 is taken by vCPU 1 and not by vCPU 0.
     *
     * @param sgi the SGI, 0-15
     * @param spi the SPI
     */
    public void int005(int sgi, int spi) {
        long sgi1r = (long) sgi << 24 | 1L << 1; // INTID[27:24], Aff1..3 = 0, TargetList bit 1 = Aff0 1 (IHI 0069 12.2.23)
        int[] cpu0 = A64.concat(GicGuest.enable(0xFF), GicGuest.spi(spi, 0x80), GicGuest.routeSpi(spi, 1), ready(),
                new int[] {GicGuest.SGI1R.msr(0), A64.isb(), A64.msrDaifClr(2), A64.wfi(), A64.b(-4)});
        int[] cpu1 = A64.concat(GicGuest.enableRedistributor(1, 0xFF), GicGuest.privateInterrupt(1, sgi, 0x80), ready(),
                new int[] {A64.msrDaifClr(2), A64.wfi(), A64.b(-4)});
        long entry1 = kit.codeAddress() + 0x800;
        try (VirtualMachine vm = hv.createVirtualMachine();
                CpuThread c0 = new CpuThread("vcpu4j-tck-int005-0");
                CpuThread c1 = new CpuThread("vcpu4j-tck-int005-1")) {
            vm.mapRam(kit.ramBase(), kit.ramSize());
            InterruptController irq = vm.createInterruptController(kit.interruptController());
            vm.memory().write(kit.codeAddress(), A64.toBytes(cpu0));
            vm.memory().write(entry1, A64.toBytes(cpu1));
            vm.memory().write(A64Kit.VECTORS + 0x280, A64.toBytes(handler(new int[0])));
            c0.start(vm, kit, 0, kit.codeAddress());
            c1.start(vm, kit, 1, entry1);
            String what = String.format("INT-005: vCPU 0 configures the distributor with SPI %d routed to affinity "
                    + "0.0.0.1, vCPU 1 enables SGI %d on its redistributor", spi, sgi);
            check(isReady(c0.run(LIVENESS_MILLIS)) && isReady(c1.run(LIVENESS_MILLIS)), what
                    + ": both must report that they are ready");
            c0.cpu.setReturnValueLater(sgi1r);
            VCpuExit quiet0 = c0.run(QUIET_MILLIS);
            check(quiet0 instanceof VCpuExit.Interrupted, what + String.format(": vCPU 0 wrote ICC_SGI1R_EL1 = 0x%x "
                    + "(SGI %d to affinity 0.0.0.1) and waits in WFI, so it must take nothing and make no exit, but its "
                    + "run returned %s", sgi1r, sgi, quiet0));
            VCpuExit sgiTaken = c1.run(LIVENESS_MILLIS);
            check(sgiTaken instanceof VCpuExit.Hypercall h && h.number() == sgi, what + ": vCPU 0's SGI " + sgi
                    + " must reach vCPU 1's handler, but vCPU 1's run returned " + sgiTaken);
            irq.setIrqLevel(spi, true);
            VCpuExit notHere = c0.run(QUIET_MILLIS);
            check(notHere instanceof VCpuExit.Interrupted, what + ": SPI " + spi + " was raised and is routed to "
                    + "vCPU 1, so vCPU 0 must stay in WFI, but its run returned " + notHere);
            VCpuExit spiTaken = c1.run(LIVENESS_MILLIS);
            check(spiTaken instanceof VCpuExit.Hypercall h && h.number() == spi, what + ": SPI " + spi + " was raised, "
                    + "so vCPU 1's handler must take it, but vCPU 1's run returned " + spiTaken);
        }
    }

    private static boolean isReady(VCpuExit exit) {
        return exit instanceof VCpuExit.Hypercall h && h.number() == READY;
    }

    /**
     * One vCPU bound to a thread of its own, run one {@code run()} at a time (each with a kick after a
     * bound), as a VMM runs each vCPU on its own thread.
     */
    private static final class CpuThread implements AutoCloseable {
        private final java.util.concurrent.ExecutorService thread;
        private BoundCpu cpu;

        CpuThread(String name) {
            thread = java.util.concurrent.Executors.newSingleThreadExecutor(r -> Thread.ofPlatform().name(name).unstarted(r));
        }

        void start(VirtualMachine vm, IsaKit kit, int id, long entry) {
            org.vcpu4j.api.VCpu vcpu = vm.createVCpu(id, kit.createConfig(id));
            vcpu.setEntry(entry);
            vcpu.setup(kit.setupConfig(java.util.Set.of()));
            cpu = new BoundCpu(vcpu);
            call(() -> {
                vcpu.bind();
                vcpu.restoreState(((Aarch64State) vcpu.saveState()).toBuilder()
                        .sys(SystemRegister.VBAR_EL1, A64Kit.VECTORS).build());
                return null;
            });
        }

        VCpuExit run(long kickMillis) {
            return call(() -> {
                cpu.applyReturnValue();
                java.util.concurrent.ScheduledFuture<?> kick = KICKER.schedule(cpu.vcpu::requestExit, kickMillis,
                        java.util.concurrent.TimeUnit.MILLISECONDS);
                try {
                    return cpu.vcpu.run();
                } finally {
                    kick.cancel(false);
                }
            });
        }

        private <T> T call(java.util.concurrent.Callable<T> task) {
            try {
                return thread.submit(task).get(Machine.WATCHDOG_SECONDS * 2, java.util.concurrent.TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException e) {
                if (e.getCause() instanceof RuntimeException r) {
                    throw r;
                }
                if (e.getCause() instanceof Error err) {
                    throw err;
                }
                throw new AssertionError(e.getCause());
            } catch (InterruptedException | java.util.concurrent.TimeoutException e) {
                if (cpu != null) {
                    cpu.vcpu.requestExit();
                }
                throw new AssertionError("a vCPU thread did not answer in time", e);
            }
        }

        @Override
        public void close() {
            if (cpu != null) {
                cpu.vcpu.requestExit();
                try {
                    call(() -> {
                        cpu.vcpu.unbind();
                        return null;
                    });
                } catch (RuntimeException | AssertionError e) {
                    // the VM's close closes the vCPU anyway
                }
            }
            thread.shutdownNow();
        }
    }

    /** A vCPU and the return value the next run gives its pending hypercall (set from the TCK's thread). */
    private static final class BoundCpu {
        final org.vcpu4j.api.VCpu vcpu;
        private Long returnValue;

        BoundCpu(org.vcpu4j.api.VCpu vcpu) {
            this.vcpu = vcpu;
        }

        void setReturnValueLater(long value) {
            returnValue = value;
        }

        void applyReturnValue() {
            if (returnValue != null) {
                vcpu.setReturnValue(returnValue);
                returnValue = null;
            }
        }
    }

    private static final java.util.concurrent.ScheduledExecutorService KICKER =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().daemon()
                    .name("vcpu4j-tck-kicker").unstarted(r));

    /** The virtual timer's PPI (Arm BSA / QEMU virt: INTID 27). */
    static final int VTIMER_PPI = 27;

    // ------------------------------------------------------------------ shared

    /**
     * The IRQ handler at VBAR_EL1 + 0x280 (current EL with SP_ELx): X19 = ICC_IAR1_EL1, X0 = X19 (the
     * interrupted X0 kept in X21), the {@code report} instructions, HVC, then {@code beforeEoi},
     * ICC_EOIR1_EL1 = X19, X0 back, ERET. VBAR_EL1 is set in the vCPU's state.
     */
    private static void installA64Handler(Machine m, int[] report, int... beforeEoi) {
        m.write(A64Kit.VECTORS + 0x280, A64.toBytes(handler(report, beforeEoi)));
        m.cpu().restoreState(((Aarch64State) m.cpu().saveState()).toBuilder()
                .sys(SystemRegister.VBAR_EL1, A64Kit.VECTORS).build());
    }

    private static int[] handler(int[] report, int... beforeEoi) {
        return A64.concat(new int[] {GicGuest.IAR1.mrs(19), A64.movReg(21, 0), A64.movReg(0, 19)}, report,
                new int[] {A64.hvc(0)}, beforeEoi, new int[] {GicGuest.EOIR1.msr(19), A64.movReg(0, 21), A64.eret()});
    }

    /** The guest's "set up, about to wait" call: X0 = READY, HVC (X1 passes through as its first argument). */
    private static int[] ready() {
        return new int[] {A64.movz(0, READY, 0), A64.hvc(0)};
    }

    private VCpuExit.Hypercall expectReady(Machine m, String rule) {
        VCpuExit exit = m.run();
        boolean ready = arm ? exit instanceof VCpuExit.Hypercall h && h.number() == READY
                : new VCpuExit.IoWrite(REPORT_PORT, AccessWidth.BYTE, READY & 0xFF).equals(exit);
        check(ready, rule + ": the guest programs the interrupt controller and reports that it is ready, but the run "
                + "returned " + exit + " " + m.describeCpu());
        return arm ? (VCpuExit.Hypercall) exit : null;
    }

    private void expectTaken(Machine m, int line, String what) {
        VCpuExit exit = m.runKicked(LIVENESS_MILLIS);
        VCpuExit expected = arm ? null : new VCpuExit.IoWrite(REPORT_PORT, AccessWidth.BYTE, X86_VECTOR);
        boolean taken = arm ? exit instanceof VCpuExit.Hypercall h && h.number() == line : expected.equals(exit);
        check(taken, what + ", so its handler must report it (" + (arm ? "Hypercall(" + line + ")" : expected)
                + ") within " + LIVENESS_MILLIS + " ms, but the run returned " + exit + " " + m.describeCpu());
    }

    private String idle() {
        return arm ? "WFI" : "HLT";
    }

    private static void check(boolean condition, String message) {
        if (!condition) {
            throw new AssertionError(message);
        }
    }
}
