/**
 * AArch64 register state, system-register names and encodings, and the AArch64 create and setup
 * configurations.
 */
package org.vcpu4j.api.aarch64;
