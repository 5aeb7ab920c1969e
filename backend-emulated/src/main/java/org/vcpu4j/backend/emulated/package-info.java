/**
 * The emulated backend's provider, VM and vCPU glue: they adapt the SPI to the interpreter in
 * {@code org.vcpu4j.backend.emulated.cpu}. Internal: the module exports nothing.
 */
package org.vcpu4j.backend.emulated;
