/** Guest images: ELF64 executables loaded by their program headers, and raw binaries. */
package org.vcpu4j.cli.image;
