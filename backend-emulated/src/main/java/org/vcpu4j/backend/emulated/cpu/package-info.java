/**
 * The AArch64 CPU itself: architectural state, memory access through a software TLB, exception entry,
 * the system registers (a minimal GICv3 CPU interface and the generic timer), and execution.
 *
 * <p>How code runs: {@link org.vcpu4j.backend.emulated.cpu.CpuCore} keeps a copy of each code page;
 * {@link org.vcpu4j.backend.emulated.cpu.Decoder} turns each word, the first time it runs, into an
 * {@link org.vcpu4j.backend.emulated.cpu.Instruction} (built by
 * {@link org.vcpu4j.backend.emulated.cpu.Instructions}, or the encoding group's decoder in
 * {@link org.vcpu4j.backend.emulated.cpu.Cpu} for the rarer instructions); runs that get hot become a
 * {@link org.vcpu4j.backend.emulated.cpu.Block}, a hidden class the JIT compiles as one method. Stores,
 * host writes and IC maintenance drop what was decoded from the words they change. Internal to the
 * emulated backend.
 */
package org.vcpu4j.backend.emulated.cpu;
