/* Programs the GICv3 of QEMU's virt board (distributor at 0x0800_0000, redistributor at 0x080A_0000),
 * sends itself an SGI, then enables the virtual timer at 100 Hz and sleeps in WFI between ticks until 50
 * ticks have arrived; prints what it sees and returns (crt0 powers off). Register offsets: Arm IHI 0069H
 * 12.9 (GICD_*), 12.10/12.11 (GICR_*), 12.2 (ICC_*); timer: Arm ARM D11.2 (CNTV_CTL_EL0: ENABLE bit 0,
 * IMASK bit 1, ISTATUS bit 2). */
#include "rt.h"

#define GICD 0x08000000UL
#define GICR 0x080A0000UL
#define GICR_SGI (GICR + 0x10000)
#define VTIMER_PPI 27
#define TICKS 50

extern char irq_vectors[];

static volatile uint32_t ticks;
static volatile uint32_t sgis;
static volatile uint32_t others;
static uint64_t interval;

static inline void w32(uint64_t a, uint32_t v) { *(volatile uint32_t *) a = v; }
static inline uint32_t r32(uint64_t a) { return *(volatile uint32_t *) a; }
static inline uint64_t r64(uint64_t a) { return *(volatile uint64_t *) a; }

#define MRS(reg) ({ uint64_t v_; __asm__ volatile("mrs %0, " reg : "=r"(v_)); v_; })
#define MSR(reg, v) __asm__ volatile("msr " reg ", %0" :: "r"((uint64_t) (v)))

/* ICC_IAR1_EL1 S3_0_C12_C12_0, ICC_EOIR1_EL1 S3_0_C12_C12_1, ICC_PMR_EL1 S3_0_C4_C6_0,
 * ICC_IGRPEN1_EL1 S3_0_C12_C12_7, ICC_SGI1R_EL1 S3_0_C12_C11_5, ICC_RPR_EL1 S3_0_C12_C11_3 */
void on_irq(void) {
    uint64_t intid = MRS("S3_0_C12_C12_0") & 0xFFFFFF;
    if (intid == 1023) {
        return; /* spurious: nothing to end */
    }
    uint64_t rpr = MRS("S3_0_C12_C11_3");
    if (intid == VTIMER_PPI) {
        ticks++;
        if (ticks < TICKS) {
            MSR("cntv_cval_el0", MRS("cntv_cval_el0") + interval);
        } else {
            MSR("cntv_ctl_el0", 2); /* IMASK, disabled */
        }
    } else if (intid == 0) {
        sgis++;
        puts_uart("SGI 0 taken, running priority 0x");
        put_hex(rpr, 2);
        puts_uart("\n");
    } else {
        others++;
    }
    MSR("S3_0_C12_C12_1", intid);
}

int main(void) {
    MSR("vbar_el1", irq_vectors);
    __asm__ volatile("isb");
    puts_uart("gictimer: GICD_PIDR2.ArchRev ");
    put_dec((r32(GICD + 0xFFE8) >> 4) & 0xF);
    puts_uart(", ITLinesNumber ");
    put_dec(r32(GICD + 0x4) & 0x1F);
    puts_uart("\n");

    /* Distributor: affinity routing (ARE, bit 4) and group 1 (bit 1); wait for RWP (bit 31). */
    w32(GICD + 0x0, (1u << 4) | (1u << 1));
    while (r32(GICD + 0x0) & (1u << 31)) {
    }
    /* Redistributor: wake it (GICR_WAKER.ProcessorSleep = 0, wait for ChildrenAsleep = 0). */
    w32(GICR + 0x14, r32(GICR + 0x14) & ~2u);
    while (r32(GICR + 0x14) & 4u) {
    }
    puts_uart("GICR_TYPER.Last ");
    put_dec((r64(GICR + 0x8) >> 4) & 1);
    puts_uart(", GICR_WAKER 0x");
    put_hex(r32(GICR + 0x14), 8);
    puts_uart("\n");
    /* SGI 0 and the virtual timer's PPI: group 1, priorities 0x80 and 0xa0, enabled. */
    w32(GICR_SGI + 0x80, (1u << VTIMER_PPI) | 1u);
    *(volatile uint8_t *) (GICR_SGI + 0x400 + 0) = 0x80;
    *(volatile uint8_t *) (GICR_SGI + 0x400 + VTIMER_PPI) = 0xA0;
    w32(GICR_SGI + 0x100, (1u << VTIMER_PPI) | 1u);
    /* CPU interface: priority mask open, group 1 on. */
    MSR("S3_0_C4_C6_0", 0xFF);
    MSR("S3_0_C12_C12_7", 1);
    __asm__ volatile("isb");
    puts_uart("ICC_PMR_EL1 0x");
    put_hex(MRS("S3_0_C4_C6_0"), 2);
    puts_uart("\n");
    __asm__ volatile("msr daifclr, #2; isb");

    /* An SGI to ourselves: INTID 0 (bits 27:24), TargetList bit 0, affinity 0.0.0. */
    MSR("S3_0_C12_C11_5", 1);
    __asm__ volatile("isb");
    while (sgis == 0) {
        __asm__ volatile("wfi");
    }

    uint64_t freq = MRS("cntfrq_el0");
    interval = freq / 100;
    puts_uart("CNTFRQ_EL0 ");
    put_dec(freq);
    puts_uart(" Hz, timer at 100 Hz\n");
    uint64_t start = MRS("cntvct_el0");
    MSR("cntv_cval_el0", start + interval);
    MSR("cntv_ctl_el0", 1);
    uint32_t seen = 0;
    while (ticks < TICKS) {
        __asm__ volatile("wfi");
        uint32_t t = ticks;
        if (t != seen && t % 10 == 0) {
            puts_uart("tick ");
            put_dec(t);
            puts_uart("\n");
        }
        seen = t;
    }
    uint64_t elapsed = MRS("cntvct_el0") - start;
    uint64_t ms = elapsed / (freq / 1000);
    puts_uart(ms >= 500 ? "50 ticks took at least 500 ms of counter time\n" : "too fast!\n");
    puts_uart(others == 0 ? "no other interrupts\n" : "unexpected interrupts!\n");
    puts_uart("CNTV_CTL_EL0 ISTATUS ");
    put_dec((MRS("cntv_ctl_el0") >> 2) & 1);
    puts_uart(", bye\n");
    return 0;
}
