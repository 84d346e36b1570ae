package labsh.kernel;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;

/**
 * The devices a container may use: runc's default allow-list (libcontainer/specconv
 * {@code AllowedDevices}), the one Docker's containers get. Everything else is refused when it is
 * opened (EPERM), whatever node the container finds or makes: cgroup v1's devices controller
 * ({@code devices.deny "a"}, then one {@code devices.allow} line per rule, Documentation/admin-guide/
 * cgroup-v1/devices.rst); cgroup v2 has no such file, and takes a BPF_PROG_TYPE_CGROUP_DEVICE
 * program attached to the group instead ({@link #attach}, the program runc's
 * libcontainer/cgroups/devices/devicefilter builds from the same list).
 *
 * <p>runc's list, kept as it is: mknod of any character or block device ("m"), which creates a node
 * that still does not open (and a confined container has no CAP_MKNOD anyway); read, write and
 * mknod of /dev/null, random, full, tty, zero, urandom, the pseudo-terminals (136:*) and /dev/ptmx.
 * /dev/console (5:1) is not in it: runc adds it only for a container with a terminal.
 */
public final class DeviceFilter {
    /** One rule: type 'c' or 'b', major and minor (-1 for any), access of "rwm". */
    public record Rule(char type, int major, int minor, String access) {
        /** As devices.allow takes it: {@code c 1:3 rwm}, {@code c 136:* rwm}. */
        public String line() { return type + " " + number(major) + ":" + number(minor) + " " + access; }

        private static String number(int n) { return n < 0 ? "*" : Integer.toString(n); }
    }

    /** A node the container's /dev holds: its name and numbers. */
    public record Node(String name, int major, int minor) {}

    public static final int ANY = -1;

    /** runc's AllowedDevices, in its order. */
    public static final List<Rule> ALLOWED = List.of(
            new Rule('c', ANY, ANY, "m"),
            new Rule('b', ANY, ANY, "m"),
            new Rule('c', 1, 3, "rwm"),    // /dev/null
            new Rule('c', 1, 8, "rwm"),    // /dev/random
            new Rule('c', 1, 7, "rwm"),    // /dev/full
            new Rule('c', 5, 0, "rwm"),    // /dev/tty
            new Rule('c', 1, 5, "rwm"),    // /dev/zero
            new Rule('c', 1, 9, "rwm"),    // /dev/urandom
            new Rule('c', 136, ANY, "rwm"), // /dev/pts/*
            new Rule('c', 5, 2, "rwm"));   // /dev/ptmx

    /** The named nodes of that list, which a container's /dev gets (runc makes the same ones). */
    public static final List<Node> NODES = List.of(new Node("null", 1, 3), new Node("zero", 1, 5), new Node("full", 1, 7),
            new Node("random", 1, 8), new Node("urandom", 1, 9), new Node("tty", 5, 0));

    private DeviceFilter() {}

    // ---- cgroup v2: a BPF_PROG_TYPE_CGROUP_DEVICE program (bpf(2), linux/bpf.h) ----------------

    static final long SYS_BPF = Libc.AARCH64 ? 280 : 321;
    static final int BPF_PROG_LOAD = 5, BPF_PROG_ATTACH = 8, BPF_PROG_TYPE_CGROUP_DEVICE = 15, BPF_CGROUP_DEVICE = 6;
    /** struct bpf_cgroup_dev_ctx's access_type: the device type in the low 16 bits, the access in the high. */
    static final int DEV_BLOCK = 1, DEV_CHAR = 2, ACC_MKNOD = 1, ACC_READ = 2, ACC_WRITE = 4;
    // opcodes: class | op | source (linux/bpf_common.h)
    static final int LDX_MEM_W = 0x61, ALU64_AND_K = 0x57, ALU64_RSH_K = 0x77, MOV64_K = 0xb7, MOV64_X = 0xbf,
            JNE_K = 0x55, JNE_X = 0x5d, EXIT = 0x95;

    /**
     * The program for {@code rules}, as runc's devicefilter writes it: read type, access, major
     * and minor from the context into r2..r5; one block per rule that jumps to the next block on
     * any mismatch (type, an access not within the rule's, major, minor) and else returns 1
     * (allow); after the last block, return 0 (the kernel then fails the open or mknod with EPERM).
     */
    public static byte[] program(List<Rule> rules) {
        List<long[]> insns = new ArrayList<>();
        insns.add(insn(LDX_MEM_W, 2, 1, 0, 0));   // r2 = ctx->access_type
        insns.add(insn(ALU64_AND_K, 2, 0, 0, 0xffff)); // r2 = type
        insns.add(insn(LDX_MEM_W, 3, 1, 0, 0));   // r3 = ctx->access_type
        insns.add(insn(ALU64_RSH_K, 3, 0, 0, 16)); // r3 = access
        insns.add(insn(LDX_MEM_W, 4, 1, 4, 0));   // r4 = ctx->major
        insns.add(insn(LDX_MEM_W, 5, 1, 8, 0));   // r5 = ctx->minor
        for (Rule r : rules) {
            List<long[]> block = new ArrayList<>();
            block.add(insn(JNE_K, 2, 0, -1, r.type() == 'b' ? DEV_BLOCK : DEV_CHAR));
            block.add(insn(MOV64_X, 1, 3, 0, 0));                 // r1 = access
            block.add(insn(ALU64_AND_K, 1, 0, 0, access(r.access())));  // r1 &= allowed
            block.add(insn(JNE_X, 1, 3, -1, 0));                  // asked for more than allowed
            if (r.major() != ANY) block.add(insn(JNE_K, 4, 0, -1, r.major()));
            if (r.minor() != ANY) block.add(insn(JNE_K, 5, 0, -1, r.minor()));
            block.add(insn(MOV64_K, 0, 0, 0, 1));
            block.add(insn(EXIT, 0, 0, 0, 0));
            for (int i = 0; i < block.size(); i++) {
                if (block.get(i)[2] == -1) block.get(i)[2] = block.size() - i - 1; // to the next block
            }
            insns.addAll(block);
        }
        insns.add(insn(MOV64_K, 0, 0, 0, 0));
        insns.add(insn(EXIT, 0, 0, 0, 0));
        ByteBuffer b = ByteBuffer.allocate(insns.size() * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (long[] i : insns) {
            b.put((byte) i[0]).put((byte) ((i[1] & 0xf) | ((i[3] & 0xf) << 4))).putShort((short) i[2]).putInt((int) i[4]);
        }
        return b.array();
    }

    /** {opcode, dst, off, src, imm} (kept in that order so the offset can be patched). */
    private static long[] insn(int opcode, int dst, int src, int off, int imm) {
        return new long[] {opcode, dst, off, src, imm};
    }

    private static int access(String rwm) {
        int a = 0;
        if (rwm.contains("m")) a |= ACC_MKNOD;
        if (rwm.contains("r")) a |= ACC_READ;
        if (rwm.contains("w")) a |= ACC_WRITE;
        return a;
    }

    /**
     * Loads the program for {@link #ALLOWED} and attaches it to the v2 group at {@code cgroupDir}
     * (BPF_PROG_ATTACH, BPF_CGROUP_DEVICE). The attachment holds the program; both go when the
     * group is removed, so nothing else needs recording. Fails with the kernel's errno (a kernel
     * without CONFIG_CGROUP_BPF: EINVAL).
     */
    public static void attach(Path cgroupDir) {
        byte[] code = program(ALLOWED);
        Memory insns = new Memory(code.length);
        insns.write(0, code, 0, code.length);
        Memory license = new Memory(8);
        license.setString(0, "GPL");
        Memory load = new Memory(128);
        load.clear();
        load.setInt(0, BPF_PROG_TYPE_CGROUP_DEVICE);
        load.setInt(4, code.length / 8);
        load.setLong(8, Pointer.nativeValue(insns));
        load.setLong(16, Pointer.nativeValue(license));
        byte[] name = "labsh_devices".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        load.write(48, name, 0, name.length);
        load.setInt(68, BPF_CGROUP_DEVICE); // expected_attach_type
        int prog = (int) Syscall.callLong("bpf", "BPF_PROG_LOAD, {prog_type=BPF_PROG_TYPE_CGROUP_DEVICE, insn_cnt=" + code.length / 8 + "}, 128",
                () -> Libc.syscall(SYS_BPF, (long) BPF_PROG_LOAD, load, 128L));
        try {
            String dir = cgroupDir.toString();
            int group = Syscall.call("open", Syscall.quote(dir) + ", O_RDONLY|O_DIRECTORY|O_CLOEXEC",
                    () -> Libc.open(dir, Beneath.O_RDONLY | Beneath.O_DIRECTORY | Beneath.O_CLOEXEC, 0));
            try {
                Memory attach = new Memory(32);
                attach.clear();
                attach.setInt(0, group);
                attach.setInt(4, prog);
                attach.setInt(8, BPF_CGROUP_DEVICE);
                Syscall.callLong("bpf", "BPF_PROG_ATTACH, {target_fd=" + group + ", attach_bpf_fd=" + prog + ", attach_type=BPF_CGROUP_DEVICE}, 32",
                        () -> Libc.syscall(SYS_BPF, (long) BPF_PROG_ATTACH, attach, 32L));
            } finally {
                Libc.close(group);
            }
        } finally {
            Libc.close(prog);
        }
    }
}
