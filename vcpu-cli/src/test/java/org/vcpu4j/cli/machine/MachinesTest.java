package org.vcpu4j.cli.machine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.vcpu4j.api.AccessKind;
import org.vcpu4j.api.AccessWidth;
import org.vcpu4j.api.VCpuExit;
import org.vcpu4j.api.aarch64.Aarch64State;
import org.vcpu4j.api.aarch64.SystemRegister;
import org.vcpu4j.api.x86_64.X86_64State;

/** What the machine models answer to each exit. */
class MachinesTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final GuestConsole console = new GuestConsole(out);
    private final RecordingVCpu vcpu = new RecordingVCpu();

    private String printed() {
        console.flush();
        return out.toString(StandardCharsets.US_ASCII);
    }

    @Test
    void virtUartPrintsAndReportsReady() {
        VirtMachine virt = new VirtMachine(console);
        assertEquals(Outcome.CONTINUE, virt.handle(vcpu, new VCpuExit.MmioWrite(0x0900_0000L, AccessWidth.BYTE, 'A')));
        virt.handle(vcpu, new VCpuExit.MmioRead(0x0900_0018L, AccessWidth.DWORD, 1, AccessWidth.DWORD, false));
        assertEquals("A", printed());
        assertEquals(List.of("mmio 90"), vcpu.calls, "FR: TXFE and RXFE set, TXFF clear");
    }

    @Test
    void virtAnswersAccessesToNothingWithAnExternalAbort() {
        VirtMachine virt = new VirtMachine(console);
        virt.handle(vcpu, new VCpuExit.MmioRead(0x0A00_0000L, AccessWidth.DWORD, 1, AccessWidth.DWORD, false));
        virt.handle(vcpu, new VCpuExit.MmioWrite(0x1000L, AccessWidth.QWORD, 1));
        assertEquals(List.of("abort", "abort"), vcpu.calls);
    }

    @Test
    void virtImplementsPsci() {
        VirtMachine virt = new VirtMachine(console);
        var args = List.of(0L, 0L, 0L, 0L, 0L, 0L);
        virt.handle(vcpu, new VCpuExit.Hypercall(0x8400_0000L, args));
        virt.handle(vcpu, new VCpuExit.Hypercall(0xC400_0008L, args));
        virt.handle(vcpu, new VCpuExit.Hypercall(0x8400_000AL, List.of(0x8400_0008L, 0L, 0L, 0L, 0L, 0L)));
        virt.handle(vcpu, new VCpuExit.CpuUp(1, 0x4000_0000L, 0));
        assertEquals(List.of("return 10000", "return ffffffffffffffff", "return 0", "return fffffffffffffffe"),
                vcpu.calls);
        assertEquals(Outcome.EXIT_OK, virt.handle(vcpu, new VCpuExit.SystemDown()).exitCode());
        assertTrue(virt.handle(vcpu, new VCpuExit.SystemReset()).stop());
    }

    @Test
    void virtStopsOnWhatItCannotEmulate() {
        VirtMachine virt = new VirtMachine(console);
        Outcome o = virt.handle(vcpu, new VCpuExit.NestedPageFault(0x1234, AccessKind.EXECUTE));
        assertEquals(Outcome.EXIT_GUEST_ERROR, o.exitCode());
        assertTrue(o.reason().contains("0x1234"), o.reason());
        assertEquals(Outcome.EXIT_GUEST_ERROR, virt.handle(vcpu, new VCpuExit.SysRegRead(0x32F800, 0)).exitCode());
    }

    @Test
    void virtNamesTheExceptionAGuestTookToAnEmptyVector() {
        VirtMachine virt = new VirtMachine(console);
        vcpu.state = Aarch64State.builder().pc(0x4000_0A00L).sys(SystemRegister.VBAR_EL1, 0x4000_0800L)
                .sys(SystemRegister.ESR_EL1, 0x9600_0045L).sys(SystemRegister.FAR_EL1, 0x8000).elrEl1(0x4000_0010L).build();
        Outcome o = virt.handle(vcpu, new VCpuExit.NestedPageFault(0x4000_0A00L, AccessKind.EXECUTE));
        assertEquals(Outcome.EXIT_GUEST_ERROR, o.exitCode());
        assertEquals("the guest took a synchronous exception from the current EL with SP_ELx (data abort from the"
                + " current EL: translation fault, level 1, write, FAR_EL1 0x8000) at ELR_EL1 0x40000010 to VBAR_EL1"
                + " + 0x200 = 0x40000a00, where the board has neither RAM nor a device", o.reason());
    }

    @Test
    void pcUartAndEmptyPorts() {
        PcMachine pc = new PcMachine(console);
        pc.handle(vcpu, new VCpuExit.IoWrite(0x3F8, AccessWidth.BYTE, 'Z'));
        pc.handle(vcpu, new VCpuExit.IoRead(0x3FD, AccessWidth.BYTE));
        pc.handle(vcpu, new VCpuExit.IoRead(0x60, AccessWidth.WORD));
        pc.handle(vcpu, new VCpuExit.MmioRead(0xFEE0_0000L, AccessWidth.DWORD, 0, AccessWidth.QWORD, false));
        assertEquals("Z", printed());
        assertEquals(List.of("io 60", "io ffff", "mmio ffffffffffffffff"), vcpu.calls);
    }

    @Test
    void pcHaltEndsTheRunOnlyWithInterruptsDisabled() {
        PcMachine pc = new PcMachine(console);
        vcpu.state = X86_64State.builder().rflags(0x202).build();
        assertEquals(Outcome.CONTINUE, pc.handle(vcpu, new VCpuExit.Halt()));
        vcpu.state = X86_64State.builder().rflags(0x2).build();
        assertEquals(Outcome.EXIT_OK, pc.handle(vcpu, new VCpuExit.Halt()).exitCode());
        assertEquals(Outcome.EXIT_GUEST_ERROR,
                pc.handle(vcpu, new VCpuExit.InternalError(8, "triple fault")).exitCode());
    }
}
