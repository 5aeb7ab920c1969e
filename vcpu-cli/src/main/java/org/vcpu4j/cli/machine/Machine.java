package org.vcpu4j.cli.machine;

import org.vcpu4j.api.GuestIsa;
import org.vcpu4j.api.VCpu;
import org.vcpu4j.api.VCpuCreateConfig;
import org.vcpu4j.api.VCpuExit;
import org.vcpu4j.api.VirtualMachine;
import org.vcpu4j.cli.image.GuestImage;
import org.vcpu4j.cli.image.InvalidImageException;

/**
 * A machine model: where RAM is, how the boot vCPU starts, and what the devices answer to each exit.
 */
public abstract class Machine {
    /** Where guest UART output goes. */
    protected final GuestConsole console;

    /**
     * Creates the machine.
     *
     * @param console where guest UART output goes
     */
    protected Machine(GuestConsole console) {
        this.console = console;
    }

    /** {@return the ISA of the guests this machine runs} */
    public abstract GuestIsa isa();

    /** {@return the guest-physical address of RAM (where raw images are loaded)} */
    public abstract long ramBase();

    /** {@return the create configuration of the boot vCPU} */
    protected abstract VCpuCreateConfig bootConfig();

    /**
     * Finishes the boot vCPU's setup once RAM is mapped and the image loaded.
     *
     * @param vcpu the vCPU, in state CREATED with its entry set
     * @param ramSize the RAM size in bytes
     */
    protected abstract void setUp(VCpu vcpu, long ramSize);

    /**
     * Answers an exit.
     *
     * @param vcpu the vCPU that exited
     * @param exit the exit
     * @return whether to continue, or why the run ends
     */
    public abstract Outcome handle(VCpu vcpu, VCpuExit exit);

    /**
     * Maps RAM, loads the image and creates the boot vCPU, set up and ready to bind.
     *
     * @param vm an empty VM of this machine's ISA
     * @param image the image
     * @param ramSize the RAM size in bytes
     * @return the boot vCPU (state FREE)
     */
    public VCpu boot(VirtualMachine vm, GuestImage image, long ramSize) {
        vm.mapRam(ramBase(), ramSize);
        for (GuestImage.Segment s : image.segments()) {
            long address = s.address() == GuestImage.Segment.AT_RAM_BASE ? ramBase() : s.address();
            checkInRam(image.name(), address, s.memorySize(), ramSize);
            vm.memory().write(address, s.bytes());
            long bss = s.memorySize() - s.bytes().length;
            if (bss > 0) {
                vm.memory().slice(address + s.bytes().length, bss).fill((byte) 0);
            }
        }
        createInterruptController(vm);
        VCpu vcpu = vm.createVCpu(0, bootConfig());
        vcpu.setEntry(image.entry().orElse(ramBase()));
        setUp(vcpu, ramSize);
        return vcpu;
    }

    /**
     * Creates the board's interrupt controller, where the backend offers it, before the first vCPU; the
     * default creates none (the board's guests then see no interrupt controller).
     *
     * @param vm the VM, with no vCPU yet
     */
    protected void createInterruptController(VirtualMachine vm) {
    }

    /** Refuses a segment that does not lie in RAM, saying how to fix the image or the command line. */
    private void checkInRam(String image, long address, long size, long ramSize) {
        long ramEnd = ramBase() + ramSize;
        if (address < ramBase()) {
            throw new InvalidImageException(String.format("%s: segment [0x%x, 0x%x) starts below RAM at 0x%x (plain"
                    + " ld -Ttext=ADDRESS puts the ELF and program headers in a segment below the text); link with -N,"
                    + " or at a higher address (e.g. -Ttext=0x%x)", image, address, address + size, ramBase(),
                    ramBase() + 0x8_0000));
        }
        if (size > ramEnd - address) {
            throw new InvalidImageException(String.format(
                    "%s: segment [0x%x, 0x%x) lies outside RAM [0x%x, 0x%x); use --memory to grow RAM",
                    image, address, address + size, ramBase(), ramEnd));
        }
    }

    /**
     * {@return an outcome for an exit this machine never expects}
     *
     * @param exit the exit
     */
    protected static Outcome unexpected(VCpuExit exit) {
        return Outcome.failed("the machine cannot handle exit " + exit);
    }
}
