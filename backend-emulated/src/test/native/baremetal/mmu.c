/* Turns the MMU on with identity and aliased mappings (4 KiB granule, 39-bit VA), then provokes
 * synchronous exceptions (permission, translation and alignment faults, SVC, BRK, UDF) and prints
 * what ESR_EL1/FAR_EL1 say, and runs a memory workload through the translated mappings. */
#include "rt.h"

extern char el1_vectors[];
extern char el0_page[];
extern void run_el0(uint64_t entry, uint64_t sp);

/* Descriptor bits, Arm ARM D8.3 (VMSAv8-64 translation table format). */
#define DESC_VALID   1UL
#define DESC_TABLE   3UL          /* level 0-2 table, level 3 page */
#define DESC_BLOCK   1UL
#define ATTR_IDX(n)  ((uint64_t) (n) << 2)
#define AP_RO        (2UL << 6)   /* AP[2:1] = 10: read-only at EL1 */
#define AP_EL0_RW    (1UL << 6)   /* AP[2:1] = 01: read/write at EL1 and EL0 */
#define AP_EL0_RO    (3UL << 6)   /* AP[2:1] = 11: read-only at EL1 and EL0 */
#define SH_INNER     (3UL << 8)
#define AF           (1UL << 10)
#define PXN          (1UL << 53)
#define UXN          (1UL << 54)

#define ALIAS_VA     0x80000000UL /* level 1 index 2, mapped with pages */

static uint64_t l1[512] __attribute__((aligned(4096)));
static uint64_t l2_ram[512] __attribute__((aligned(4096)));
static uint64_t l2_alias[512] __attribute__((aligned(4096)));
static uint64_t l3_alias[512] __attribute__((aligned(4096)));
static uint8_t pages[4][4096] __attribute__((aligned(4096)));
static uint64_t work[8192];

static volatile unsigned faults;

uint64_t on_sync(uint64_t esr, uint64_t far, uint64_t elr, uint64_t from_el0) {
    unsigned ec = (unsigned) (esr >> 26) & 0x3F;
    faults++;
    puts_uart(from_el0 ? "  exception from EL0: EC=0x" : "  exception: EC=0x");
    put_hex(ec, 2);
    if (ec == 0x20 || ec == 0x21 || ec == 0x24 || ec == 0x25) {
        puts_uart(" WnR=");
        put_dec((esr >> 6) & 1);
        puts_uart(" DFSC=0x");
        put_hex(esr & 0x3F, 2);
        puts_uart(" FAR=0x");
        put_hex(far, 16);
    } else {
        puts_uart(" ISS=0x");
        put_hex(esr & 0x1FFFFFF, 7);
    }
    putc_uart('\n');
    /* SVC's preferred return address is already past it; the others skip the faulting instruction. */
    return ec == 0x15 ? elr : elr + 4;
}

static void mmu_on(void) {
    /* level 1: [0] 1 GiB device block (the UART), [1] RAM through a level-2 table, [2] the alias */
    l1[0] = 0x00000000UL | DESC_BLOCK | ATTR_IDX(1) | AF | PXN | UXN;
    l1[1] = (uint64_t) l2_ram | DESC_TABLE;
    l1[2] = (uint64_t) l2_alias | DESC_TABLE;
    for (uint64_t i = 0; i < 64; i++) /* 128 MiB of RAM in 2 MiB blocks, normal write-back */
        l2_ram[i] = (0x40000000UL + (i << 21)) | DESC_BLOCK | ATTR_IDX(0) | SH_INNER | AF;
    l2_alias[0] = (uint64_t) l3_alias | DESC_TABLE;
    /* alias pages: 0 and 1 read/write, 2 read-only, 3 maps pages[0] again, the rest unmapped */
    l3_alias[0] = (uint64_t) pages[0] | DESC_TABLE | ATTR_IDX(0) | SH_INNER | AF | UXN | PXN;
    l3_alias[1] = (uint64_t) pages[1] | DESC_TABLE | ATTR_IDX(0) | SH_INNER | AF | UXN | PXN;
    l3_alias[2] = (uint64_t) pages[2] | DESC_TABLE | ATTR_IDX(0) | SH_INNER | AF | AP_RO | UXN | PXN;
    l3_alias[3] = (uint64_t) pages[0] | DESC_TABLE | ATTR_IDX(0) | SH_INNER | AF | UXN | PXN;
    /* EL0: its code read-only and executable at EL0 only, its data page read/write at EL0 */
    l3_alias[16] = (uint64_t) el0_page | DESC_TABLE | ATTR_IDX(0) | SH_INNER | AF | AP_EL0_RO | PXN;
    l3_alias[17] = (uint64_t) pages[3] | DESC_TABLE | ATTR_IDX(0) | SH_INNER | AF | AP_EL0_RW | UXN | PXN;

    uint64_t mair = 0xFFUL | (0x00UL << 8);                 /* attr0 normal WB, attr1 device-nGnRnE */
    uint64_t tcr = 25 | (1UL << 8) | (1UL << 10) | (3UL << 12) | (1UL << 23) | (1UL << 32); /* IPS 36 bit */
    __asm__ volatile("msr mair_el1, %0" :: "r"(mair));
    __asm__ volatile("msr tcr_el1, %0" :: "r"(tcr));
    __asm__ volatile("msr ttbr0_el1, %0" :: "r"(l1));
    __asm__ volatile("dsb ish; tlbi vmalle1; dsb ish; isb" ::: "memory");
    uint64_t sctlr;
    __asm__ volatile("mrs %0, sctlr_el1" : "=r"(sctlr));
    sctlr |= 1UL | (1UL << 2) | (1UL << 12);                  /* M, C, I */
    sctlr &= ~(1UL << 1);                                     /* A off: unaligned normal accesses allowed */
    __asm__ volatile("msr sctlr_el1, %0; isb" :: "r"(sctlr) : "memory");
}

int main(void) {
    __asm__ volatile("msr vbar_el1, %0; isb" :: "r"(el1_vectors));
    mmu_on();
    puts_uart("mmu on\n");

    volatile uint64_t *alias = (volatile uint64_t *) ALIAS_VA;
    alias[0] = 0x1122334455667788ULL;          /* page 0 */
    alias[512 + 3] = 0xcafef00dULL;            /* page 1 */
    puts_uart("alias page 3 reads page 0: 0x");
    put_hex(alias[3 * 512], 16);
    puts_uart("\nidentity reads page 1: 0x");
    put_hex(((uint64_t *) pages[1])[3], 16);
    putc_uart('\n');

    puts_uart("write to a read-only page:\n");
    alias[2 * 512 + 1] = 1;
    puts_uart("read from an unmapped page:\n");
    uint64_t v = alias[5 * 512];
    puts_uart("read from an unmapped level-2 range:\n");
    v += *(volatile uint64_t *) (ALIAS_VA + 0x400000);
    puts_uart("unaligned normal load: 0x");
    put_hex(*(volatile uint64_t *) ((uintptr_t) pages[1] + 21), 16);
    putc_uart('\n');
    puts_uart("unaligned exclusive load:\n");
    uint64_t t;
    __asm__ volatile("ldxr %0, [%1]" : "=r"(t) : "r"((uintptr_t) pages[1] + 4) : "memory");
    puts_uart("svc, brk, udf:\n");
    __asm__ volatile("svc #42" ::: "memory");
    __asm__ volatile("brk #7" ::: "memory");
    __asm__ volatile("udf #3" ::: "memory");

    puts_uart("EL0:\n");
    run_el0(ALIAS_VA + 16 * 4096, ALIAS_VA + 18 * 4096);
    puts_uart("back at EL1, EL0 stored 0x");
    put_hex(((uint64_t *) pages[3])[0], 16);
    putc_uart('\n');

    uint64_t h = 0xcbf29ce484222325ULL;
    for (int round = 0; round < 4; round++) {
        for (unsigned i = 0; i < 8192; i++) work[i] = work[(i * 7 + round) & 8191] * 31 + i + v;
        for (unsigned i = 0; i < 8192; i += 3) h = (h ^ work[i]) * 0x100000001B3ULL;
    }
    puts_uart("workload 0x");
    put_hex(h, 16);
    puts_uart("\nfaults ");
    put_dec(faults);
    puts_uart("\n");
    (void) t;
    return 0;
}
