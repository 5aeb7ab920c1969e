// EL1 exception vectors for gictimer.c (Arm ARM D1.10.2): an IRQ from the current EL with SP_ELx saves
// the caller-saved registers, calls on_irq() and returns with ERET; every other vector prints '!' and
// powers off (PSCI SYSTEM_OFF through HVC).
        .section .text
        .balign 2048
        .global irq_vectors
irq_vectors:
        .rept 5
        b gictimer_unexpected
        .balign 128
        .endr
        b irq_spx                     // current EL with SP_ELx, IRQ (offset 0x280)
        .balign 128
        .rept 10
        b gictimer_unexpected
        .balign 128
        .endr

irq_spx:
        sub sp, sp, #192
        stp x0, x1, [sp, #0]
        stp x2, x3, [sp, #16]
        stp x4, x5, [sp, #32]
        stp x6, x7, [sp, #48]
        stp x8, x9, [sp, #64]
        stp x10, x11, [sp, #80]
        stp x12, x13, [sp, #96]
        stp x14, x15, [sp, #112]
        stp x16, x17, [sp, #128]
        stp x18, x29, [sp, #144]
        str x30, [sp, #160]
        bl on_irq
        ldp x0, x1, [sp, #0]
        ldp x2, x3, [sp, #16]
        ldp x4, x5, [sp, #32]
        ldp x6, x7, [sp, #48]
        ldp x8, x9, [sp, #64]
        ldp x10, x11, [sp, #80]
        ldp x12, x13, [sp, #96]
        ldp x14, x15, [sp, #112]
        ldp x16, x17, [sp, #128]
        ldp x18, x29, [sp, #144]
        ldr x30, [sp, #160]
        add sp, sp, #192
        eret

gictimer_unexpected:
        ldr x0, =0x09000000
        mov w1, #'!'
        str w1, [x0]
        ldr x0, =0x84000008
        hvc #0
1:      b 1b
