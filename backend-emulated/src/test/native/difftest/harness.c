/*
 * vcpu4j differential-test harness, run under one persistent qemu-aarch64 process.
 *
 * Protocol (little-endian, on stdin/stdout), per record:
 *   in:  u32 magic 0x56435055 ("VCPU"); u32 n (snippet words); u64 x[31]; u64 sp; u64 nzcv;
 *        u64 scratch_seed; u64 v[64] (v0..v31, low half first); u32 code[n]
 *   out: u32 status (0 = the snippet ran to its end, else the signal number); u64 x[31]; u64 sp;
 *        u64 nzcv; u64 pc (of the faulting instruction, 0 without a signal); u64 v[64] (after a signal:
 *        as they were given); u32 m; then m times
 *        {u32 offset; u64 value}: the 8-byte words of the scratch buffer that differ from its initial
 *        fill. After a signal the registers are those of the faulting instruction (from ucontext).
 * The scratch buffer is filled with splitmix64(seed) words before each record (the Java side does
 * the same). The snippet runs at CODE_BASE + SNIPPET_OFF and the scratch buffer is at SCRATCH_BASE,
 * both mapped with MAP_FIXED so that the emulator can use the same guest addresses.
 * A magic of 0 ends the harness.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>
#include "harness.h"

extern int enter_snippet(uint64_t *ctx, uint64_t prologue);
extern const uint32_t prologue_start[], prologue_end[], epilogue_start[], epilogue_end[];
extern const uint64_t epilogue_ctx[];

static uint64_t ctx[CTX_SIZE / 8] __attribute__((aligned(16)));
static sigjmp_buf escape;
static volatile int caught;
static volatile uint64_t fault_pc;

static uint64_t splitmix64(uint64_t *state) {
    uint64_t z = (*state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static void on_signal(int sig, siginfo_t *info, void *context) {
    (void) info;
    ucontext_t *uc = context;
    for (int i = 0; i < 31; i++) ctx[i] = uc->uc_mcontext.regs[i];
    ctx[CTX_SP / 8] = uc->uc_mcontext.sp;
    ctx[CTX_NZCV / 8] = uc->uc_mcontext.pstate & 0xF0000000UL;
    fault_pc = uc->uc_mcontext.pc;
    caught = sig;
    siglongjmp(escape, 1);
}

static int read_all(void *buf, size_t len) {
    uint8_t *p = buf;
    while (len > 0) {
        ssize_t r = read(0, p, len);
        if (r <= 0) return -1;
        p += r;
        len -= (size_t) r;
    }
    return 0;
}

static void write_all(const void *buf, size_t len) {
    const uint8_t *p = buf;
    while (len > 0) {
        ssize_t r = write(1, p, len);
        if (r <= 0) _exit(3);
        p += r;
        len -= (size_t) r;
    }
}

static uint8_t out[4 + 34 * 8 + 512 + 4 + (SCRATCH_SIZE / 8) * 12];

int main(void) {
    uint8_t *code = mmap((void *) CODE_BASE, CODE_SIZE, PROT_READ | PROT_WRITE | PROT_EXEC,
                         MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    uint64_t *scratch = mmap((void *) SCRATCH_BASE, SCRATCH_SIZE, PROT_READ | PROT_WRITE,
                             MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    if (code == MAP_FAILED || scratch == MAP_FAILED) return 2;
    static uint64_t initial[SCRATCH_SIZE / 8];
    static uint8_t altstack[65536];
    stack_t ss = { .ss_sp = altstack, .ss_size = sizeof altstack, .ss_flags = 0 };
    sigaltstack(&ss, NULL);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_signal;
    sa.sa_flags = SA_ONSTACK | SA_NODEFER | SA_SIGINFO;
    int sigs[] = { SIGILL, SIGSEGV, SIGBUS, SIGTRAP, SIGFPE, SIGSYS };
    for (unsigned i = 0; i < sizeof sigs / sizeof sigs[0]; i++) sigaction(sigs[i], &sa, NULL);

    size_t prologue_words = (size_t) (prologue_end - prologue_start);
    size_t epilogue_words = (size_t) (epilogue_end - epilogue_start);
    uint32_t *snippet = (uint32_t *) (code + SNIPPET_OFF);
    uint32_t *prologue = snippet - prologue_words;
    memcpy(prologue, prologue_start, prologue_words * 4);
    static uint32_t words[MAX_WORDS];

    for (;;) {
        uint32_t head[2];
        if (read_all(head, sizeof head) != 0 || head[0] == 0) return 0;
        if (head[0] != 0x56435055 || head[1] > MAX_WORDS) return 4;
        uint64_t regs[34];
        if (read_all(regs, sizeof regs) != 0) return 5;
        if (read_all(&ctx[CTX_V / 8], 512) != 0) return 5;
        if (read_all(words, head[1] * 4) != 0) return 5;

        uint64_t seed = regs[33];
        for (size_t i = 0; i < SCRATCH_SIZE / 8; i++) initial[i] = splitmix64(&seed);
        memcpy(scratch, initial, SCRATCH_SIZE);
        memcpy(prologue, prologue_start, prologue_words * 4); /* again: no case depends on another */
        memcpy(snippet, words, head[1] * 4);
        uint32_t *epilogue = snippet + head[1];
        memcpy(epilogue, epilogue_start, epilogue_words * 4);
        /* patch the epilogue's literal with the context address */
        size_t lit = (size_t) ((const uint32_t *) epilogue_ctx - epilogue_start);
        memcpy(epilogue + lit, &(uint64_t){ (uint64_t) ctx }, 8);
        __builtin___clear_cache((char *) prologue, (char *) (epilogue + epilogue_words));

        memcpy(ctx, regs, 33 * 8);          /* x0..x30, sp */
        ctx[CTX_NZCV / 8] = regs[32] & 0xF0000000UL;
        caught = 0;
        fault_pc = 0;
        if (sigsetjmp(escape, 1) == 0) {
            enter_snippet(ctx, (uint64_t) prologue);
        }
        size_t o = 0;
        uint32_t status = (uint32_t) caught;
        memcpy(out + o, &status, 4); o += 4;
        memcpy(out + o, ctx, 32 * 8); o += 32 * 8;   /* x0..x30, sp */
        memcpy(out + o, &ctx[CTX_NZCV / 8], 8); o += 8;
        uint64_t pc = fault_pc;
        memcpy(out + o, &pc, 8); o += 8;
        memcpy(out + o, &ctx[CTX_V / 8], 512); o += 512;
        size_t count_at = o; o += 4;
        uint32_t m = 0;
        for (uint32_t i = 0; i < SCRATCH_SIZE / 8; i++) {
            if (scratch[i] != initial[i]) {
                uint32_t off = i * 8;
                memcpy(out + o, &off, 4); o += 4;
                memcpy(out + o, &scratch[i], 8); o += 8;
                m++;
            }
        }
        memcpy(out + count_at, &m, 4);
        write_all(out, o);
    }
}
