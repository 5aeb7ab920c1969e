package org.vcpu4j.backend.kvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.vcpu4j.api.AccessWidth;
import org.vcpu4j.api.IllegalVCpuStateException;
import org.vcpu4j.api.MemoryMapException;
import org.vcpu4j.api.MemoryRegion;
import org.vcpu4j.api.VCpuExit;
import org.vcpu4j.api.x86_64.DescriptorTable;
import org.vcpu4j.api.x86_64.X86_64State;

/** x86_64 guests on the real /dev/kvm: exits, the PC contract, registers, exit requests. */
class KvmX86GuestTest {

    private static long rip(X86Guest g) {
        return ((X86_64State) g.vcpu.saveState()).rip();
    }

    @Test
    void outReportsPortWidthAndDataAndThePcIsPastTheInstruction() {
        X86Guest.Code c = new X86Guest.Code().bytes(0xB0, 0x41).movDx(0x3F8).bytes(0xEE);
        long afterOut = c.here();
        c.hlt();
        long afterHlt = c.here();
        try (X86Guest g = X86Guest.start(c.build())) {
            assertEquals(new VCpuExit.IoWrite(0x3F8, AccessWidth.BYTE, 0x41), g.vcpu.run());
            assertEquals(afterOut, rip(g), "RIP after an OUT exit, before the next run");
            assertInstanceOf(VCpuExit.Halt.class, g.vcpu.run());
            assertEquals(afterHlt, rip(g), "RIP after HLT");
        }
    }

    @Test
    void outOfEveryWidthAndImmediatePort() {
        X86Guest.Code c = new X86Guest.Code().movEax(0x8765_4321L).movDx(0x1234)
                .bytes(0xEE).bytes(0x66, 0xEF).bytes(0xEF).bytes(0xE6, 0x80).hlt();
        try (X86Guest g = X86Guest.start(c.build())) {
            assertEquals(new VCpuExit.IoWrite(0x1234, AccessWidth.BYTE, 0x21), g.vcpu.run());
            assertEquals(new VCpuExit.IoWrite(0x1234, AccessWidth.WORD, 0x4321), g.vcpu.run());
            assertEquals(new VCpuExit.IoWrite(0x1234, AccessWidth.DWORD, 0x8765_4321L), g.vcpu.run());
            assertEquals(new VCpuExit.IoWrite(0x80, AccessWidth.BYTE, 0x21), g.vcpu.run());
            assertInstanceOf(VCpuExit.Halt.class, g.vcpu.run());
        }
    }

    @Test
    void inOfEveryWidthLoadsTheCompletedValueMasked() {
        X86Guest.Code c = new X86Guest.Code().movEax(0).movDx(0x60)
                .bytes(0xEC).bytes(0x48, 0x89, 0xC3) // in al, dx; mov rbx, rax
                .bytes(0x66, 0xED).bytes(0x48, 0x89, 0xC1) // in ax, dx; mov rcx, rax
                .bytes(0xED); // in eax, dx
        long afterIn = c.here();
        c.hlt();
        try (X86Guest g = X86Guest.start(c.build())) {
            assertEquals(new VCpuExit.IoRead(0x60, AccessWidth.BYTE), g.vcpu.run());
            g.vcpu.completeIoRead(0xFFAB);
            assertEquals(new VCpuExit.IoRead(0x60, AccessWidth.WORD), g.vcpu.run());
            g.vcpu.completeIoRead(0x1_CDEF);
            assertEquals(new VCpuExit.IoRead(0x60, AccessWidth.DWORD), g.vcpu.run());
            g.vcpu.completeIoRead(0xFF_1234_5678L);
            assertEquals(afterIn, rip(g), "RIP after a completed IN, before the next run");
            assertEquals(0x1234_5678L, g.vcpu.gpr(0), "EAX after IN EAX (zero-extended)");
            assertInstanceOf(VCpuExit.Halt.class, g.vcpu.run());
            assertEquals(0xABL, g.vcpu.gpr(3), "RBX holds AL from IN AL");
            assertEquals(0xCDEFL, g.vcpu.gpr(1), "RCX holds AX from IN AX");
            assertEquals(0x1234_5678L, g.vcpu.gpr(0));
        }
    }

    @Test
    void mmioWritesAndReadsOfEveryWidth() {
        X86Guest.Code c = new X86Guest.Code().movRbx(X86Guest.MMIO).movEax(0xDEAD_BEEFL)
                .bytes(0x88, 0x03) // mov [rbx], al
                .bytes(0x66, 0x89, 0x03) // mov [rbx], ax
                .bytes(0x89, 0x03) // mov [rbx], eax
                .bytes(0x48, 0x89, 0x43, 0x08) // mov [rbx+8], rax
                .bytes(0x48, 0x8B, 0x4B, 0x10) // mov rcx, [rbx+16]
                .bytes(0x8A, 0x53, 0x18); // mov dl, [rbx+24]
        long afterLoad = c.here();
        c.hlt();
        try (X86Guest g = X86Guest.start(c.build())) {
            g.vcpu.setGpr(2, 0x1111_1111_1111_1111L);
            long m = X86Guest.MMIO;
            assertEquals(new VCpuExit.MmioWrite(m, AccessWidth.BYTE, 0xEF), g.vcpu.run());
            assertEquals(new VCpuExit.MmioWrite(m, AccessWidth.WORD, 0xBEEF), g.vcpu.run());
            assertEquals(new VCpuExit.MmioWrite(m, AccessWidth.DWORD, 0xDEAD_BEEFL), g.vcpu.run());
            assertEquals(new VCpuExit.MmioWrite(m + 8, AccessWidth.QWORD, 0xDEAD_BEEFL), g.vcpu.run());
            assertEquals(new VCpuExit.MmioRead(m + 16, AccessWidth.QWORD, 0, AccessWidth.QWORD, false), g.vcpu.run());
            g.vcpu.completeMmioRead(0x1122_3344_5566_7788L);
            assertEquals(new VCpuExit.MmioRead(m + 24, AccessWidth.BYTE, 0, AccessWidth.BYTE, false), g.vcpu.run());
            assertThrows(IllegalVCpuStateException.class, () -> g.vcpu.setGpr(0, 1), "a write before the completion");
            g.vcpu.completeMmioRead(0x3C);
            assertEquals(afterLoad, rip(g));
            assertEquals(0x1122_3344_5566_7788L, g.vcpu.gpr(1), "RCX from the 8-byte load");
            assertEquals(0x1111_1111_1111_113CL, g.vcpu.gpr(2), "DL from the byte load, rest of RDX kept");
            assertInstanceOf(VCpuExit.Halt.class, g.vcpu.run());
        }
    }

    @Test
    void atALoadExitTheRipIsAlreadyPastTheInstructionAndTheCompletionStillLands() {
        X86Guest.Code c = new X86Guest.Code().movRbx(X86Guest.MMIO).movDx(0x60);
        long in = c.here();
        c.bytes(0xEC); // in al, dx
        long afterIn = c.here();
        c.bytes(0xE5, 0x71); // in eax, 0x71
        long afterInImmediate = c.here();
        c.bytes(0x65, 0x67, 0x4C, 0x8B, 0x84, 0x8B, 0x00, 0x01, 0x00, 0x00); // mov r8, gs:[ebx+ecx*4+0x100]
        long afterLoad = c.here();
        c.bytes(0x0F, 0xB7, 0x73, 0x20); // movzx esi, word [rbx+0x20]
        long afterMovzx = c.here();
        c.hlt();
        try (X86Guest g = X86Guest.start(c.build())) {
            g.vcpu.setGpr(1, 0);
            assertEquals(new VCpuExit.IoRead(0x60, AccessWidth.BYTE), g.vcpu.run());
            X86_64State atExit = (X86_64State) g.vcpu.saveState();
            assertEquals(afterIn, atExit.rip(), "RIP at the IN exit, before the completion (IN at 0x"
                    + Long.toHexString(in) + ")");
            assertEquals(afterIn, rip(g), "asking twice gives the same RIP");
            g.vcpu.completeIoRead(0x5A);
            assertEquals(afterIn, rip(g), "RIP after the completion");
            assertEquals(0x5AL, g.vcpu.gpr(0) & 0xFF, "AL after the completion");
            assertEquals(new VCpuExit.IoRead(0x71, AccessWidth.DWORD), g.vcpu.run());
            assertEquals(afterInImmediate, rip(g));
            g.vcpu.completeIoRead(0x1234_5678L);
            assertEquals(new VCpuExit.MmioRead(X86Guest.MMIO + 0x100, AccessWidth.QWORD, 0, AccessWidth.QWORD, false),
                    g.vcpu.run());
            assertEquals(afterLoad, rip(g), "RIP past a 10-byte load with segment, address-size and REX prefixes");
            assertEquals(0x1234_5678L, g.vcpu.gpr(0), "EAX from the IN before");
            g.vcpu.completeMmioRead(0x0102_0304_0506_0708L);
            assertEquals(new VCpuExit.MmioRead(X86Guest.MMIO + 0x20, AccessWidth.WORD, 0, AccessWidth.WORD, false),
                    g.vcpu.run());
            assertEquals(0x0102_0304_0506_0708L, g.vcpu.gpr(8), "R8 from the 8-byte load");
            assertEquals(afterMovzx, rip(g));
            g.vcpu.completeMmioRead(0xFFFF_BEEFL);
            assertInstanceOf(VCpuExit.Halt.class, g.vcpu.run());
            assertEquals(0xBEEFL, g.vcpu.gpr(6), "ESI from MOVZX");
        }
    }

    @Test
    void aLoadStraddlingAPageBoundaryIsReadFromBothPages() {
        X86Guest.Code c = new X86Guest.Code().movRbx(X86Guest.MMIO);
        while (c.here() < 0x1FFE) {
            c.bytes(0x90);
        }
        c.bytes(0x48, 0x8B, 0x4B, 0x10); // mov rcx, [rbx+16], two bytes on each page
        long after = c.here();
        c.hlt();
        try (X86Guest g = X86Guest.start(c.build())) {
            assertEquals(new VCpuExit.MmioRead(X86Guest.MMIO + 16, AccessWidth.QWORD, 0, AccessWidth.QWORD, false),
                    g.vcpu.run());
            assertEquals(after, rip(g));
            g.vcpu.completeMmioRead(0x42);
            assertInstanceOf(VCpuExit.Halt.class, g.vcpu.run());
            assertEquals(0x42L, g.vcpu.gpr(1));
        }
    }

    @Test
    void restoringTheStateSavedAtALoadExitDropsTheLoadAndResumesAfterIt() {
        X86Guest.Code c = new X86Guest.Code().movRbx(X86Guest.MMIO).movEax(0x77)
                .bytes(0x48, 0x8B, 0x43, 0x08) // mov rax, [rbx+8]
                .bytes(0xE6, 0x80); // out 0x80, al
        c.hlt();
        try (X86Guest g = X86Guest.start(c.build())) {
            assertEquals(new VCpuExit.MmioRead(X86Guest.MMIO + 8, AccessWidth.QWORD, 0, AccessWidth.QWORD, false),
                    g.vcpu.run());
            X86_64State atExit = (X86_64State) g.vcpu.saveState();
            g.vcpu.restoreState(atExit.toBuilder().gpr(0, 0x99).build());
            assertEquals(atExit.rip(), rip(g), "the restored RIP, past the load");
            assertEquals(new VCpuExit.IoWrite(0x80, AccessWidth.BYTE, 0x99), g.vcpu.run(),
                    "the guest resumed after the load with the restored RAX");
        }
    }

    @Test
    void anRmwLoadRetiresAfterItsWrite() {
        X86Guest.Code c = new X86Guest.Code().movRbx(X86Guest.MMIO)
                .bytes(0x83, 0x43, 0x10, 0x05); // add dword [rbx+0x10], 5
        long after = c.here();
        c.hlt();
        try (X86Guest g = X86Guest.start(c.build())) {
            assertEquals(new VCpuExit.MmioRead(X86Guest.MMIO + 0x10, AccessWidth.DWORD, 0, AccessWidth.DWORD, false),
                    g.vcpu.run());
            assertEquals(after, rip(g), "RIP past the ADD at its read");
            g.vcpu.completeMmioRead(10);
            assertEquals(new VCpuExit.MmioWrite(X86Guest.MMIO + 0x10, AccessWidth.DWORD, 15), g.vcpu.run());
            assertEquals(after, rip(g), "RIP past the ADD at its write");
            assertInstanceOf(VCpuExit.Halt.class, g.vcpu.run());
        }
    }

    @Test
    void insIsPastAtItsExitAndARepInsIsPastOnlyAtItsLastElement() {
        X86Guest.Code c = new X86Guest.Code().bytes(0x48, 0xBF).imm64(0x5000).movDx(0x60).bytes(0xFC); // rdi; dx; cld
        c.bytes(0x6C); // insb
        long afterIns = c.here();
        c.bytes(0x48, 0xBF).imm64(0x5FFF).bytes(0xB9).imm32(2); // mov rdi, page end - 1; mov ecx, 2
        long repIns = c.here();
        c.bytes(0xF3, 0x6C); // rep insb: KVM hands over the element before the page end alone
        long afterRepIns = c.here();
        c.hlt();
        try (X86Guest g = X86Guest.start(c.build())) {
            assertEquals(new VCpuExit.IoRead(0x60, AccessWidth.BYTE), g.vcpu.run());
            assertEquals(afterIns, rip(g), "RIP past INSB at its exit");
            g.vcpu.completeIoRead(0x11);
            assertEquals(new VCpuExit.IoRead(0x60, AccessWidth.BYTE), g.vcpu.run());
            assertEquals(repIns, rip(g), "RIP at REP INSB while elements remain");
            g.vcpu.completeIoRead(0x22);
            assertEquals(new VCpuExit.IoRead(0x60, AccessWidth.BYTE), g.vcpu.run());
            assertEquals(afterRepIns, rip(g), "RIP past REP INSB at its last element");
            g.vcpu.completeIoRead(0x33);
            assertInstanceOf(VCpuExit.Halt.class, g.vcpu.run());
            assertEquals(0x11, g.vm.memory().read(0x5000, 1)[0]);
            assertEquals(0x22, g.vm.memory().read(0x5FFF, 1)[0]);
            assertEquals(0x33, g.vm.memory().read(0x6000, 1)[0]);
            assertEquals(0L, g.vcpu.gpr(1), "RCX counted down");
        }
    }

    @Test
    void gprIndicesFollowTheEncodingOrderNotKvmRegs() {
        // mov eax, ebx; out dx, al; mov eax, esi; out dx, al; mov eax, r13d; out dx, al; hlt
        X86Guest.Code c = new X86Guest.Code().bytes(0x89, 0xD8, 0xEE, 0x89, 0xF0, 0xEE, 0x44, 0x89, 0xE8, 0xEE).hlt();
        try (X86Guest g = X86Guest.start(c.build())) {
            for (int i = 0; i < 16; i++) {
                if (i != 4) {
                    g.vcpu.setGpr(i, 0x100L * i + i);
                }
            }
            g.vcpu.setGpr(2, 0x3F8);
            X86_64State s = (X86_64State) g.vcpu.saveState();
            for (int i = 0; i < 16; i++) {
                assertEquals(g.vcpu.gpr(i), s.gpr(i), X86_64State.GPR_NAMES.get(i));
            }
            assertEquals(new VCpuExit.IoWrite(0x3F8, AccessWidth.BYTE, 0x03), g.vcpu.run(), "rbx is index 3");
            assertEquals(new VCpuExit.IoWrite(0x3F8, AccessWidth.BYTE, 0x06), g.vcpu.run(), "rsi is index 6");
            assertEquals(new VCpuExit.IoWrite(0x3F8, AccessWidth.BYTE, 0x0D), g.vcpu.run(), "r13 is index 13");
        }
    }

    @Test
    @org.junit.jupiter.api.Timeout(value = 60, threadMode = org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD)
    void requestExitFromAnotherThreadStopsASpinningGuest() throws Exception {
        X86Guest.Code c = new X86Guest.Code().bytes(0xEB, 0xFE); // jmp $
        try (X86Guest g = X86Guest.start(c.build())) {
            CountDownLatch started = new CountDownLatch(1);
            Thread kicker = Thread.ofPlatform().daemon().start(() -> {
                try {
                    started.await();
                    while (g.vcpu.state() != org.vcpu4j.api.VCpuState.RUNNING) {
                        Thread.onSpinWait();
                    }
                    Thread.sleep(20);
                    g.vcpu.requestExit();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            started.countDown();
            assertInstanceOf(VCpuExit.Interrupted.class, g.vcpu.run());
            kicker.join(TimeUnit.SECONDS.toMillis(10));
            assertEquals(X86Guest.CODE, rip(g), "RIP at the interrupted jmp");
        }
    }

    @Test
    void aRequestBetweenRunsIsStickyAndClearedByTheInterruptedExit() {
        X86Guest.Code c = new X86Guest.Code().movDx(0x10).bytes(0xEE).hlt();
        try (X86Guest g = X86Guest.start(c.build())) {
            g.vcpu.requestExit();
            assertInstanceOf(VCpuExit.Interrupted.class, g.vcpu.run());
            assertEquals(X86Guest.CODE, rip(g), "nothing ran");
            assertInstanceOf(VCpuExit.IoWrite.class, g.vcpu.run(), "the request was consumed");
            g.vcpu.requestExit();
            assertInstanceOf(VCpuExit.Interrupted.class, g.vcpu.run(), "a request after an I/O exit");
            assertInstanceOf(VCpuExit.Halt.class, g.vcpu.run());
        }
    }

    @Test
    void repOutsAndRepInsAreOnePortAccessPerElement() {
        // mov dx, 0x3f8; mov ecx, 3; mov esi, 0x3000; rep outsb; mov ecx, 3; mov edi, 0x3000; rep insb
        X86Guest.Code c = new X86Guest.Code().movDx(0x3F8).bytes(0xB9).imm32(3).bytes(0xBE).imm32(0x3000)
                .bytes(0xF3, 0x6E).bytes(0xB9).imm32(3).bytes(0xBF).imm32(0x3000).bytes(0xF3, 0x6C).hlt();
        try (X86Guest g = X86Guest.start(c.build())) {
            g.vm.memory().write(0x3000, new byte[] {'a', 'b', 'c'});
            assertEquals(new VCpuExit.IoWrite(0x3F8, AccessWidth.BYTE, 'a'), g.vcpu.run());
            assertEquals(new VCpuExit.IoWrite(0x3F8, AccessWidth.BYTE, 'b'), g.vcpu.run());
            assertEquals(new VCpuExit.IoWrite(0x3F8, AccessWidth.BYTE, 'c'), g.vcpu.run());
            for (char ch : new char[] {'x', 'y', 'z'}) { // KVM hands the three over at once
                assertEquals(new VCpuExit.IoRead(0x3F8, AccessWidth.BYTE), g.vcpu.run());
                g.vcpu.completeIoRead(ch);
            }
            assertInstanceOf(VCpuExit.Halt.class, g.vcpu.run());
            assertEquals("xyz", new String(g.vm.memory().read(0x3000, 3), java.nio.charset.StandardCharsets.US_ASCII));
        }
    }

    @Test
    void anUndeliverableExceptionIsATripleFault() {
        X86Guest.Code c = new X86Guest.Code().bytes(0x0F, 0x0B); // ud2 with no usable IDT
        try (X86Guest g = X86Guest.start(c.build())) {
            X86_64State s = (X86_64State) g.vcpu.saveState();
            g.vcpu.restoreState(s.toBuilder().idt(DescriptorTable.EMPTY).build());
            VCpuExit.InternalError err = assertInstanceOf(VCpuExit.InternalError.class, g.vcpu.run());
            assertTrue(err.description().contains("triple fault"), err.description());
        }
    }

    @Test
    void saveAndRestoreRoundTrip() {
        X86Guest.Code c = new X86Guest.Code().bytes(0x89, 0xD8, 0xE6, 0x80).hlt(); // mov eax, ebx; out 0x80, al
        try (X86Guest g = X86Guest.start(c.build())) {
            X86_64State s = (X86_64State) g.vcpu.saveState();
            assertEquals(X86Guest.CODE, s.rip());
            assertEquals(0x2, s.rflags());
            assertEquals(X86Guest.TABLES, s.cr3());
            assertEquals(0x500, s.efer() & 0x500, "long mode active");
            X86_64State changed = s.toBuilder().gpr(3, 0x77).gpr(15, -1L).build();
            g.vcpu.restoreState(changed);
            assertEquals(changed, g.vcpu.saveState());
            assertEquals(new VCpuExit.IoWrite(0x80, AccessWidth.BYTE, 0x77), g.vcpu.run());
        }
    }

    @Test
    void injectedInterruptRunsTheGuestHandler() {
        // handler at CODE+0x100: out 0x81, al; iretq. IDT at 0x3000 with vector 0x20 -> handler.
        X86Guest.Code c = new X86Guest.Code().bytes(0xFB, 0x90, 0xF4, 0xEB, 0xFE); // sti; nop; hlt; jmp $
        try (X86Guest g = X86Guest.start(c.build())) {
            long handler = X86Guest.CODE + 0x100;
            g.vm.memory().write(handler, new byte[] {(byte) 0xE6, (byte) 0x81, 0x48, (byte) 0xCF});
            long gate = (handler & 0xFFFF) | (0x08L << 16) | (0x8EL << 40) | ((handler >>> 16) & 0xFFFF) << 48;
            g.vm.memory().writeLong(0x3000 + 0x20 * 16, gate);
            g.vm.memory().writeLong(0x3000 + 0x20 * 16 + 8, handler >>> 32);
            X86_64State s = (X86_64State) g.vcpu.saveState();
            g.vcpu.restoreState(s.toBuilder().idt(new DescriptorTable(0x3000, 0xFFF)).build());
            assertInstanceOf(VCpuExit.Halt.class, g.vcpu.run());
            g.vcpu.injectInterrupt(0x20);
            assertEquals(new VCpuExit.IoWrite(0x81, AccessWidth.BYTE, 0), g.vcpu.run());
        }
    }

    @Test
    void readOnlyRegionsTurnWritesIntoMmioExits() {
        long rom = 0x40_0000;
        X86Guest.Code c = new X86Guest.Code().movRbx(rom).bytes(0x48, 0x8B, 0x03) // mov rax, [rbx]
                .bytes(0x89, 0x03).hlt(); // mov [rbx], eax
        try (X86Guest g = X86Guest.start(c.build())) {
            MemorySegment host = java.lang.foreign.Arena.ofAuto().allocate(4096, 4096);
            host.set(java.lang.foreign.ValueLayout.JAVA_LONG, 0, 0x0123_4567_89AB_CDEFL);
            g.vm.map(MemoryRegion.rom(rom, host));
            assertEquals(new VCpuExit.MmioWrite(rom, AccessWidth.DWORD, 0x89AB_CDEFL), g.vcpu.run());
            assertEquals(0x0123_4567_89AB_CDEFL, g.vcpu.gpr(0), "the load read the ROM");
            assertEquals(0x0123_4567_89AB_CDEFL, host.get(java.lang.foreign.ValueLayout.JAVA_LONG, 0), "ROM unchanged");
        }
    }

    @Test
    void theGuestSeesTheHostCpuidWithItsApicId() throws Exception {
        // xor eax, eax; cpuid; out 0x80, al; mov eax, 1; cpuid; out 0x80, al; hlt
        X86Guest.Code c = new X86Guest.Code().bytes(0x31, 0xC0, 0x0F, 0xA2, 0xE6, 0x80).movEax(1)
                .bytes(0x0F, 0xA2, 0xE6, 0x80).hlt();
        String vendor = java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/cpuinfo")).stream()
                .filter(l -> l.startsWith("vendor_id")).findFirst().orElseThrow().replaceAll(".*:\\s*", "");
        try (X86Guest g = X86Guest.start(c.build(), 5)) {
            assertInstanceOf(VCpuExit.IoWrite.class, g.vcpu.run());
            String seen = ascii(g.vcpu.gpr(3)) + ascii(g.vcpu.gpr(2)) + ascii(g.vcpu.gpr(1));
            assertEquals(vendor, seen, "CPUID leaf 0 vendor (EBX, EDX, ECX)");
            assertInstanceOf(VCpuExit.IoWrite.class, g.vcpu.run());
            assertEquals(5, (g.vcpu.gpr(3) >>> 24) & 0xFF, "CPUID leaf 1 EBX[31:24] is the APIC id");
            assertTrue((g.vcpu.gpr(2) & (1L << 25)) != 0, "SSE reported (leaf 1 EDX bit 25)");
        }
    }

    private static String ascii(long register) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 4; i++) {
            sb.append((char) ((register >>> (8 * i)) & 0xFF));
        }
        return sb.toString();
    }

    @Test
    void heapSegmentsAreRefused() {
        try (X86Guest g = X86Guest.start(new X86Guest.Code().hlt().build())) {
            MemoryMapException e = assertThrows(MemoryMapException.class,
                    () -> g.vm.map(MemoryRegion.ram(0x40_0000, MemorySegment.ofArray(new byte[4096]))));
            assertTrue(e.getMessage().contains("native"), e.getMessage());
        }
    }

    @Test
    void systemTablesOutsideRamAreRefused() {
        X86Guest.requireKvm();
        try (var h = org.vcpu4j.spi.Backends.open(new KvmBackendProvider()); var vm = h.createVirtualMachine()) {
            vm.mapRam(0, 0x10000);
            var vcpu = vm.createVCpu(0, org.vcpu4j.api.x86_64.X86_64CreateConfig.bootstrap());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> vcpu.setup(new org.vcpu4j.api.x86_64.X86_64SetupConfig(0xC000)));
            assertTrue(e.getMessage().contains("0x7000"), e.getMessage());
        }
    }
}
