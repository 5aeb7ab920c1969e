/** The built-in hello-world guests of {@code vcpu demo}, generated in Java for each ISA (no binary blobs). */
package org.vcpu4j.cli.demo;
