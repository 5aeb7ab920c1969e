/**
 * Internal: the library's wrappers that enforce the vCPU contract around every backend. Not exported;
 * no compatibility promise.
 */
package org.vcpu4j.spi.internal;
