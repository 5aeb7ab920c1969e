/**
 * Generators over guest code and register states: what the TCK's properties draw from, public so that
 * a backend's own tests can reuse them.
 */
package org.vcpu4j.tck.generators;
