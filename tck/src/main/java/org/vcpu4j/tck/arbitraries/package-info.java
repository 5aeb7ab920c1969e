/**
 * jqwik arbitraries over guest code and register states: the generators the TCK's properties draw
 * from, public so that a backend's own tests can reuse them.
 */
package org.vcpu4j.tck.arbitraries;
