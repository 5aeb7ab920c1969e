/**
 * x86 instruction decoding the KVM backend needs (internal, not exported): the length of the instruction
 * at a guest's RIP, which KVM does not report at I/O and MMIO exits.
 */
package org.vcpu4j.backend.kvm.x86;
