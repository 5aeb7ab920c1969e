// vcpu4j differential-test harness: the switch between the host C code and a test snippet.
// enter_snippet(ctx) saves the callee-saved state, then branches to the prologue copied in front of
// the snippet; the epilogue copied behind the snippet stores the guest registers into ctx and jumps
// (absolute address, the code page is far from this binary) to leave_snippet, which returns.
#include "harness.h"

        .text
        .global enter_snippet
        .type enter_snippet, %function
enter_snippet:                       // x0 = ctx, x1 = prologue address
        stp x29, x30, [sp, #-96]!
        stp x19, x20, [sp, #16]
        stp x21, x22, [sp, #32]
        stp x23, x24, [sp, #48]
        stp x25, x26, [sp, #64]
        stp x27, x28, [sp, #80]
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
        ldp x29, x30, [sp], #96
        mov w0, #0
        ret

// Copied in front of the snippet. Entered with x0 = ctx; loads every guest register and falls
// through into the snippet.
        .global prologue_start, prologue_end
prologue_start:
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
