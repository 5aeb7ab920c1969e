// vcpu4j differential-test harness: the switch between the host C code and a test snippet.
// enter_snippet(ctx) saves the callee-saved state, then branches to the prologue copied in front of
// the snippet; the epilogue copied behind the snippet stores the guest registers into ctx and jumps
// (absolute address, the code page is far from this binary) to leave_snippet, which returns.
#include "harness.h"

        .text
        .global enter_snippet
        .type enter_snippet, %function
enter_snippet:                       // x0 = ctx, x1 = prologue address
        stp x29, x30, [sp, #-160]!
        stp x19, x20, [sp, #16]
        stp x21, x22, [sp, #32]
        stp x23, x24, [sp, #48]
        stp x25, x26, [sp, #64]
        stp x27, x28, [sp, #80]
        stp d8, d9, [sp, #96]          // AAPCS64: d8-d15 are callee-saved too
        stp d10, d11, [sp, #112]
        stp d12, d13, [sp, #128]
        stp d14, d15, [sp, #144]
        mov x2, sp
        str x2, [x0, #CTX_HOST_SP]
        mrs x2, tpidr_el0
        str x2, [x0, #CTX_TPIDR]
        adr x2, leave_snippet
        str x2, [x0, #CTX_LEAVE]
        br x1

        .global leave_snippet
        .type leave_snippet, %function
leave_snippet:                       // x0 = ctx, sp = host sp
        ldr x2, [x0, #CTX_TPIDR]
        msr tpidr_el0, x2
        ldp x19, x20, [sp, #16]
        ldp x21, x22, [sp, #32]
        ldp x23, x24, [sp, #48]
        ldp x25, x26, [sp, #64]
        ldp x27, x28, [sp, #80]
        ldp d8, d9, [sp, #96]
        ldp d10, d11, [sp, #112]
        ldp d12, d13, [sp, #128]
        ldp d14, d15, [sp, #144]
        ldp x29, x30, [sp], #160
        mov w0, #0
        ret

// Copied in front of the snippet. Entered with x0 = ctx; loads every guest register and falls
// through into the snippet.
        .global prologue_start, prologue_end
prologue_start:
        ldp q0, q1, [x0, #288]
        ldp q2, q3, [x0, #320]
        ldp q4, q5, [x0, #352]
        ldp q6, q7, [x0, #384]
        ldp q8, q9, [x0, #416]
        ldp q10, q11, [x0, #448]
        ldp q12, q13, [x0, #480]
        ldp q14, q15, [x0, #512]
        ldp q16, q17, [x0, #544]
        ldp q18, q19, [x0, #576]
        ldp q20, q21, [x0, #608]
        ldp q22, q23, [x0, #640]
        ldp q24, q25, [x0, #672]
        ldp q26, q27, [x0, #704]
        ldp q28, q29, [x0, #736]
        ldp q30, q31, [x0, #768]
        ldr x1, [x0, #CTX_NZCV]
        msr nzcv, x1
        ldr x1, [x0, #CTX_SP]
        mov sp, x1
        ldp x2, x3, [x0, #16]
        ldp x4, x5, [x0, #32]
        ldp x6, x7, [x0, #48]
        ldp x8, x9, [x0, #64]
        ldp x10, x11, [x0, #80]
        ldp x12, x13, [x0, #96]
        ldp x14, x15, [x0, #112]
        ldp x16, x17, [x0, #128]
        ldp x18, x19, [x0, #144]
        ldp x20, x21, [x0, #160]
        ldp x22, x23, [x0, #176]
        ldp x24, x25, [x0, #192]
        ldp x26, x27, [x0, #208]
        ldp x28, x29, [x0, #224]
        ldr x30, [x0, #240]
        ldp x0, x1, [x0, #0]
prologue_end:

// Copied behind the snippet. Stores every guest register into ctx (whose address is the literal
// word patched at epilogue_ctx), then jumps back to leave_snippet on the host stack.
        .global epilogue_start, epilogue_end, epilogue_ctx
epilogue_start:
        msr tpidr_el0, x0
        ldr x0, epilogue_ctx
        str x1, [x0, #8]
        stp x2, x3, [x0, #16]
        stp x4, x5, [x0, #32]
        stp x6, x7, [x0, #48]
        stp x8, x9, [x0, #64]
        stp x10, x11, [x0, #80]
        stp x12, x13, [x0, #96]
        stp x14, x15, [x0, #112]
        stp x16, x17, [x0, #128]
        stp x18, x19, [x0, #144]
        stp x20, x21, [x0, #160]
        stp x22, x23, [x0, #176]
        stp x24, x25, [x0, #192]
        stp x26, x27, [x0, #208]
        stp x28, x29, [x0, #224]
        str x30, [x0, #240]
        stp q0, q1, [x0, #288]
        stp q2, q3, [x0, #320]
        stp q4, q5, [x0, #352]
        stp q6, q7, [x0, #384]
        stp q8, q9, [x0, #416]
        stp q10, q11, [x0, #448]
        stp q12, q13, [x0, #480]
        stp q14, q15, [x0, #512]
        stp q16, q17, [x0, #544]
        stp q18, q19, [x0, #576]
        stp q20, q21, [x0, #608]
        stp q22, q23, [x0, #640]
        stp q24, q25, [x0, #672]
        stp q26, q27, [x0, #704]
        stp q28, q29, [x0, #736]
        stp q30, q31, [x0, #768]
        mrs x1, tpidr_el0
        str x1, [x0, #0]
        mov x1, sp
        str x1, [x0, #CTX_SP]
        mrs x1, nzcv
        str x1, [x0, #CTX_NZCV]
        ldr x1, [x0, #CTX_HOST_SP]
        mov sp, x1
        ldr x1, [x0, #CTX_LEAVE]
        br x1
        .balign 8
epilogue_ctx:
        .quad 0
epilogue_end:
