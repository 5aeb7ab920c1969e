package org.vcpu4j.cli;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.vcpu4j.api.VCpu;

/**
 * Ends a run cleanly on Ctrl-C (SIGINT) or SIGTERM: a JVM shutdown hook kicks the vCPU out of the guest
 * with {@link VCpu#requestExit()}, and waits (a few seconds at most) until the run loop has stopped and the
 * launcher has printed its one-line note and {@code --stats}; then the JVM goes on exiting (status 130
 * after SIGINT, as a shell reports it).
 */
final class InterruptStop implements AutoCloseable {
    private static final long REPORT_WAIT_SECONDS = 5;

    private final AtomicBoolean requested = new AtomicBoolean();
    private final CountDownLatch reported = new CountDownLatch(1);
    private final Thread hook = new Thread(this::stop, "vcpu-interrupt");
    private volatile VCpu vcpu;

    /** Installs the shutdown hook. */
    InterruptStop() {
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /**
     * Names the vCPU to kick; kicks it at once if the signal came first (a request is never lost).
     *
     * @param v the boot vCPU
     */
    void watch(VCpu v) {
        vcpu = v;
        if (requested.get()) {
            v.requestExit();
        }
    }

    /** {@return whether the process was asked to stop} */
    boolean requested() {
        return requested.get();
    }

    private void stop() {
        requested.set(true);
        VCpu v = vcpu;
        if (v != null) {
            v.requestExit();
        }
        try {
            reported.await(REPORT_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Marks the report printed and removes the hook (unless the JVM is already exiting). */
    @Override
    public void close() {
        reported.countDown();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException exiting) {
            // the hook is running: it returns now that the report is out
        }
    }
}
