/*
 * The C side of the KVM exit round-trip comparison: the same x86_64 long-mode guest and the same ioctls
 * as the kvm backend (KvmExitGuest / KvmExitBenchmarks), timed with clock_gettime around the KVM_RUN loop.
 *
 *   gcc -O2 -Wall -o exit_bench exit_bench.c
 *   ./exit_bench pio|mmio EXITS PASSES [IDLE_THREADS]
 *       -> one line per pass, then the medians of wall-clock and thread CPU time (CLOCK_THREAD_CPUTIME_ID)
 *          per exit. IDLE_THREADS > 0 starts that many sleeping threads first: a JVM is always
 *          multi-threaded, and the kernel's fdget takes a file reference only in multi-threaded processes.
 *
 * Guest: 2 MiB of RAM at 0, code at 0x1000, identity-mapping page tables (PML4, PDPT, 4 PDs of 2 MiB
 * pages) and a GDT at 0x8000, exactly the tables X86_64SetupConfig(0x8000) makes.
 *   pio:  out dx, al; jmp .-3          (KVM_EXIT_IO, port 0x3f8)
 *   mmio: mov [rbx], al; jmp .-4       (KVM_EXIT_MMIO, 0x10000000)
 */
#include <fcntl.h>
#include <pthread.h>
#include <linux/kvm.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define RAM (2u << 20)
#define TABLES 0x8000u

static void die(const char *what) { perror(what); exit(1); }

static double clock_ns(clockid_t clock) {
    struct timespec t;
    clock_gettime(clock, &t);
    return t.tv_sec * 1e9 + t.tv_nsec;
}

static void *idle(void *arg) {
    (void) arg;
    for (;;) pause();
    return NULL;
}

static int cmp(const void *a, const void *b) {
    double x = *(const double *) a, y = *(const double *) b;
    return x < y ? -1 : x > y;
}

static void flat(struct kvm_segment *s, int selector, int code) {
    memset(s, 0, sizeof *s);
    s->limit = 0xffffffff; s->selector = selector; s->present = 1; s->s = 1; s->g = 1;
    if (code) { s->type = 11; s->l = 1; } else { s->type = 3; s->db = 1; }
}

int main(int argc, char **argv) {
    const char *mode = argc > 1 ? argv[1] : "pio";
    long exits = argc > 2 ? atol(argv[2]) : 200000;
    int passes = argc > 3 ? atoi(argv[3]) : 5;
    int pio = strcmp(mode, "pio") == 0;
    int idle_threads = argc > 4 ? atoi(argv[4]) : 0;
    for (int i = 0; i < idle_threads; i++) {
        pthread_t t;
        if (pthread_create(&t, NULL, idle, NULL) != 0) die("pthread_create");
    }

    int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (kvm < 0) die("open /dev/kvm");
    if (ioctl(kvm, KVM_GET_API_VERSION, 0) != 12) die("KVM_GET_API_VERSION");
    int vm = ioctl(kvm, KVM_CREATE_VM, 0);
    if (vm < 0) die("KVM_CREATE_VM");
    uint8_t *mem = mmap(NULL, RAM, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (mem == MAP_FAILED) die("mmap");
    struct kvm_userspace_memory_region region = {.slot = 0, .guest_phys_addr = 0, .memory_size = RAM,
                                                  .userspace_addr = (uint64_t) mem};
    if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region) < 0) die("KVM_SET_USER_MEMORY_REGION");

    uint64_t *t = (uint64_t *) (mem + TABLES);
    t[0] = (TABLES + 0x1000) | 3;
    for (int g = 0; g < 4; g++) {
        t[0x1000 / 8 + g] = (TABLES + 0x2000 + 0x1000 * g) | 3;
        for (int i = 0; i < 512; i++)
            t[(0x2000 + 0x1000 * g) / 8 + i] = (((uint64_t) g << 30) + ((uint64_t) i << 21)) | 0x83;
    }
    t[0x6000 / 8 + 1] = 0x00AF9B000000FFFFull;
    t[0x6000 / 8 + 2] = 0x00CF93000000FFFFull;
    static const uint8_t pio_code[] = {0xEE, 0xEB, 0xFD}, mmio_code[] = {0x88, 0x03, 0xEB, 0xFC};
    if (pio) memcpy(mem + 0x1000, pio_code, sizeof pio_code);
    else memcpy(mem + 0x1000, mmio_code, sizeof mmio_code);

    int vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
    if (vcpu < 0) die("KVM_CREATE_VCPU");
    int size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
    struct kvm_run *run = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
    if (run == MAP_FAILED) die("mmap kvm_run");

    struct kvm_sregs sregs;
    if (ioctl(vcpu, KVM_GET_SREGS, &sregs) < 0) die("KVM_GET_SREGS");
    flat(&sregs.cs, 8, 1);
    flat(&sregs.ds, 16, 0); sregs.es = sregs.fs = sregs.gs = sregs.ss = sregs.ds;
    sregs.gdt.base = TABLES + 0x6000; sregs.gdt.limit = 23;
    sregs.cr0 = 0x80050033; sregs.cr3 = TABLES; sregs.cr4 = 0x620; sregs.efer = 0x500;
    if (ioctl(vcpu, KVM_SET_SREGS, &sregs) < 0) die("KVM_SET_SREGS");
    struct kvm_regs regs = {.rip = 0x1000, .rflags = 2, .rdx = 0x3f8, .rbx = 0x10000000, .rax = 'x'};
    if (ioctl(vcpu, KVM_SET_REGS, &regs) < 0) die("KVM_SET_REGS");

    unsigned expected = pio ? KVM_EXIT_IO : KVM_EXIT_MMIO;
    double *per = calloc(passes + 1, sizeof *per), *cpu = calloc(passes + 1, sizeof *cpu);
    for (int p = -1; p < passes; p++) { /* pass -1 warms up */
        long n = p < 0 ? exits / 10 : exits;
        double start = clock_ns(CLOCK_MONOTONIC), start_cpu = clock_ns(CLOCK_THREAD_CPUTIME_ID);
        for (long i = 0; i < n; i++) {
            if (ioctl(vcpu, KVM_RUN, 0) < 0) die("KVM_RUN");
            if (run->exit_reason != expected) {
                fprintf(stderr, "unexpected exit %u\n", run->exit_reason);
                return 1;
            }
        }
        if (p >= 0) {
            per[p] = (clock_ns(CLOCK_MONOTONIC) - start) / n;
            cpu[p] = (clock_ns(CLOCK_THREAD_CPUTIME_ID) - start_cpu) / n;
            printf("pass %d: %.0f ns/exit, thread cpu %.0f ns/exit\n", p, per[p], cpu[p]);
        }
    }
    qsort(per, passes, sizeof *per, cmp);
    qsort(cpu, passes, sizeof *cpu, cmp);
    printf("%s median %.0f ns/exit, thread cpu median %.0f ns/exit\n", mode, per[passes / 2], cpu[passes / 2]);
    return 0;
}
