package org.vcpu4j.backend.kvm;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.vcpu4j.api.Hypervisor;
import org.vcpu4j.api.VCpu;
import org.vcpu4j.api.VirtualMachine;
import org.vcpu4j.api.x86_64.X86_64CreateConfig;
import org.vcpu4j.api.x86_64.X86_64SetupConfig;
import org.vcpu4j.spi.Availability;
import org.vcpu4j.spi.Backends;

/**
 * A real x86_64 KVM guest for tests: 2 MiB of RAM at 0, system tables at {@link #TABLES}, code at
 * {@link #CODE}, stack below {@link #STACK}, bound to the calling thread. Also a tiny x86-64 code
 * builder for the hand-assembled instructions the tests use.
 */
final class X86Guest implements AutoCloseable {
    static final long RAM_SIZE = 2 << 20;
    static final long CODE = 0x1000;
    static final long TABLES = 0x8000;
    static final long STACK = 0x1F_0000;
    static final long MMIO = 0x1000_0000L;

    final Hypervisor hypervisor;
    final VirtualMachine vm;
    final VCpu vcpu;

    private X86Guest(byte[] code, int apicId) {
        this(code, apicId, null);
    }

    private X86Guest(byte[] code, int apicId, org.vcpu4j.api.InterruptControllerConfig irqchip) {
        hypervisor = Backends.open(new KvmBackendProvider());
        vm = hypervisor.createVirtualMachine();
        if (irqchip != null) {
            vm.createInterruptController(irqchip);
        }
        vm.mapRam(0, RAM_SIZE);
        vm.memory().write(CODE, code);
        vcpu = vm.createVCpu(0, new X86_64CreateConfig(apicId));
        vcpu.setEntry(CODE);
        vcpu.setup(new X86_64SetupConfig(TABLES));
        vcpu.setGpr(4, STACK);
        vcpu.bind();
    }

    /** Skips when the host has no /dev/kvm; fails when it has one the backend cannot use. */
    static void requireKvm() {
        assumeTrue(Files.exists(Path.of(KvmBackendProvider.DEVICE)), "no /dev/kvm on this host");
        Availability a = new KvmBackendProvider().availability();
        assertTrue(a.available(), "/dev/kvm exists but the kvm backend is unavailable: " + a.reason());
    }

    /**
     * {@return a guest running {@code code} at {@link #CODE}}
     *
     * @param code the machine code
     */
    static X86Guest start(byte[] code) {
        return start(code, 0);
    }

    /**
     * {@return a guest running {@code code} at {@link #CODE} on a vCPU with this APIC id}
     *
     * @param code the machine code
     * @param apicId the APIC id of the create config
     */
    static X86Guest start(byte[] code, int apicId) {
        requireKvm();
        return new X86Guest(code, apicId);
    }

    /**
     * {@return a guest running {@code code} on a VM with the in-kernel irqchip (and PIT) created first}
     *
     * @param code the machine code
     */
    static X86Guest startWithIrqchip(byte[] code) {
        requireKvm();
        return new X86Guest(code, 0, new org.vcpu4j.api.InterruptControllerConfig.X86Irqchip(true));
    }

    @Override
    public void close() {
        if (vcpu.state() == org.vcpu4j.api.VCpuState.READY) {
            vcpu.unbind();
        }
        vm.close();
        hypervisor.close();
    }

    /** A byte-level x86-64 code builder. */
    static final class Code {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Code bytes(int... bs) {
            for (int b : bs) {
                out.write(b);
            }
            return this;
        }

        Code imm32(long v) {
            for (int i = 0; i < 4; i++) {
                out.write((int) (v >>> (8 * i)));
            }
            return this;
        }

        Code imm64(long v) {
            for (int i = 0; i < 8; i++) {
                out.write((int) (v >>> (8 * i)));
            }
            return this;
        }

        /** mov rbx, imm64. */
        Code movRbx(long v) {
            return bytes(0x48, 0xBB).imm64(v);
        }

        /** mov eax, imm32. */
        Code movEax(long v) {
            return bytes(0xB8).imm32(v);
        }

        /** mov dx, imm16. */
        Code movDx(int port) {
            return bytes(0x66, 0xBA, port & 0xFF, port >>> 8);
        }

        Code hlt() {
            return bytes(0xF4);
        }

        int size() {
            return out.size();
        }

        long here() {
            return CODE + out.size();
        }

        byte[] build() {
            return out.toByteArray();
        }
    }
}
