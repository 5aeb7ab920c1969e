// Startup for vcpu4j's bare-metal test programs on QEMU's virt board (and vcpu4j's model of it):
// entered at EL1 with the MMU off. Sets SP, zeroes .bss, calls main, then powers off with PSCI
// SYSTEM_OFF (function id 0x84000008, Arm DEN0022 5.1) through HVC, the conduit of virt at EL1.
        .section .text.boot, "ax"
        .global _start
_start:
        ldr x0, =__stack_top
        mov sp, x0
        ldr x0, =__bss_start
        ldr x1, =__bss_end
1:      cmp x0, x1
        b.hs 2f
        str xzr, [x0], #8
        b 1b
2:      bl main
        ldr x0, =0x84000008
        hvc #0
3:      wfi
        b 3b
