/**
 * The AArch64 CPU itself: architectural state, memory access through a software TLB, exception entry,
 * the instruction decoder and executor, and the system registers (a minimal GICv3 CPU interface and
 * the generic timer). Internal to the emulated backend.
 */
package org.vcpu4j.backend.emulated.cpu;
