package org.vcpu4j.backend.kvm;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.vcpu4j.backend.kvm.sys.KvmArm64Regs;
import org.vcpu4j.backend.kvm.sys.KvmCreateDevice;
import org.vcpu4j.backend.kvm.sys.KvmDeviceAttr;
import org.vcpu4j.backend.kvm.sys.KvmIoctls;
import org.vcpu4j.backend.kvm.sys.KvmIrqLevel;
import org.vcpu4j.backend.kvm.sys.KvmOneReg;
import org.vcpu4j.backend.kvm.sys.KvmRun;
import org.vcpu4j.backend.kvm.sys.KvmSmcccFilter;
import org.vcpu4j.backend.kvm.sys.KvmVcpuInit;
import org.vcpu4j.backend.kvm.sys.Libc;

/**
 * An arm64 KVM in memory, for unit tests on hosts that cannot run arm64 guests: it answers the VM and
 * vCPU ioctls the backend makes, keeps a ONE_REG register file, and on {@code KVM_RUN} writes the
 * next {@code kvm_run} image a test queued. It records what it was asked, in order. It also plays the
 * in-kernel GICv3: {@code KVM_CREATE_DEVICE} gives {@link #VGIC_FD} (or fails with {@link #vgicErrno}),
 * device attributes and {@code KVM_IRQ_LINE} calls are logged with their contents.
 */
@SuppressWarnings("restricted")
final class FakeKvmCalls implements KvmCalls {
    /** The PREFERRED_TARGET answer (KVM_ARM_TARGET_GENERIC_V8). */
    static final int TARGET = 5;
    /** The fd KVM_CREATE_DEVICE hands out for the vGIC. */
    static final int VGIC_FD = 7;
    /** errno ENODEV (asm-generic/errno-base.h). */
    static final int ENODEV = 19;

    final Map<Long, long[]> registers = new HashMap<>();
    final List<String> log = new ArrayList<>();
    final List<int[]> filters = new ArrayList<>();
    final List<Integer> enabledCaps = new ArrayList<>();
    final List<Integer> closedFds = new ArrayList<>();
    final Deque<Consumer<MemorySegment>> exits = new ArrayDeque<>();
    boolean hasSmcccFilter = true;
    boolean nisvToUser = true;
    /** 0: the host has a vGICv3; else the errno KVM_CREATE_DEVICE fails with. */
    int vgicErrno;
    /** A vGIC attribute ("group/attr") that fails with EINVAL (22), or null. */
    String failingVgicAttr;
    /** Every KVM_CREATE_DEVICE as {type, flags}. */
    final List<int[]> createdDevices = new ArrayList<>();
    /** Every KVM_IRQ_LINE as {fd, irq, level}. */
    final List<int[]> irqLines = new ArrayList<>();
    int initTarget = -1;
    int initFeatures = -1;
    int unmapped;
    private int nextFd = 20;
    private final Map<Integer, MemorySegment> runs = new HashMap<>();

    @Override
    public int ioctl(int fd, long request, long arg) {
        log.add(KvmIoctls.requestName(request) + "(" + arg + ")");
        if (request == KvmIoctls.KVM_CREATE_VCPU) {
            return nextFd++;
        }
        if (request == KvmIoctls.KVM_GET_API_VERSION) {
            return KvmIoctls.KVM_API_VERSION;
        }
        if (request == KvmIoctls.KVM_GET_VCPU_MMAP_SIZE) {
            return 3 * 4096;
        }
        if (request == KvmIoctls.KVM_CREATE_VM) {
            return 10;
        }
        if (request == KvmIoctls.KVM_CHECK_EXTENSION) {
            if (arg == KvmIoctls.KVM_CAP_MAX_VCPU_ID) {
                return 1024;
            }
            return arg == KvmIoctls.KVM_CAP_ARM_NISV_TO_USER ? (nisvToUser ? 1 : 0) : 1;
        }
        throw new AssertionError("unexpected ioctl " + KvmIoctls.requestName(request));
    }

    @Override
    public int ioctl(int fd, long request, MemorySegment arg) {
        String name = KvmIoctls.requestName(request);
        if (request == KvmIoctls.KVM_ARM_PREFERRED_TARGET) {
            KvmVcpuInit.target(arg, TARGET);
        } else if (request == KvmIoctls.KVM_ARM_VCPU_INIT) {
            initTarget = KvmVcpuInit.target(arg);
            initFeatures = KvmVcpuInit.features(arg, 0);
        } else if (request == KvmIoctls.KVM_HAS_DEVICE_ATTR) {
            if (!hasSmcccFilter) {
                throw new KvmException("KVM_HAS_DEVICE_ATTR", 6);
            }
        } else if (request == KvmIoctls.KVM_CREATE_DEVICE) {
            createdDevices.add(new int[] {KvmCreateDevice.type(arg), KvmCreateDevice.flags(arg)});
            if (vgicErrno != 0) {
                log.add(name + "(failed)");
                throw new KvmException(name + "(fd " + fd + ")", vgicErrno);
            }
            KvmCreateDevice.fd(arg, VGIC_FD);
        } else if (request == KvmIoctls.KVM_SET_DEVICE_ATTR && fd == VGIC_FD) {
            int group = KvmDeviceAttr.group(arg);
            long attr = KvmDeviceAttr.attr(arg);
            MemorySegment payload = MemorySegment.ofAddress(KvmDeviceAttr.addr(arg)).reinterpret(8);
            long value = group == KvmIoctls.KVM_DEV_ARM_VGIC_GRP_ADDR ? payload.get(ValueLayout.JAVA_LONG, 0)
                    : group == KvmIoctls.KVM_DEV_ARM_VGIC_GRP_NR_IRQS ? payload.get(ValueLayout.JAVA_INT, 0)
                    : KvmDeviceAttr.addr(arg);
            name = String.format("%s(vgic %d/%d = 0x%x)", name, group, attr, value);
            if ((group + "/" + attr).equals(failingVgicAttr)) {
                log.add(name + "(failed)");
                throw new KvmException(name, 22);
            }
        } else if (request == KvmIoctls.KVM_IRQ_LINE) {
            irqLines.add(new int[] {fd, KvmIrqLevel.irq(arg), KvmIrqLevel.level(arg)});
            name = String.format("%s(0x%08x, %d)", name, KvmIrqLevel.irq(arg), KvmIrqLevel.level(arg));
        } else if (request == KvmIoctls.KVM_SET_DEVICE_ATTR) {
            MemorySegment f = MemorySegment.ofAddress(KvmDeviceAttr.addr(arg)).reinterpret(KvmSmcccFilter.sizeof());
            filters.add(new int[] {KvmDeviceAttr.group(arg), (int) KvmDeviceAttr.attr(arg), KvmSmcccFilter.base(f),
                KvmSmcccFilter.nrFunctions(f), KvmSmcccFilter.action(f)});
        } else if (request == KvmIoctls.KVM_ENABLE_CAP) {
            enabledCaps.add(arg.get(ValueLayout.JAVA_INT, 0));
        } else if (request == KvmIoctls.KVM_GET_ONE_REG || request == KvmIoctls.KVM_SET_ONE_REG) {
            long id = KvmOneReg.id(arg);
            MemorySegment value = MemorySegment.ofAddress(KvmOneReg.addr(arg)).reinterpret(16);
            boolean get = request == KvmIoctls.KVM_GET_ONE_REG;
            name += String.format("(0x%x)", id);
            long[] r = registers.computeIfAbsent(id, k -> new long[2]);
            long size = id & KvmArm64Regs.KVM_REG_SIZE_MASK;
            if (size == KvmArm64Regs.KVM_REG_SIZE_U32) {
                if (get) {
                    value.set(ValueLayout.JAVA_INT, 0, (int) r[0]);
                } else {
                    r[0] = Integer.toUnsignedLong(value.get(ValueLayout.JAVA_INT, 0));
                }
            } else {
                int words = size == KvmArm64Regs.KVM_REG_SIZE_U128 ? 2 : 1;
                for (int i = 0; i < words; i++) {
                    if (get) {
                        value.set(ValueLayout.JAVA_LONG, 8L * i, r[i]);
                    } else {
                        r[i] = value.get(ValueLayout.JAVA_LONG, 8L * i);
                    }
                }
            }
        } else {
            throw new AssertionError("unexpected ioctl " + name);
        }
        log.add(name);
        return 0;
    }

    @Override
    public int run(int vcpuFd) {
        MemorySegment run = runs.get(vcpuFd);
        if (KvmRun.immediate_exit(run) != 0) {
            log.add("KVM_RUN(immediate_exit)");
            return -Libc.EINTR;
        }
        log.add("KVM_RUN");
        Consumer<MemorySegment> next = exits.poll();
        if (next == null) {
            throw new AssertionError("KVM_RUN with no exit queued");
        }
        next.accept(run);
        return 0;
    }

    @Override
    public MemorySegment mapRun(int vcpuFd, long size) {
        MemorySegment run = Arena.ofAuto().allocate(size, 4096);
        runs.put(vcpuFd, run);
        return run;
    }

    @Override
    public void unmapRun(MemorySegment segment) {
        unmapped++;
    }

    @Override
    public void close(int fd) {
        closedFds.add(fd);
    }

    @Override
    public long currentThread() {
        return 1;
    }

    @Override
    public void kick(long thread) {
        log.add("kick");
    }

    /** {@return the value of a 64-bit register} @param id the ONE_REG id */
    long reg(long id) {
        return registers.computeIfAbsent(id, k -> new long[2])[0];
    }

    /** Sets a register. @param id the ONE_REG id @param value the value */
    void reg(long id, long value) {
        registers.computeIfAbsent(id, k -> new long[2])[0] = value;
    }
}
