/* The x86-64 guest GdbIT debugs on KVM (PcMachine: long mode, COM1 at 0x3F8, cli;hlt ends). */
static inline void outb(unsigned short port, unsigned char v) { __asm__ volatile("outb %0, %1" :: "a"(v), "Nd"(port)); }
volatile unsigned long counter;
static void puts_com1(const char *s) { while (*s) outb(0x3f8, *s++); }
static void put_dec(unsigned long v) { char b[21]; int n = 0; do { b[n++] = '0' + v % 10; v /= 10; } while (v); while (n) outb(0x3f8, b[--n]); }
__attribute__((noinline)) unsigned long compute(unsigned long x) { counter += x; return counter * 2; }
__attribute__((noinline)) void report(unsigned long v) { puts_com1("value="); put_dec(v); puts_com1("\n"); }
void _start(void) { report(compute(20)); for (;;) __asm__ volatile("cli; hlt"); }
