// EL1 exception vectors for mmu.c (Arm ARM D1.10.2 "Exception vectors"): every synchronous
// exception from the current EL with SP_ELx saves x0-x30, calls on_sync(esr, far, elr) and returns
// (ERET) to the address on_sync gives back. Any other vector prints '!' and powers off.
        .section .text
        .balign 2048
        .global el1_vectors
el1_vectors:
        .rept 4                       // current EL with SP_EL0
        b unexpected
        .balign 128
        .endr
        b sync_spx                    // current EL with SP_ELx, synchronous
        .balign 128
        .rept 11
        b unexpected
        .balign 128
        .endr

sync_spx:
        sub sp, sp, #256
        stp x0, x1, [sp, #0]
        stp x2, x3, [sp, #16]
        stp x4, x5, [sp, #32]
        stp x6, x7, [sp, #48]
        stp x8, x9, [sp, #64]
        stp x10, x11, [sp, #80]
        stp x12, x13, [sp, #96]
        stp x14, x15, [sp, #112]
        stp x16, x17, [sp, #128]
        stp x18, x19, [sp, #144]
        stp x29, x30, [sp, #160]
        mrs x0, esr_el1
        mrs x1, far_el1
        mrs x2, elr_el1
        bl on_sync
        msr elr_el1, x0
        ldp x0, x1, [sp, #0]
        ldp x2, x3, [sp, #16]
        ldp x4, x5, [sp, #32]
        ldp x6, x7, [sp, #48]
        ldp x8, x9, [sp, #64]
        ldp x10, x11, [sp, #80]
        ldp x12, x13, [sp, #96]
        ldp x14, x15, [sp, #112]
        ldp x16, x17, [sp, #128]
        ldp x18, x19, [sp, #144]
        ldp x29, x30, [sp, #160]
        add sp, sp, #256
        eret

unexpected:
        ldr x0, =0x09000000
        mov w1, #'!'
        str w1, [x0]
        ldr x0, =0x84000008
        hvc #0
1:      b 1b
