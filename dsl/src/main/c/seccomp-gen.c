/*
 * seccomp-gen — run once at build time: compiles Docker's default seccomp profile (moby
 * profiles/seccomp/default.json, as Docker applies it to a container whose capabilities are its
 * default set) with libseccomp into classic BPF for this machine's architecture, and prints it as
 * a C header that nsinit includes. nsinit then loads the ready program with seccomp(2) at each
 * start: compiling it with libseccomp there would cost ~1 ms per container (bench/container-start).
 *
 * The profile, as Docker builds it for a container holding Docker's default capabilities:
 *   default action       SCMP_ACT_ERRNO(EPERM)
 *   allowed              the list below (names this architecture lacks, e.g. chown32, are skipped)
 *   socket               only when the family is not AF_VSOCK
 *   personality          only PER_LINUX, UNAME26, PER_LINUX32, UNAME26|PER_LINUX32, and the query 0xffffffff
 *   clone                only without CLONE_NEW* flags (a new namespace needs CAP_SYS_ADMIN, which we drop)
 *   clone3               ENOSYS, so that libc falls back to clone, whose flags can be checked (clone3's are in memory)
 *   chroot               allowed: CAP_SYS_CHROOT is in the default set
 * io_uring_setup/enter/register are left out: the stored moby profile allows them, but newer Docker
 * releases deny them (io_uring is a large kernel attack surface that bypasses per-syscall filters),
 * and so does labsh.
 * Everything that Docker gates on a capability the container does not hold stays denied: mount,
 * umount2, unshare, setns, bpf, perf_event_open, keyctl, add_key, open_by_handle_at ("Shocker"),
 * kexec, *_module, reboot, acct, swapon, clock_settime, iopl, userfaultfd, ...
 * A syscall of another architecture (an i386 int 0x80 on x86_64, x32) kills the process: the
 * filter is built for the native architecture only, as libseccomp does by default.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/filter.h>
#include <sched.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>

static const char *const ALLOW[] = {
    "accept", "accept4", "access", "adjtimex", "alarm", "bind", "brk", "capget", "capset", "chdir", "chmod", "chown",
    "chown32", "clock_adjtime", "clock_adjtime64", "clock_getres", "clock_getres_time64", "clock_gettime",
    "clock_gettime64", "clock_nanosleep", "clock_nanosleep_time64", "close", "close_range", "connect",
    "copy_file_range", "creat", "dup", "dup2", "dup3", "epoll_create", "epoll_create1", "epoll_ctl", "epoll_ctl_old",
    "epoll_pwait", "epoll_pwait2", "epoll_wait", "epoll_wait_old", "eventfd", "eventfd2", "execve", "execveat", "exit",
    "exit_group", "faccessat", "faccessat2", "fadvise64", "fadvise64_64", "fallocate", "fanotify_mark", "fchdir",
    "fchmod", "fchmodat", "fchown", "fchown32", "fchownat", "fcntl", "fcntl64", "fdatasync", "fgetxattr", "flistxattr",
    "flock", "fork", "fremovexattr", "fsetxattr", "fstat", "fstat64", "fstatat64", "fstatfs", "fstatfs64", "fsync",
    "ftruncate", "ftruncate64", "futex", "futex_time64", "futex_waitv", "futimesat", "getcpu", "getcwd", "getdents",
    "getdents64", "getegid", "getegid32", "geteuid", "geteuid32", "getgid", "getgid32", "getgroups", "getgroups32",
    "getitimer", "getpeername", "getpgid", "getpgrp", "getpid", "getppid", "getpriority", "getrandom", "getresgid",
    "getresgid32", "getresuid", "getresuid32", "getrlimit", "get_robust_list", "getrusage", "getsid", "getsockname",
    "getsockopt", "get_thread_area", "gettid", "gettimeofday", "getuid", "getuid32", "getxattr", "inotify_add_watch",
    "inotify_init", "inotify_init1", "inotify_rm_watch", "io_cancel", "ioctl", "io_destroy", "io_getevents",
    "io_pgetevents", "io_pgetevents_time64", "ioprio_get", "ioprio_set", "io_setup", "io_submit", "ipc", "kill", "landlock_add_rule", "landlock_create_ruleset",
    "landlock_restrict_self", "lchown", "lchown32", "lgetxattr", "link", "linkat", "listen", "listxattr", "llistxattr",
    "_llseek", "lremovexattr", "lseek", "lsetxattr", "lstat", "lstat64", "madvise", "membarrier", "memfd_create",
    "memfd_secret", "mincore", "mkdir", "mkdirat", "mknod", "mknodat", "mlock", "mlock2", "mlockall", "mmap", "mmap2",
    "mprotect", "mq_getsetattr", "mq_notify", "mq_open", "mq_timedreceive", "mq_timedreceive_time64", "mq_timedsend",
    "mq_timedsend_time64", "mq_unlink", "mremap", "msgctl", "msgget", "msgrcv", "msgsnd", "msync", "munlock",
    "munlockall", "munmap", "name_to_handle_at", "nanosleep", "newfstatat", "_newselect", "open", "openat", "openat2",
    "pause", "pidfd_open", "pidfd_send_signal", "pipe", "pipe2", "pkey_alloc", "pkey_free", "pkey_mprotect", "poll",
    "ppoll", "ppoll_time64", "prctl", "pread64", "preadv", "preadv2", "prlimit64", "process_mrelease", "pselect6",
    "pselect6_time64", "pwrite64", "pwritev", "pwritev2", "read", "readahead", "readlink", "readlinkat", "readv",
    "recv", "recvfrom", "recvmmsg", "recvmmsg_time64", "recvmsg", "remap_file_pages", "removexattr", "rename",
    "renameat", "renameat2", "restart_syscall", "rmdir", "rseq", "rt_sigaction", "rt_sigpending", "rt_sigprocmask",
    "rt_sigqueueinfo", "rt_sigreturn", "rt_sigsuspend", "rt_sigtimedwait", "rt_sigtimedwait_time64",
    "rt_tgsigqueueinfo", "sched_getaffinity", "sched_getattr", "sched_getparam", "sched_get_priority_max",
    "sched_get_priority_min", "sched_getscheduler", "sched_rr_get_interval", "sched_rr_get_interval_time64",
    "sched_setaffinity", "sched_setattr", "sched_setparam", "sched_setscheduler", "sched_yield", "seccomp", "select",
    "semctl", "semget", "semop", "semtimedop", "semtimedop_time64", "send", "sendfile", "sendfile64", "sendmmsg",
    "sendmsg", "sendto", "setfsgid", "setfsgid32", "setfsuid", "setfsuid32", "setgid", "setgid32", "setgroups",
    "setgroups32", "setitimer", "setpgid", "setpriority", "setregid", "setregid32", "setresgid", "setresgid32",
    "setresuid", "setresuid32", "setreuid", "setreuid32", "setrlimit", "set_robust_list", "setsid", "setsockopt",
    "set_thread_area", "set_tid_address", "setuid", "setuid32", "setxattr", "shmat", "shmctl", "shmdt", "shmget",
    "shutdown", "sigaltstack", "signalfd", "signalfd4", "sigprocmask", "sigreturn", "socketcall", "socketpair",
    "splice", "stat", "stat64", "statfs", "statfs64", "statx", "symlink", "symlinkat", "sync", "sync_file_range",
    "syncfs", "sysinfo", "tee", "tgkill", "time", "timer_create", "timer_delete", "timer_getoverrun", "timer_gettime",
    "timer_gettime64", "timer_settime", "timer_settime64", "timerfd_create", "timerfd_gettime", "timerfd_gettime64",
    "timerfd_settime", "timerfd_settime64", "times", "tkill", "truncate", "truncate64", "ugetrlimit", "umask", "uname",
    "unlink", "unlinkat", "utime", "utimensat", "utimensat_time64", "utimes", "vfork", "vmsplice", "wait4", "waitid",
    "waitpid", "write", "writev",
    /* Docker allows these from kernel 4.8 on (ptrace no longer bypasses seccomp there) */
    "process_vm_readv", "process_vm_writev", "ptrace",
    /* per-architecture extras of the profile; the ones this architecture lacks are skipped */
    "arch_prctl", "modify_ldt",                                                          /* x86_64 */
    "arm_fadvise64_64", "arm_sync_file_range", "sync_file_range2", "breakpoint", "cacheflush", "set_tls", /* arm */
    /* gated on CAP_SYS_CHROOT, which the default set (and nsinit -C) keeps */
    "chroot",
};

static const unsigned long PERSONALITIES[] = {0x0, 0x0008, 0x20000, 0x20008, 0xffffffff};

#define NEW_NAMESPACES (CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWCGROUP)

static void check(int rc, const char *what) {
    if (rc < 0) {
        fprintf(stderr, "seccomp-gen: %s: %d\n", what, rc);
        exit(1);
    }
}

int main(void) {
    scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ERRNO(EPERM));
    if (!ctx) { fprintf(stderr, "seccomp-gen: seccomp_init failed\n"); return 1; }
    check(seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS), "BADARCH");
    /* a binary tree of syscall numbers: a few compares per syscall instead of a walk of ~330 */
    seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
    int skipped = 0, allowed = 0;
    for (size_t i = 0; i < sizeof ALLOW / sizeof ALLOW[0]; i++) {
        int nr = seccomp_syscall_resolve_name(ALLOW[i]);
        if (nr < 0) { skipped++; continue; } /* not a syscall of this architecture */
        check(seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0), ALLOW[i]);
        allowed++;
    }
    check(seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socket), 1, SCMP_A0(SCMP_CMP_NE, AF_VSOCK)), "socket");
    for (size_t i = 0; i < sizeof PERSONALITIES / sizeof PERSONALITIES[0]; i++)
        check(seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(personality), 1, SCMP_A0(SCMP_CMP_EQ, PERSONALITIES[i])), "personality");
    check(seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(clone), 1, SCMP_A0(SCMP_CMP_MASKED_EQ, NEW_NAMESPACES, 0)), "clone");
    check(seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0), "clone3");

    FILE *bpf = tmpfile();
    if (!bpf) { perror("seccomp-gen: tmpfile"); return 1; }
    check(seccomp_export_bpf(ctx, fileno(bpf)), "seccomp_export_bpf");
    rewind(bpf);
    const struct scmp_version *v = seccomp_version();
    printf("/* Generated by seccomp-gen.c at build time (libseccomp %u.%u.%u): Docker's default seccomp profile\n"
           " * as classic BPF for this architecture; %d syscalls allowed outright, %d names of other\n"
           " * architectures skipped, plus the socket/personality/clone/clone3 rules. Do not edit. */\n",
           v->major, v->minor, v->micro, allowed, skipped);
    printf("static const struct sock_filter DOCKER_DEFAULT_FILTER[] = {\n");
    struct sock_filter ins;
    int n = 0;
    while (fread(&ins, sizeof ins, 1, bpf) == 1) {
        printf("    {0x%04x, %u, %u, 0x%08x},\n", ins.code, ins.jt, ins.jf, ins.k);
        n++;
    }
    printf("};\n");
    fclose(bpf);
    seccomp_release(ctx);
    if (n == 0) { fprintf(stderr, "seccomp-gen: empty program\n"); return 1; }
    return 0;
}
