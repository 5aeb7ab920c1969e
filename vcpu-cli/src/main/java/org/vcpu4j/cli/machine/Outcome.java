package org.vcpu4j.cli.machine;

/**
 * How a machine answered an exit: keep running, or stop with an exit code and a one-line reason.
 *
 * @param stop whether the run ends
 * @param exitCode the process exit code when it ends
 * @param reason why it ends, for a person
 */
public record Outcome(boolean stop, int exitCode, String reason) {
    /** Keep running. */
    public static final Outcome CONTINUE = new Outcome(false, 0, "");

    /** Exit code: the guest powered off or halted cleanly. */
    public static final int EXIT_OK = 0;
    /** Exit code: the guest did something the machine cannot handle, or crashed. */
    public static final int EXIT_GUEST_ERROR = 1;
    /** Exit code: bad command line, image or backend choice. */
    public static final int EXIT_USAGE = 2;
    /** Exit code: the guest exceeded --timeout or --max-instructions. */
    public static final int EXIT_LIMIT = 3;

    /**
     * {@return a clean end}
     *
     * @param reason why
     */
    public static Outcome finished(String reason) {
        return new Outcome(true, EXIT_OK, reason);
    }

    /**
     * {@return an end caused by the guest}
     *
     * @param reason why
     */
    public static Outcome failed(String reason) {
        return new Outcome(true, EXIT_GUEST_ERROR, reason);
    }
}
