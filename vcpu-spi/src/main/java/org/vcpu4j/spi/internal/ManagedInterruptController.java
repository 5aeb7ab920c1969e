package org.vcpu4j.spi.internal;

import java.util.Objects;
import org.vcpu4j.api.InterruptController;
import org.vcpu4j.api.InterruptControllerConfig;
import org.vcpu4j.api.InterruptControllerState;
import org.vcpu4j.spi.InterruptControllerBackend;

/**
 * The library's {@link InterruptController}: checks lines against the configuration (never truncated),
 * the VM's lifecycle and a restored state's configuration, once for every backend.
 */
final class ManagedInterruptController implements InterruptController {
    private final InterruptControllerConfig config;
    private final InterruptControllerBackend backend;
    private final ManagedVirtualMachine vm;

    ManagedInterruptController(InterruptControllerConfig config, InterruptControllerBackend backend,
                               ManagedVirtualMachine vm) {
        this.config = config;
        this.backend = backend;
        this.vm = vm;
    }

    @Override
    public InterruptControllerConfig config() {
        return config;
    }

    @Override
    public void setIrqLevel(int line, boolean high) {
        checkLine(line);
        vm.ensureOpenForDevices();
        backend.setLevel(line, high);
    }

    @Override
    public void pulseIrq(int line) {
        checkLine(line);
        vm.ensureOpenForDevices();
        backend.pulse(line);
    }

    @Override
    public InterruptControllerState saveState() {
        vm.ensureOpenForDevices();
        return Objects.requireNonNull(backend.saveState(), "backend returned a null state");
    }

    @Override
    public void restoreState(InterruptControllerState state) {
        Objects.requireNonNull(state, "state");
        vm.ensureOpenForDevices();
        if (!state.config().equals(config)) {
            throw new IllegalArgumentException("cannot restore a state of " + state.config()
                    + " into an interrupt controller of " + config);
        }
        for (int line : state.levels()) {
            checkLine(line);
        }
        backend.restoreState(state);
    }

    private void checkLine(int line) {
        if (line < config.firstLine() || line >= config.lineLimit()) {
            String what = config instanceof InterruptControllerConfig.GicV3 ? "SPI INTIDs" : "GSIs";
            throw new IllegalArgumentException("interrupt line " + line + " is out of range: this controller's "
                    + what + " are " + config.firstLine() + ".." + (config.lineLimit() - 1));
        }
    }

    @Override
    public String toString() {
        return "InterruptController[" + config + "]";
    }
}
