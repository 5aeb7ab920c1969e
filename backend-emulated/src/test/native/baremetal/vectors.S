// EL1 exception vectors for mmu.c (Arm ARM D1.10.2 "Exception vectors"): every synchronous
// exception from the current EL with SP_ELx or from EL0 (AArch64) saves x0-x30, calls
// on_sync(esr, far, elr, from_el0) and returns (ERET) to the address on_sync gives back; SVC #0xff
// from EL0 returns to the EL1 caller of run_el0 instead. Any other vector prints '!' and powers off.
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
        .rept 3
        b unexpected
        .balign 128
        .endr
        b sync_lower                  // lower EL using AArch64, synchronous
        .balign 128
        .rept 7
        b unexpected
        .balign 128
        .endr

sync_lower:
        sub sp, sp, #256
        stp x0, x1, [sp, #0]
        mrs x0, esr_el1
        ldr x1, =0x560000ff           // EC 0x15 (SVC64), IL, imm16 0xff
        cmp x0, x1
        b.eq back_to_el1
        mov x3, #1
        b save_rest

sync_spx:
        sub sp, sp, #256
        stp x0, x1, [sp, #0]
        mov x3, #0
save_rest:
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

// run_el0(entry, sp): enters EL0t at entry with SP_EL0 = sp and returns when EL0 runs SVC #0xff.
        .global run_el0
run_el0:
        stp x29, x30, [sp, #-96]!
        stp x19, x20, [sp, #16]
        stp x21, x22, [sp, #32]
        stp x23, x24, [sp, #48]
        stp x25, x26, [sp, #64]
        stp x27, x28, [sp, #80]
        ldr x2, =saved_el1_sp
        mov x3, sp
        str x3, [x2]
        msr sp_el0, x1
        msr elr_el1, x0
        mov x0, #0x3c0                // SPSR: EL0t, DAIF masked
        msr spsr_el1, x0
        eret

back_to_el1:
        ldr x2, =saved_el1_sp
        ldr x3, [x2]
        mov sp, x3
        ldp x19, x20, [sp, #16]
        ldp x21, x22, [sp, #32]
        ldp x23, x24, [sp, #48]
        ldp x25, x26, [sp, #64]
        ldp x27, x28, [sp, #80]
        ldp x29, x30, [sp], #96
        ret

// Code run at EL0 through a page-table alias (so it is position-independent and alone in its page).
        .section .text.el0, "ax"
        .balign 4096
        .global el0_page
el0_page:
        mov x0, #5
        svc #1                        // SVC from EL0: ISS 1
        ldr x1, el0_kernel_address
        ldr x2, [x1]                  // EL0 read of an EL1-only block: permission fault
        mrs x3, sctlr_el1             // EL1 register at EL0: undefined
        ldr x4, el0_stack_probe
        str x0, [x4]                  // EL0 write to its own page: works
        ldr x5, [x4]
        add x0, x5, #1
        svc #2
        svc #0xff                     // back to EL1
        .balign 8
el0_kernel_address:
        .quad 0x40000000
el0_stack_probe:
        .quad 0x80011000
        .balign 4096

        .bss
        .balign 8
saved_el1_sp:
        .quad 0

        .text
unexpected:
        ldr x0, =0x09000000
        mov w1, #'!'
        str w1, [x0]
        ldr x0, =0x84000008
        hvc #0
1:      b 1b
