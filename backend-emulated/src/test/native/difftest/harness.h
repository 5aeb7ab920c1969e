/* Shared layout of the vcpu4j differential-test harness (qemu-aarch64 side).
 * The Java test (DifftestLayout.java) uses the same numbers. */
#ifndef VCPU4J_HARNESS_H
#define VCPU4J_HARNESS_H

#define CODE_BASE     0x10000000UL   /* RWX page holding prologue, snippet and epilogue */
#define CODE_SIZE     0x10000UL
#define SNIPPET_OFF   0x1000UL       /* the snippet's first word (the same address in the emulator) */
#define SCRATCH_BASE  0x10010000UL   /* the scratch buffer the memory instructions use */
#define SCRATCH_SIZE  0x10000UL
#define MAX_WORDS     1024           /* snippet words per record */

/* Context block; offsets are used by the asm in trampoline.S. */
#define CTX_X     0      /* x0..x30 */
#define CTX_SP    248
#define CTX_NZCV  256
#define CTX_HOST_SP 264
#define CTX_TPIDR 272
#define CTX_LEAVE 280
#define CTX_V     288    /* v0..v31, 16 bytes each */
#define CTX_SIZE  800

#endif
