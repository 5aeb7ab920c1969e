package org.vcpu4j.backend.kvm.x86;

import java.util.ArrayList;
import java.util.List;

/**
 * Instruction forms in GNU as Intel syntax for the decoder's cross-check: the ALU, move and test
 * families over every addressing shape (SIB, no base, RBP/R13 bases, RIP-relative, 32-bit addresses,
 * segment overrides) and operand size, plus a list of forms from every opcode map.
 */
final class InstructionForms {
    private InstructionForms() {}

    private static final String[] MEMORY_64 = {"[rax]", "[rsp]", "[rbp]", "[r12]", "[r13]", "[rip+0x10]",
        "[rip-0x12345]", "[rax+rcx*4]", "[rbx+rsi*2+0x12]", "[rbp+r9*8-0x1000]", "[r13+0x7f]", "[rsp+0x80]",
        "ds:0x12345678", "[eax]", "[esp+ecx+8]", "fs:[rax+0x10]", "[r15+r14*1+0x12345]", "[rcx*8+0x40]",
        "[ebp]", "gs:[r8]"};
    private static final String[] MEMORY_32 = {"[eax]", "[esp]", "[ebp]", "[eax+ecx*4]", "[ebx+esi*2+0x12]",
        "[ebp+edi*8-0x1000]", "[esp+0x80]", "ds:0x12345678", "[bx+si]", "[bp]", "[bx+0x1234]", "fs:[eax+0x10]",
        "[ecx*8+0x40]", "[di-4]"};
    private static final String[] ALU = {"add", "or", "adc", "sbb", "and", "sub", "xor", "cmp", "mov", "test",
        "xchg"};
    private static final String[][] REGISTERS_64 = {{"BYTE", "cl", "r9b", "0x12"}, {"WORD", "dx", "r10w", "0x1234"},
        {"DWORD", "esi", "r11d", "0x12345678"}, {"QWORD", "rdi", "r15", "-0x12345678"}};
    private static final String[][] REGISTERS_32 = {{"BYTE", "cl", "ah", "0x12"}, {"WORD", "dx", "si", "0x1234"},
        {"DWORD", "esi", "ebp", "0x12345678"}};

    static List<String> x86_64() {
        List<String> out = new ArrayList<>();
        families(out, MEMORY_64, REGISTERS_64);
        accumulators(out, new String[] {"al", "ax", "eax", "rax"});
        out.addAll(List.of(
                "movzx eax, BYTE PTR [rsi]", "movzx r8, WORD PTR [rip+0x20]", "movsx rax, BYTE PTR [rbx+4]",
                "movsx ecx, WORD PTR [r12]", "movsxd rdx, DWORD PTR [rax+rbx*8]", "movabs al, ds:0x1122334455667788",
                "movabs rax, ds:0x1122334455667788", "movabs ds:0x1122334455667788, eax", "movabs ax, ds:0x1000",
                "mov eax, DWORD PTR ds:0x1000", "movabs rcx, 0x1122334455667788", "mov r9d, 0x12345678",
                "mov r10w, 0x1234", "mov bl, 0x12", "mov r12b, 0x12", "mov rax, -1",
                "rol BYTE PTR [rax], 1", "ror WORD PTR [rbx+8], cl", "rcl DWORD PTR [rip+0x10], 5",
                "rcr QWORD PTR [rsp], 3", "shl rax, 1", "shr r8d, cl", "sar r9w, 7", "sal BYTE PTR [r13], 2",
                "not QWORD PTR [rax]", "neg BYTE PTR [rbp-8]", "mul DWORD PTR [rcx]", "imul WORD PTR [rdx]",
                "div rsi", "idiv BYTE PTR [rax+rax*1]", "inc DWORD PTR [r14]", "dec r11", "inc BYTE PTR [rax]",
                "imul eax, DWORD PTR [rbx], 5", "imul r8, QWORD PTR [rip+0x10], 0x12345", "imul ax, WORD PTR [rcx], 300",
                "imul rdx, rax", "lea rax, [rip+0x100]", "lea r8d, [rax+rbx*2+1]", "lea ax, [rbp+0]",
                "push QWORD PTR [rax]", "pop QWORD PTR [rbx+8]", "push 0x12", "push 0x12345", "push r12", "pop r15",
                "push fs", "pop gs", "call QWORD PTR [rax]", "jmp QWORD PTR [rip+0x20]", "call rax", "jmp r11",
                "in al, 0x60", "in ax, 0x60", "in eax, 0x60", "in al, dx", "in ax, dx", "in eax, dx",
                "out 0x80, al", "out 0x80, ax", "out 0x80, eax", "out dx, al", "out dx, ax", "out dx, eax",
                "rep movsb", "rep movsq", "movsw", "lodsd", "rep stosq", "repne scasb", "insb", "rep insd", "outsw",
                "rep outsb", "cmpsq", "enter 0x20, 1", "leave", "ret", "ret 8", "retf", "retf 0x10", "int 0x80",
                "int3", "int1", "iretq", "hlt", "cpuid", "rdtsc", "rdtscp", "rdmsr", "wrmsr", "wbinvd", "invd",
                "syscall", "sysenter", "clts", "pause", "nop", "nop DWORD PTR [rax+rax*1+0]",
                "nop WORD PTR [rax+rax*1+0x0]", "cli", "sti", "cld", "std", "clc", "stc", "cmc", "lahf", "sahf",
                "cbw", "cwde", "cdqe", "cwd", "cdq", "cqo", "pushfq", "popfq", "xlatb", "ud2", "ud0 eax, DWORD PTR [rax]",
                "ud1 eax, DWORD PTR [rbx+4]", "endbr64", "lfence", "mfence", "sfence", "clflush BYTE PTR [rax]",
                "invlpg BYTE PTR [rbx]", "lgdt [rax]", "lidt [rbx+8]", "sgdt [rcx]", "sidt [rip+0x10]", "lldt ax",
                "ltr WORD PTR [rax]", "str eax", "smsw eax", "lmsw ax", "swapgs", "vmcall", "vmlaunch", "vmresume",
                "vmxoff", "monitor", "mwait", "xgetbv", "xsetbv", "rdpmc", "rdrand eax", "rdseed rax",
                "mov cr0, rax", "mov rax, cr3", "mov cr8, r9", "mov rax, dr7", "mov dr0, rcx",
                "cmpxchg DWORD PTR [rax], ecx", "cmpxchg BYTE PTR [rbx], dl", "lock cmpxchg QWORD PTR [rsi], r8",
                "cmpxchg8b QWORD PTR [rax]", "cmpxchg16b XMMWORD PTR [rdi]", "xadd DWORD PTR [rax], ebx",
                "lock xadd BYTE PTR [rcx], al", "lock add DWORD PTR [rax], 1", "lock inc QWORD PTR [rip+0x10]",
                "bt DWORD PTR [rax], 5", "bts QWORD PTR [rbx], rcx", "btr WORD PTR [rcx], 3", "btc eax, ebx",
                "bsf eax, DWORD PTR [rax]", "bsr r8, r9", "popcnt eax, DWORD PTR [rbx]", "lzcnt rax, QWORD PTR [rcx]",
                "tzcnt ax, WORD PTR [rdx]", "shld DWORD PTR [rax], ebx, 4", "shrd rax, rbx, cl", "bswap eax",
                "bswap r12", "cmovz eax, DWORD PTR [rax]", "cmovnle r8, QWORD PTR [rbx+8]", "setz BYTE PTR [rax]",
                "setl r9b", "movbe eax, DWORD PTR [rax]", "movbe QWORD PTR [rbx], rcx", "crc32 eax, BYTE PTR [rax]",
                "crc32 rax, QWORD PTR [rbx]", "movnti DWORD PTR [rax], ebx", "prefetcht0 BYTE PTR [rax]",
                "prefetchw BYTE PTR [rbx]", "fld DWORD PTR [rax]", "fstp QWORD PTR [rbx]", "fild WORD PTR [rcx]",
                "fadd st, st(1)", "fninit", "fnstsw ax", "fldcw WORD PTR [rax]", "fxsave [rax]", "fxrstor [rbx]",
                "xsave [rax]", "xrstor [rcx]", "ldmxcsr DWORD PTR [rax]", "stmxcsr DWORD PTR [rbx]",
                "movd xmm0, DWORD PTR [rax]", "movq xmm1, QWORD PTR [rbx]", "movq rax, xmm2", "movd mm0, eax",
                "movq mm1, QWORD PTR [rax]", "movdqa xmm0, XMMWORD PTR [rax]", "movdqu xmm9, XMMWORD PTR [r8+8]",
                "movaps xmm1, XMMWORD PTR [rip+0x10]", "movups XMMWORD PTR [rax], xmm3", "movss xmm0, DWORD PTR [rax]",
                "movsd xmm1, QWORD PTR [rbx]", "movapd xmm2, xmm3", "cvtsi2sd xmm0, rax", "cvttsd2si eax, xmm1",
                "pshufd xmm0, XMMWORD PTR [rax], 0x1b", "pshufw mm0, QWORD PTR [rax], 1", "pshuflw xmm1, xmm2, 3",
                "pshufhw xmm1, XMMWORD PTR [rbx], 3", "psrlw xmm0, 3", "pslld mm1, 4", "psrldq xmm2, 8",
                "pextrw eax, xmm1, 2", "pinsrw xmm0, WORD PTR [rax], 3", "shufps xmm0, xmm1, 0x44",
                "cmpps xmm0, XMMWORD PTR [rax], 1", "cmpsd xmm0, QWORD PTR [rbx], 2", "paddd xmm0, XMMWORD PTR [rax]",
                "pxor mm0, mm1", "punpcklbw xmm0, xmm1", "pmovmskb eax, xmm0", "maskmovdqu xmm0, xmm1",
                "movntdq XMMWORD PTR [rax], xmm0", "lddqu xmm0, [rax]", "addsubps xmm0, xmm1", "haddpd xmm0, xmm1",
                "pshufb xmm0, XMMWORD PTR [rax]", "pmaddubsw mm0, mm1", "pabsd xmm0, xmm1", "ptest xmm0, xmm1",
                "pmovzxbw xmm0, QWORD PTR [rax]", "pminsd xmm0, xmm1", "aesenc xmm0, XMMWORD PTR [rax]",
                "sha1msg1 xmm0, xmm1", "palignr xmm0, XMMWORD PTR [rax], 4", "pextrd DWORD PTR [rax], xmm0, 1",
                "pextrq rax, xmm0, 1", "pinsrb xmm0, BYTE PTR [rax], 2", "pinsrq xmm0, rax, 1",
                "roundsd xmm0, QWORD PTR [rax], 4", "blendps xmm0, xmm1, 5", "pcmpistri xmm0, XMMWORD PTR [rax], 0x0c",
                "pclmulqdq xmm0, xmm1, 0x11", "aeskeygenassist xmm0, xmm1, 1", "sha1rnds4 xmm0, xmm1, 2",
                "extractps eax, xmm0, 1", "insertps xmm0, xmm1, 0x10", "dppd xmm0, xmm1, 0x31", "mpsadbw xmm0, xmm1, 1",
                "emms", "femms", "pfadd mm0, QWORD PTR [rax]", "pi2fd mm1, mm2",
                "vmovdqu ymm0, YMMWORD PTR [rax]", "vmovdqa xmm1, XMMWORD PTR [rip+0x10]", "vmovd xmm0, DWORD PTR [rax]",
                "vmovq xmm8, QWORD PTR [r9]", "vmovups ymm9, YMMWORD PTR [rax+rbx*4+0x100]", "vpaddd ymm0, ymm1, ymm2",
                "vpshufd xmm0, XMMWORD PTR [rax], 0x1b", "vpsrlw ymm0, ymm1, 3", "vcmpps ymm0, ymm1, ymm2, 1",
                "vpinsrw xmm0, xmm1, WORD PTR [rax], 3", "vpextrw eax, xmm1, 2", "vshufps xmm0, xmm1, xmm2, 4",
                "vzeroupper", "vzeroall", "vpbroadcastd ymm0, DWORD PTR [rax]", "vpermd ymm0, ymm1, YMMWORD PTR [rax]",
                "vpermq ymm0, YMMWORD PTR [rax], 0x1b", "vinserti128 ymm0, ymm1, XMMWORD PTR [rax], 1",
                "vextracti128 XMMWORD PTR [rax], ymm0, 1", "vfmadd231ps ymm0, ymm1, YMMWORD PTR [rax]",
                "vpblendd ymm0, ymm1, ymm2, 0x0f", "vmovdqu64 zmm0, ZMMWORD PTR [rax]",
                "vmovdqu32 zmm1{k1}{z}, ZMMWORD PTR [rax+0x40]", "vpaddd zmm0, zmm1, DWORD PTR [rax]{1to16}",
                "vpaddq zmm30, zmm29, zmm28", "vpshufd zmm0, ZMMWORD PTR [rax], 0x1b",
                "vpternlogd zmm0, zmm1, zmm2, 0xff", "vpermi2d zmm0, zmm1, zmm2", "vcmpps k1, zmm0, zmm1, 2",
                "kmovw k1, eax", "vaddph zmm0, zmm1, zmm2", "vcvtph2psx zmm0, ymm1", "andn eax, ebx, DWORD PTR [rax]",
                "bextr rax, rbx, rcx", "rorx eax, DWORD PTR [rax], 3", "pdep rax, rbx, QWORD PTR [rcx]",
                "shlx eax, ebx, ecx", "blsr rax, rbx", "xbegin .+0x100", "xend", "xabort 1", "xtest",
                "jmp .+0x10", "jmp .+0x1000", "je .+0x10", "jne .+0x1000", "call .+0x1000", "loop .+0x10",
                "jrcxz .+0x10", "jecxz .+0x10", "rdfsbase rax", "wrgsbase r8", "clwb BYTE PTR [rax]",
                "clflushopt BYTE PTR [rbx]", "ptwrite DWORD PTR [rax]", "incsspq rax", "rdsspd eax",
                "cvtps2pd xmm0, QWORD PTR [rax]", "extrq xmm0, 4, 8", "insertq xmm0, xmm1, 4, 8", "extrq xmm0, xmm1",
                "vmread QWORD PTR [rax], rbx", "vmwrite rax, QWORD PTR [rbx]", "vmptrld QWORD PTR [rax]",
                "invept rax, OWORD PTR [rbx]", "invpcid rax, [rbx]", "getsec", "rsm", "lar eax, WORD PTR [rax]",
                "lsl eax, ebx", "verr WORD PTR [rax]", "bnd jmp rax", "notrack call rax", "data16 nop",
                "fs mov eax, DWORD PTR [rax]", "addr32 mov eax, DWORD PTR [eax]"));
        return out;
    }

    static List<String> x86_32() {
        List<String> out = new ArrayList<>();
        families(out, MEMORY_32, REGISTERS_32);
        accumulators(out, new String[] {"al", "ax", "eax"});
        out.addAll(List.of(
                "movzx eax, BYTE PTR [esi]", "mov eax, DWORD PTR ds:0x1000", "mov al, ds:0x1000", "mov eax, 0x12345678",
                "mov ax, 0x1234", "inc eax", "dec cx", "push 0x12", "push 0x12345", "pusha", "popa", "push es",
                "pop ds", "daa", "das", "aaa", "aas", "aam", "aad", "into", "bound eax, QWORD PTR [ebx]",
                "arpl WORD PTR [eax], bx", "les eax, FWORD PTR [ebx]", "lds ecx, [eax]", "call 0x10:0x12345678",
                "jmp 0x10:0x1234", "call .+0x1000", "jmp .+0x100", "je .+0x1000", "jcxz .+0x10", "in al, dx",
                "out 0x80, eax", "rep insb", "enter 8, 0", "ret 4", "vmovdqu ymm0, YMMWORD PTR [eax]",
                "vpshufd xmm0, xmm1, 3", "vzeroupper", "vmovdqu64 zmm0, ZMMWORD PTR [eax]",
                "vpaddd zmm0, zmm1, DWORD PTR [eax]{1to16}", "cpuid", "mov cr0, eax", "movd xmm0, DWORD PTR [eax]",
                "pextrw eax, xmm0, 1", "palignr xmm0, xmm1, 2", "pshufb xmm0, XMMWORD PTR [eax]", "xbegin .+0x100",
                "imul eax, DWORD PTR [ebx], 0x12345", "test BYTE PTR [eax], 1", "test DWORD PTR [bx], 0x12345678",
                "mov WORD PTR [bx+si+0x10], 0x1234", "sysenter", "lea eax, [bp+di]"));
        return out;
    }

    private static void families(List<String> out, String[] memories, String[][] registers) {
        for (String op : ALU) {
            for (String mem : memories) {
                for (String[] r : registers) {
                    String m = r[0] + " PTR " + mem;
                    out.add(op + " " + m + ", " + r[1]);
                    if (!op.equals("test") && !op.equals("xchg")) {
                        out.add(op + " " + r[2] + ", " + m);
                    }
                    if (!op.equals("xchg")) {
                        out.add(op + " " + m + ", " + r[3]);
                        if (!op.equals("mov") && !op.equals("test") && !r[0].equals("BYTE")) {
                            out.add(op + " " + m + ", 5"); // sign-extended Ib (83 /n)
                        }
                    }
                }
            }
            if (!op.equals("xchg")) {
                for (String[] r : registers) {
                    out.add(op + " " + r[2] + ", " + r[3]);
                }
            }
        }
    }

    private static void accumulators(List<String> out, String[] accumulators) {
        String[] immediates = {"0x12", "0x1234", "0x12345678", "-0x12345678"};
        for (String op : ALU) {
            if (op.equals("xchg") || op.equals("mov")) {
                continue;
            }
            for (int i = 0; i < accumulators.length; i++) {
                out.add(op + " " + accumulators[i] + ", " + immediates[i]);
            }
        }
    }
}
