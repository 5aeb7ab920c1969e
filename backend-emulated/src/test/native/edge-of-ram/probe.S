// bare-metal probe for qemu-system-aarch64 -M virt -m 128M: RAM 0x40000000..0x48000000 (END)
    .equ END, 0x48000000
    .equ UART, 0x09000000
    .text
    .globl _start
_start:
    ldr x0, =stack_top
    mov sp, x0
    ldr x0, =vectors
    msr vbar_el1, x0
    mov x0, #(3 << 20)
    msr cpacr_el1, x0         // FP/SIMD on
    isb
    ldr x1, =0x1122334455667788
    ldr x2, =0x99aabbccddeeff00
    mov v0.d[0], x1
    mov v0.d[1], x2
    mov v1.d[0], x2
    mov v1.d[1], x1
    bl mmu_off_cases
    bl enable_mmu
    bl mmu_on_cases
    // PSCI SYSTEM_OFF
    ldr x0, =0x84000008
    hvc #0
1:  b 1b

// run one case: x9 = address, instruction given; prints tag, ESR, FAR, x3, mem[END-8]
.macro CASE tag, insn
    ldr x4, =END-8
    ldr x5, =0x5555555555555555
    str x5, [x4]
    str x5, [x4, #-8]
    mov x20, #0
    mov x22, #0
    ldr x3, =0xdeadbeefdeadbeef
    mov v2.d[0], x3
    mov v2.d[1], x3
    \insn
    mov x0, #\tag
    bl report
.endm

mmu_off_cases:
    stp x29, x30, [sp, #-16]!
    ldr x9, =END-8
    CASE 0x01, "ldp x3, x6, [x9]"
    CASE 0x02, "stp x1, x2, [x9]"
    ldr x9, =END-16
    CASE 0x03, "ld1 {v2.2d, v3.2d}, [x9]"
    CASE 0x04, "st1 {v0.2d, v1.2d}, [x9]"
    ldr x9, =END-4
    CASE 0x05, "ldr x3, [x9]"
    CASE 0x06, "ldp w3, w6, [x9]"
    CASE 0x07, "stp w1, w2, [x9]"
    ldp x29, x30, [sp], #16
    ret

mmu_on_cases:
    stp x29, x30, [sp, #-16]!
    ldr x9, =END-4
    CASE 0x11, "ldr x3, [x9]"
    CASE 0x12, "str x1, [x9]"
    ldr x9, =END-2
    CASE 0x13, "ldr w3, [x9]"
    CASE 0x14, "str w1, [x9]"
    ldr x9, =END-3
    CASE 0x15, "ldr x3, [x9]"
    CASE 0x16, "str x1, [x9]"
    ldr x9, =END-12
    CASE 0x17, "ldp x3, x6, [x9]"
    CASE 0x18, "stp x1, x2, [x9]"
    ldr x9, =END-8
    CASE 0x19, "ldr q2, [x9]"
    CASE 0x1a, "str q0, [x9]"
    ldr x9, =END-20
    CASE 0x1b, "ld1 {v2.16b, v3.16b}, [x9]"
    CASE 0x1c, "st1 {v0.16b, v1.16b}, [x9]"
    ldr x9, =END-1
    CASE 0x1d, "ldrh w3, [x9]"
    ldr x9, =END-6
    CASE 0x1e, "ldr x3, [x9]"
    ldp x29, x30, [sp], #16
    ret

// identity map 0..4GiB with 1 GiB blocks: block 0,1 (0x0-0x7fffffff): block 0 device, block 1 normal
enable_mmu:
    ldr x0, =l1
    ldr x1, =0x00000000 | (1 << 10) | 1           // device attr0
    str x1, [x0]
    ldr x1, =0x40000000 | (1 << 10) | (1 << 2) | 1 | (3 << 8)  // normal attr1, inner shareable
    str x1, [x0, #8]
    msr ttbr0_el1, x0
    ldr x0, =(25 | (2 << 30) | (25 << 16) | (5 << 32) | (1 << 8) | (1 << 10) | (3 << 12))
    msr tcr_el1, x0
    mov x0, #0xff00
    msr mair_el1, x0
    isb
    tlbi vmalle1
    dsb sy
    isb
    mrs x0, sctlr_el1
    orr x0, x0, #1
    bic x0, x0, #2         // A = 0
    msr sctlr_el1, x0
    isb
    ret

// report: x0 tag; prints "tag esr far x3 mem[END-8] mem[END-16] v2lo v2hi\n"
report:
    mov x28, x30
    bl hex
    mov x0, x20
    bl hex
    mov x0, x22
    bl hex
    mov x0, x3
    bl hex
    ldr x4, =END-8
    ldr x0, [x4]
    bl hex
    ldr x0, [x4, #-8]
    bl hex
    mov x0, v2.d[0]
    bl hex
    mov x0, v2.d[1]
    bl hex
    ldr x7, =UART
    mov w8, #10
    strb w8, [x7]
    mov x30, x28
    ret

hex: // print x0 as 16 hex digits and a space
    ldr x7, =UART
    mov x10, #60
1:  lsr x11, x0, x10
    and x11, x11, #15
    cmp x11, #10
    add x12, x11, #'0'
    add x13, x11, #('a' - 10)
    csel x11, x12, x13, lo
    strb w11, [x7]
    subs x10, x10, #4
    b.ge 1b
    mov w11, #' '
    strb w11, [x7]
    ret

    .balign 2048
vectors:
    .rept 4
    b .
    .balign 128
    .endr
    // current EL SPx sync
    mrs x20, esr_el1
    mrs x22, far_el1
    mrs x21, elr_el1
    add x21, x21, #4
    msr elr_el1, x21
    eret
    .balign 128
    .rept 11
    b .
    .balign 128
    .endr

    .data
    .balign 4096
l1: .fill 512, 8, 0
    .ltorg
