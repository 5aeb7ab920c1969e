/**
 * The vcpu4j compatibility kit: {@link org.vcpu4j.tck.VCpuBackendTck}, the class a backend's tests
 * extend, its {@link org.vcpu4j.tck.Rule}s and {@link org.vcpu4j.tck.Capability}s, and {@link
 * org.vcpu4j.tck.TckRunner}, which runs it against any backend through the JUnit Platform Launcher.
 */
package org.vcpu4j.tck;
