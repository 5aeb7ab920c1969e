/**
 * Internal machinery of the TCK: the rule hook, per-ISA guest layouts, the machine a property runs its
 * guest on, the rule checks and the class the runner launches. Internal use only; not exported.
 */
package org.vcpu4j.tck.internal;
