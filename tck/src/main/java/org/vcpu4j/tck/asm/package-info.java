/**
 * Tiny assemblers, one per guest ISA ({@link org.vcpu4j.tck.asm.A64} for AArch64, {@link
 * org.vcpu4j.tck.asm.X86} for x86-64), that encode exactly the instructions the TCK's guests need, with
 * value types for the instruction families the properties vary ({@link org.vcpu4j.tck.asm.A64LoadStore},
 * {@link org.vcpu4j.tck.asm.X86MemAccess}, ...). Each encoding cites its manual section.
 */
package org.vcpu4j.tck.asm;
