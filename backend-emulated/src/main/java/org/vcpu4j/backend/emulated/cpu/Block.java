package org.vcpu4j.backend.emulated.cpu;

import static java.lang.constant.ConstantDescs.CD_boolean;
import static java.lang.constant.ConstantDescs.CD_int;
import static java.lang.constant.ConstantDescs.CD_long;
import static java.lang.constant.ConstantDescs.CD_void;
import static java.lang.constant.ConstantDescs.INIT_NAME;

import java.lang.classfile.ClassFile;
import java.lang.classfile.CodeBuilder;
import java.lang.constant.ClassDesc;
import java.lang.constant.MethodTypeDesc;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.List;

/**
 * A straight run of decoded instructions that ends at a branch, compiled into a class of its own, so
 * that one virtual call runs them all: the class calls each {@link Instruction} through a field of its
 * exact (final) class, so the JIT inlines every one into a single method with no dispatch between
 * them. The run is the same objects the interpreter runs one by one, so a block cannot mean anything
 * different from them; what the block adds is the bookkeeping the loop does per instruction: the
 * retired count, and the PC and the instruction's address before any instruction that can fault or
 * reads the PC.
 *
 * <p>A block sits in the code page's slot of its first instruction; the loop has already counted that
 * one and set the PC past it. If the instruction budget cannot cover the rest, only the first runs, so
 * instruction limits stay exact.
 */
abstract class Block extends Instruction {
    /** The most instructions in one block. */
    static final int MAX_LENGTH = 64;

    private static final MethodHandles.Lookup LOOKUP = MethodHandles.lookup();
    private static final ClassDesc CD_BLOCK = ClassDesc.of(Block.class.getName());
    private static final ClassDesc CD_CPU = ClassDesc.of(Cpu.class.getName());
    private static final ClassDesc CD_INSTRUCTION = ClassDesc.of(Instruction.class.getName());
    private static final ClassDesc CD_INSTRUCTION_ARRAY = CD_INSTRUCTION.arrayType();
    private static final MethodTypeDesc EXECUTE = MethodTypeDesc.of(CD_void, CD_CPU);

    /** The number of instructions. */
    final int length;
    /** The first instruction, run alone when the budget does not cover the block. */
    final Instruction first;

    /**
     * @param first the first instruction
     * @param length the number of instructions
     */
    protected Block(Instruction first, int length) {
        super(first.operation, first.word, first.operand);
        this.first = first;
        this.length = length;
    }

    /**
     * Takes the budget for the instructions after the first.
     *
     * @param cpu the CPU
     * @param rest the number of instructions after the first
     * @return whether the budget covered them (else the caller runs only the first)
     */
    static boolean claim(Cpu cpu, int rest) {
        if (cpu.budget < rest) {
            return false;
        }
        cpu.budget -= rest;
        return true;
    }

    /**
     * Before an instruction that may fault or reads the PC: what the loop would have set.
     *
     * @param cpu the CPU
     * @param address the instruction's address
     * @param counted the instructions retired since the last call (this one included)
     */
    static void at(Cpu cpu, long address, int counted) {
        cpu.insnPc = address;
        cpu.pc = address + 4;
        cpu.retired += counted;
    }

    /**
     * After the last instruction, when it is not a branch: the PC follows it.
     *
     * @param cpu the CPU
     * @param next the address after the block
     * @param counted the instructions not counted yet
     */
    static void leave(Cpu cpu, long next, int counted) {
        cpu.pc = next;
        cpu.retired += counted;
    }

    /**
     * Compiles a block.
     *
     * @param parts the instructions, in order, at least two
     * @param needsPc for each, whether it may fault or reads the PC
     * @param start the address of the first
     * @param endsWithBranch whether the last instruction sets the PC itself
     * @param loops whether that branch may go back to {@code start} (a loop the block then runs in
     *     itself while the budget lasts)
     * @return the block
     * @throws ReflectiveOperationException if the class cannot be defined (a bug)
     */
    static Block compile(List<Instruction> parts, boolean[] needsPc, long start, boolean endsWithBranch,
            boolean loops) throws ReflectiveOperationException {
        ClassDesc self = ClassDesc.of(Block.class.getPackageName() + ".CompiledBlock");
        int n = parts.size();
        ClassDesc[] types = new ClassDesc[n];
        for (int j = 0; j < n; j++) {
            types[j] = ClassDesc.of(parts.get(j).getClass().getName());
        }
        byte[] bytes = ClassFile.of().build(self, cls -> {
            cls.withFlags(ClassFile.ACC_FINAL | ClassFile.ACC_SUPER);
            cls.withSuperclass(CD_BLOCK);
            for (int j = 0; j < n; j++) {
                cls.withField("i" + j, types[j], ClassFile.ACC_PRIVATE | ClassFile.ACC_FINAL);
            }
            cls.withMethodBody(INIT_NAME, MethodTypeDesc.of(CD_void, CD_INSTRUCTION_ARRAY), 0, code -> {
                code.aload(0).aload(1).iconst_0().aaload().ldc(n)
                        .invokespecial(CD_BLOCK, INIT_NAME, MethodTypeDesc.of(CD_void, CD_INSTRUCTION, CD_int));
                for (int j = 0; j < n; j++) {
                    code.aload(0).aload(1).ldc(j).aaload().checkcast(types[j]).putfield(self, "i" + j, types[j]);
                }
                code.return_();
            });
            cls.withMethodBody("execute", EXECUTE, 0, code -> execute(code, self, types, needsPc, start, endsWithBranch, loops));
        });
        MethodHandles.Lookup hidden = LOOKUP.defineHiddenClass(bytes, true);
        try {
            return (Block) hidden.findConstructor(hidden.lookupClass(), MethodType.methodType(void.class, Instruction[].class))
                    .invoke((Object) parts.toArray(new Instruction[0]));
        } catch (ReflectiveOperationException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new ReflectiveOperationException("constructing a compiled block", t);
        }
    }

    /**
     * The body: claim the budget (or run the first alone), then each instruction with its bookkeeping;
     * a block whose branch went back to its start claims the budget for another round and goes again.
     */
    private static void execute(CodeBuilder code, ClassDesc self, ClassDesc[] types, boolean[] needsPc, long start,
            boolean endsWithBranch, boolean loops) {
        int n = types.length;
        var whole = code.newLabel();
        var round = code.newLabel();
        MethodTypeDesc claim = MethodTypeDesc.of(CD_boolean, CD_CPU, CD_int);
        MethodTypeDesc at = MethodTypeDesc.of(CD_void, CD_CPU, CD_long, CD_int);
        code.aload(1).ldc(n - 1).invokestatic(CD_BLOCK, "claim", claim).ifne(whole);
        code.aload(0).getfield(CD_BLOCK, "first", CD_INSTRUCTION).aload(1)
                .invokevirtual(CD_INSTRUCTION, "execute", EXECUTE).return_();
        code.labelBinding(whole);
        code.labelBinding(round);
        int counted = 0; // instructions after the first whose retirement is recorded
        for (int j = 0; j < n; j++) {
            boolean last = j == n - 1;
            if (j > 0 && (needsPc[j] || (last && endsWithBranch))) {
                code.aload(1).ldc(start + 4L * j).ldc(j - counted).invokestatic(CD_BLOCK, "at", at);
                counted = j;
            }
            code.aload(0).getfield(self, "i" + j, types[j]).aload(1).invokevirtual(types[j], "execute", EXECUTE);
        }
        if (!endsWithBranch) {
            code.aload(1).ldc(start + 4L * n).ldc(n - 1 - counted).invokestatic(CD_BLOCK, "leave", at);
        } else if (loops) {
            var done = code.newLabel();
            code.aload(1).getfield(CD_CPU, "pc", CD_long).ldc(start).lcmp().ifne(done);
            code.aload(1).ldc(n).invokestatic(CD_BLOCK, "claim", claim).ifeq(done);
            code.aload(1).ldc(start).iconst_1().invokestatic(CD_BLOCK, "at", at).goto_(round);
            code.labelBinding(done);
        }
        code.return_();
    }
}
