package org.vcpu4j.backend.emulated.difftest;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The final state of one run: X0-X30, SP, NZCV and the scratch words that changed; or, when the
 * snippet faulted, the state at the faulting instruction.
 *
 * @param failure null unless the run ended in a way the comparison cannot use (an unexpected exit)
 * @param signal 0 when the snippet reached its end, else the Linux signal of its fault (4 SIGILL for an
 *     undefined instruction, 5 SIGTRAP, 7 SIGBUS, 11 SIGSEGV); the emulator's EL1 exception is mapped
 *     to the signal Linux would send for it
 * @param faultPc the address of the faulting instruction (0 without a fault)
 * @param x X0-X30
 * @param sp the stack pointer
 * @param nzcv N, Z, C, V as a 4-bit value
 * @param changedWords scratch-buffer offset to new value, for every 8-byte word that changed
 * @param v V0-V31, two longs each (low half first)
 */
record Outcome(String failure, int signal, long faultPc, long[] x, long sp, int nzcv, Map<Integer, Long> changedWords,
        long[] v) {

    /** Copies the fields. */
    Outcome {
        x = x.clone();
        v = v.clone();
        changedWords = new TreeMap<>(changedWords);
    }

    /**
     * {@return one line per difference between this (the emulator) and {@code qemu}; empty if none}
     *
     * @param qemu the reference outcome
     * @param initial the initial scratch words
     */
    List<String> differences(Outcome qemu, long[] initial) {
        List<String> out = new ArrayList<>();
        if (failure != null || qemu.failure != null) {
            out.add("emulator: " + (failure == null ? "reached the end" : failure) + "; qemu: "
                    + (qemu.failure == null ? "reached the end" : qemu.failure));
            return out;
        }
        if (signal != qemu.signal) {
            out.add("emulator: " + (signal == 0 ? "reached the end" : "faulted (signal " + signal + ") at 0x"
                    + Long.toHexString(faultPc)) + "; qemu: " + (qemu.signal == 0 ? "reached the end"
                    : "faulted (signal " + qemu.signal + ") at 0x" + Long.toHexString(qemu.faultPc)));
            return out;
        }
        if (faultPc != qemu.faultPc) {
            out.add(String.format("faulting pc: emulator 0x%x, qemu 0x%x", faultPc, qemu.faultPc));
        }
        for (int i = 0; i < 31; i++) {
            if (x[i] != qemu.x[i]) {
                out.add(String.format("x%d: emulator 0x%016x, qemu 0x%016x", i, x[i], qemu.x[i]));
            }
        }
        if (sp != qemu.sp) {
            out.add(String.format("sp: emulator 0x%016x, qemu 0x%016x", sp, qemu.sp));
        }
        for (int i = 0; i < 32 && signal == 0; i++) {
            if (v[2 * i] != qemu.v[2 * i] || v[2 * i + 1] != qemu.v[2 * i + 1]) {
                out.add(String.format("v%d: emulator 0x%016x%016x, qemu 0x%016x%016x", i, v[2 * i + 1], v[2 * i],
                        qemu.v[2 * i + 1], qemu.v[2 * i]));
            }
        }
        if (nzcv != qemu.nzcv) {
            out.add(String.format("nzcv: emulator 0x%x, qemu 0x%x", nzcv, qemu.nzcv));
        }
        TreeSet<Integer> offsets = new TreeSet<>(changedWords.keySet());
        offsets.addAll(qemu.changedWords.keySet());
        for (int off : offsets) {
            long before = initial[off / 8];
            long mine = changedWords.getOrDefault(off, before);
            long theirs = qemu.changedWords.getOrDefault(off, before);
            if (mine != theirs) {
                out.add(String.format("memory 0x%x (scratch+0x%x): emulator 0x%016x, qemu 0x%016x, initially 0x%016x",
                        DifftestLayout.SCRATCH_BASE + off, off, mine, theirs, before));
            }
        }
        return out;
    }
}
