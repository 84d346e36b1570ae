/*
 * nsinit — labsh's native launch stage: starts one process in new (or existing) namespaces.
 *
 * Why C: a JVM is multithreaded, and the kernel refuses unshare(CLONE_NEWUSER) to a
 * multithreaded process and lets unshare(CLONE_NEWPID) break thread creation (see
 * shared/DESIGN.md, "process model"). So, like runc's nsexec, this small single-threaded
 * program does the clone() and the setup between clone and exec; the JVM does everything else.
 *
 * Usage:  nsinit [OPTIONS] -- COMMAND [ARG...]
 *   -c PATH      control channel: connect to the unix socket PATH (the JVM side). Without it
 *                nothing waits for "go" and only errors are printed, to stderr (handy by hand).
 *   -n TYPES     namespaces, comma separated: pid,mnt,uts,ipc,net,user,cgroup
 *   -j PID       join mode: enter the TYPES namespaces of PID (setns) instead of making new ones
 *   -u IN:OUT:N  a uid_map line for a new user namespace (repeatable); -g the same for gid_map
 *   -h NAME      hostname (needs a new uts namespace)
 *   -r DIR       rootfs: bind DIR onto itself, pivot_root into it, detach the old root (no .oldroot dir needed)
 *   -b SRC:DST   bind-mount host path SRC onto DST (inside the rootfs when -r); DST must exist
 *   -p PATH      mount a proc also at PATH (repeatable; PATH inside the rootfs when -r)
 *   -P           do not mount /proc (it is mounted by default when pid and mnt are both new)
 *   -w DIR       chdir to DIR just before exec
 *   -i           init mode: the child is an init that forks COMMAND, forwards SIGTERM/SIGINT/
 *                SIGHUP to it, reaps every child and exits with COMMAND's status
 *   -C           confine, as Docker and runc do by default: /proc/sys, /proc/sysrq-trigger, ... read-only
 *                and /proc/kcore, /proc/keys, ... masked in every proc mounted (harden_proc); every
 *                capability dropped but Docker's default set less CAP_MKNOD (drop_capabilities);
 *                Docker's default seccomp profile loaded last, under no_new_privs (load_seccomp). So
 *                root in the container cannot mount the host's disk, load modules, enter the host's
 *                namespaces, make a user namespace, or write kernel/core_pattern.
 *   -x NAME      with -C, leave one part out (repeatable): "seccomp" (no filter) or "proc" (no
 *                read-only or masked paths). A lab asks for it by name; labsh says so.
 *
 * Protocol on the control socket, one line each way per event:
 *   nsinit -> JVM   "clone N"   the child exists (host pid N) and waits: put it into cgroups now
 *   JVM -> nsinit   one byte 'g' ("go"); closing the socket instead kills the child and exits
 *   nsinit -> JVM   "pid N"     COMMAND has been exec'd      or
 *                   "error STEP: ERRNO (text)"   e.g. error pivot_root("/x", "/x/.oldroot"): EINVAL (...)
 * Then nsinit closes the socket, waits for the child and exits with its status (128+signal if
 * killed). The payload's stdin/stdout/stderr are nsinit's own, untouched.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/openat2.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "seccomp-filter.h" /* DOCKER_DEFAULT_FILTER, generated at build time by seccomp-gen.c */

#define MAX_LIST 32

static struct {
    const char *control, *hostname, *rootfs, *workdir;
    const char *uid_maps[MAX_LIST], *gid_maps[MAX_LIST], *binds[MAX_LIST], *procs[MAX_LIST];
    int n_uid, n_gid, n_bind, n_proc, no_proc, init_mode, join_pid, flags, maps_root, confine, no_seccomp, no_proc_masks;
    char **command;
} opt;

static int report_fd = -1;          /* where "error ..." goes: the control socket, or the error pipe in the child */
static volatile pid_t forward_to;   /* who gets SIGTERM/SIGINT/SIGHUP */

#define NS_TYPE(name, flag) {name, flag, #flag}
static const struct { const char *name; int flag; const char *flag_name; } NS[] = {
    /* join order: user first (it grants the capabilities for the rest), mnt last (it moves / and cwd) */
    NS_TYPE("user", CLONE_NEWUSER), NS_TYPE("cgroup", CLONE_NEWCGROUP), NS_TYPE("ipc", CLONE_NEWIPC),
    NS_TYPE("uts", CLONE_NEWUTS), NS_TYPE("net", CLONE_NEWNET), NS_TYPE("pid", CLONE_NEWPID), NS_TYPE("mnt", CLONE_NEWNS),
};
#define N_NS (int) (sizeof NS / sizeof NS[0])

/* "CLONE_NEWPID|CLONE_NEWNS|" for error messages that read like strace */
static const char *flag_names(int flags) {
    static char names[256];
    names[0] = 0;
    for (int i = 0; i < N_NS; i++)
        if (flags & NS[i].flag) strcat(strcat(names, NS[i].flag_name), "|");
    return names;
}

/* ---- reporting ---------------------------------------------------------------------------- */

static void say(const char *fmt, ...) {
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line - 1, fmt, ap);
    va_end(ap);
    if (n < 0 || n > (int) sizeof line - 2) n = sizeof line - 2;
    line[n++] = '\n';
    if (report_fd < 0) {
        if (strncmp(line, "error ", 6) == 0 && write(2, "nsinit: ", 8) >= 0 && write(2, line, n) >= 0) {}
        return;
    }
    if (write(report_fd, line, n) < 0) {} /* the reader is gone: nothing more to tell anyone */
}

/* A failed step: "error STEP: ENAME (text)" and exit. `step` reads like the call, strace-style. */
static void __attribute__((noreturn, format(printf, 1, 2))) fail(const char *step, ...) {
    int err = errno;
    char what[768];
    va_list ap;
    va_start(ap, step);
    vsnprintf(what, sizeof what, step, ap);
    va_end(ap);
    say("error %s: %s (%s)", what, strerrorname_np(err) ? strerrorname_np(err) : "E?", strerror(err));
    _exit(127);
}

/* A refused request (no errno): "error WHY" and exit. */
static void __attribute__((noreturn)) refuse(const char *why) {
    say("error %s", why);
    _exit(2);
}

/* ---- arguments ---------------------------------------------------------------------------- */

static int ns_flags(char *list) {
    int flags = 0;
    for (char *t = strtok(list, ","); t; t = strtok(NULL, ",")) {
        int i = 0;
        while (i < N_NS && strcmp(NS[i].name, t) != 0) i++;
        if (i == N_NS) refuse("unknown namespace type in -n (one of user,cgroup,ipc,uts,net,pid,mnt)");
        flags |= NS[i].flag;
    }
    return flags;
}

static void add(const char **list, int *n, const char *value) {
    if (*n == MAX_LIST) refuse("too many repeated options");
    list[(*n)++] = value;
}

static void parse_args(int argc, char **argv) {
    int c;
    while ((c = getopt(argc, argv, "+c:n:j:u:g:h:r:b:p:Pw:iCx:")) != -1) {
        switch (c) {
        case 'c': opt.control = optarg; break;
        case 'n': opt.flags = ns_flags(optarg); break;
        case 'j': opt.join_pid = atoi(optarg); break;
        case 'u': add(opt.uid_maps, &opt.n_uid, optarg); opt.maps_root |= optarg[0] == '0' && optarg[1] == ':'; break;
        case 'g': add(opt.gid_maps, &opt.n_gid, optarg); break;
        case 'h': opt.hostname = optarg; break;
        case 'r': opt.rootfs = optarg; break;
        case 'b': add(opt.binds, &opt.n_bind, optarg); break;
        case 'p': add(opt.procs, &opt.n_proc, optarg); break;
        case 'P': opt.no_proc = 1; break;
        case 'w': opt.workdir = optarg; break;
        case 'i': opt.init_mode = 1; break;
        case 'C': opt.confine = 1; break;
        case 'x':
            if (strcmp(optarg, "seccomp") == 0) opt.no_seccomp = 1;
            else if (strcmp(optarg, "proc") == 0) opt.no_proc_masks = 1;
            else refuse("unknown -x (one of seccomp,proc)");
            break;
        default: refuse("bad option (see the top of nsinit.c)");
        }
    }
    if ((opt.no_seccomp || opt.no_proc_masks) && !opt.confine) refuse("-x relaxes -C: give -C too");
    if (optind >= argc) refuse("no command to run (nsinit [OPTIONS] -- COMMAND [ARG...])");
    opt.command = argv + optind;
}

/* Requests that would change the host's own namespaces are refused before anything happens. */
static void check_args(void) {
    int mnt = opt.flags & CLONE_NEWNS, pid = opt.flags & CLONE_NEWPID;
    if (opt.join_pid && (opt.rootfs || opt.hostname || opt.n_bind || opt.n_proc || opt.n_uid || opt.n_gid))
        refuse("join mode (-j) takes only -n, -w and -i");
    if (opt.join_pid) { opt.no_proc = 1; return; }
    if ((opt.rootfs || opt.n_bind || opt.n_proc) && !mnt) refuse("mounts need a new mount namespace (-n mnt)");
    if (opt.hostname && !(opt.flags & CLONE_NEWUTS)) refuse("a hostname needs a new uts namespace (-n uts)");
    if ((opt.n_uid || opt.n_gid) && !(opt.flags & CLONE_NEWUSER)) refuse("id maps need a new user namespace (-n user)");
    if (opt.rootfs && opt.rootfs[0] != '/') refuse("the rootfs (-r) must be an absolute path");
    if (!(mnt && pid)) opt.no_proc = 1;
}

/* ---- parent side: control channel, id maps ------------------------------------------------ */

static int connect_control(const char *path) {
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof addr.sun_path) refuse("control socket path too long");
    strcpy(addr.sun_path, path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) fail("socket(AF_UNIX)");
    if (connect(fd, (struct sockaddr *) &addr, sizeof addr) < 0) fail("connect(\"%s\")", path);
    return fd;
}

static void write_file(pid_t child, const char *name, const char *text) {
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/%s", child, name);
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) fail("open(\"%s\")", path);
    if (write(fd, text, strlen(text)) < 0) fail("write(\"%s\", \"%s\")", path, text);
    close(fd);
}

/* uid_map/gid_map take all lines in ONE write(2) (user_namespaces(7)); "a:b:c" becomes "a b c\n". */
static void write_id_map(pid_t child, const char *name, const char **maps, int n) {
    char text[1024] = "";
    for (int i = 0; i < n; i++) {
        size_t at = strlen(text);
        snprintf(text + at, sizeof text - at, "%s\n", maps[i]);
        for (char *p = text + at; *p; p++) if (*p == ':') *p = ' ';
    }
    if (n) write_file(child, name, text);
}

/* An unprivileged writer may only set gid_map after "deny" in setgroups (since Linux 3.19). */
static void write_id_maps(pid_t child) {
    write_file(child, "setgroups", "deny");
    write_id_map(child, "uid_map", opt.uid_maps, opt.n_uid);
    write_id_map(child, "gid_map", opt.gid_maps, opt.n_gid);
}

/* In a user namespace we keep the host's ids, which it may not map (we would be "nobody"):
 * become its root, as nsenter(1) does. No gid map written means no gid 0 to switch to. */
static void become_root(int gid_mapped) {
    if (setresgid(0, 0, 0) < 0 && gid_mapped) fail("setresgid(0, 0, 0)");
    if (setresuid(0, 0, 0) < 0) fail("setresuid(0, 0, 0)");
}

static void join_namespaces(int pid) {
    int fds[N_NS];
    char path[64];
    for (int i = 0; i < N_NS; i++) { /* open all first: once mnt is joined, /proc may be another one */
        fds[i] = -1;
        if (!(opt.flags & NS[i].flag)) continue;
        snprintf(path, sizeof path, "/proc/%d/ns/%s", pid, NS[i].name);
        if ((fds[i] = open(path, O_RDONLY | O_CLOEXEC)) < 0) fail("open(\"%s\")", path);
    }
    for (int i = 0; i < N_NS; i++) {
        if (fds[i] < 0) continue;
        /* setns(CLONE_NEWPID) moves only our future children: the fork below comes after it */
        if (setns(fds[i], NS[i].flag) < 0) fail("setns(\"/proc/%d/ns/%s\", %s)", pid, NS[i].name, NS[i].flag_name);
        close(fds[i]);
    }
    if (opt.flags & CLONE_NEWUSER) become_root(1);
}

/* ---- child side: the steps between clone and exec ----------------------------------------- */

static void wait_for_go(int go_fd) {
    char b;
    if (read(go_fd, &b, 1) != 1) _exit(1); /* nsinit or the JVM gave up: vanish quietly */
    close(go_fd);
}

/* A new mount namespace starts as a copy whose mounts may still propagate to the host (shared);
 * make every mount private first, or /proc and the rootfs bind would appear on the host. */
static void make_root_private(void) {
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) fail("mount(NULL, \"/\", NULL, MS_REC|MS_PRIVATE, NULL)");
}

/* pivot_root(2) needs new_root to be a mount point: bind the directory onto itself. */
static void bind_rootfs(const char *dir) {
    if (mount(dir, dir, NULL, MS_BIND | MS_REC, NULL) < 0) fail("mount(\"%s\", \"%s\", NULL, MS_BIND|MS_REC, NULL)", dir, dir);
}

/*
 * A mount target inside the rootfs, whose symlinks the image chose: "ROOTFS/data" with data -> /etc
 * would be the host's /etc. So resolve it as if ROOTFS were / (openat2(2) RESOLVE_IN_ROOT: absolute
 * links and ".." stop at ROOTFS; no /proc magic links) and mount onto the descriptor through
 * /proc/self/fd/N, as runc does. Sets *fd (close it after the mount) and returns the path to mount
 * on. Without a rootfs (root_fd < 0) PATH is a host path labsh chose: used as it is.
 */
static const char *in_root(int root_fd, const char *path, char *buf, size_t size, int *fd, int optional) {
    *fd = -1;
    if (root_fd < 0) return path;
    struct open_how how = {.flags = O_PATH | O_CLOEXEC, .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS};
    if ((*fd = syscall(SYS_openat2, root_fd, path, &how, sizeof how)) < 0) {
        if (optional && errno == ENOENT) return NULL;
        fail("openat2(\"%s\", \"%s\", O_PATH, RESOLVE_IN_ROOT|RESOLVE_NO_MAGICLINKS)", opt.rootfs, path);
    }
    snprintf(buf, size, "/proc/self/fd/%d", *fd);
    return buf;
}

static void bind_mount(const char *spec, int root_fd) {
    char src[512], dst[1024], at[32];
    const char *colon = strchr(spec, ':');
    if (!colon || colon == spec || !colon[1]) refuse("bind mount (-b) must read SRC:DST");
    if (snprintf(src, sizeof src, "%.*s", (int) (colon - spec), spec) >= (int) sizeof src) refuse("bind source (-b) too long");
    if (snprintf(dst, sizeof dst, "%s%s", opt.rootfs ? opt.rootfs : "", colon + 1) >= (int) sizeof dst) refuse("bind target (-b) too long");
    int fd;
    const char *target = in_root(root_fd, colon + 1, at, sizeof at, &fd, 0);
    if (mount(src, target, NULL, MS_BIND | MS_REC, NULL) < 0) fail("mount(\"%s\", \"%s\", NULL, MS_BIND|MS_REC, NULL)", src, dst);
    if (fd >= 0) close(fd);
}

static void set_hostname(const char *name) {
    if (sethostname(name, strlen(name)) < 0) fail("sethostname(\"%s\")", name);
}

/* pivot_root(2)'s own recipe for a root without a spare directory (a read-only image has none):
 * chdir(new_root); pivot_root(".", "."): the old root is now mounted on top of the new one, at /;
 * umount2(".", MNT_DETACH) takes it off (lazily: its mounts are busy). Nothing leads back to it. */
static void pivot_into(const char *dir) {
    if (chdir(dir) < 0) fail("chdir(\"%s\")", dir);
    if (syscall(SYS_pivot_root, ".", ".") < 0) fail("pivot_root(\".\", \".\") in \"%s\"", dir);
    if (umount2(".", MNT_DETACH) < 0) fail("umount2(\".\", MNT_DETACH) (the old root)");
    if (chdir("/") < 0) fail("chdir(\"/\")");
}

/*
 * -C. Root in a container made without a user namespace holds every capability of the host's
 * user namespace: with CAP_SYS_ADMIN and CAP_MKNOD it can mknod the host's disk (or mount
 * devtmpfs) and mount it, which undoes pivot_root (measured: the host's / was mounted on /mnt).
 * Keep what a container's own work needs, Docker's default set, less CAP_MKNOD because no device
 * cgroup stands behind it here (capabilities(7), PR_CAPBSET_DROP in prctl(2)). The bounding set
 * is what root's execve() grants from, so dropping there holds for every later exec, setuid ones
 * included; the inheritable set is emptied so nothing comes back through it.
 */
static void drop_capabilities(void) {
    static const int keep[] = {CAP_CHOWN, CAP_DAC_OVERRIDE, CAP_FSETID, CAP_FOWNER, CAP_NET_RAW, CAP_SETGID,
                               CAP_SETUID, CAP_SETFCAP, CAP_SETPCAP, CAP_NET_BIND_SERVICE, CAP_SYS_CHROOT,
                               CAP_KILL, CAP_AUDIT_WRITE};
    unsigned long long kept = 0;
    for (size_t i = 0; i < sizeof keep / sizeof keep[0]; i++) kept |= 1ULL << keep[i];
    for (int cap = 0; cap < 64; cap++) {
        if (kept & (1ULL << cap)) continue;
        if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0) {
            if (errno == EINVAL) break; /* past the kernel's last capability */
            fail("prctl(PR_CAPBSET_DROP, %d)", cap);
        }
    }
    struct __user_cap_header_struct head = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct data[2];
    if (syscall(SYS_capget, &head, data) < 0) fail("capget()");
    for (int i = 0; i < 2; i++) {
        unsigned int mask = (unsigned int) (kept >> (32 * i));
        data[i].inheritable = 0;
        data[i].permitted &= mask;
        data[i].effective &= mask;
    }
    if (syscall(SYS_capset, &head, data) < 0) fail("capset()");
}

/*
 * -C, what runc's default spec does to every proc it mounts (config.json readonlyPaths and
 * maskedPaths): /proc/sys and the other kernel knobs become read-only binds, so root in the
 * container cannot set kernel.core_pattern (a pipe there runs a program as host root on the next
 * crash) or sysrq; /proc/kcore, /proc/keys and the rest are covered, a file by /dev/null, a
 * directory by an empty read-only tmpfs. Paths this kernel does not have are skipped.
 */
static const char *const READONLY_IN_PROC[] = {"bus", "fs", "irq", "sys", "sysrq-trigger"};
static const char *const MASKED_IN_PROC[] = {"acpi", "asound", "kcore", "keys", "latency_stats", "timer_list", "timer_stats",
                                             "sched_debug", "scsi"};
static int dev_null = -1; /* the host's /dev/null, opened before pivot_root: an image need not have one */

static void readonly_bind(const char *path) {
    if (mount(path, path, NULL, MS_BIND | MS_REC, NULL) < 0) {
        if (errno == ENOENT) return;
        fail("mount(\"%s\", \"%s\", NULL, MS_BIND|MS_REC, NULL)", path, path);
    }
    if (mount(NULL, path, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
        fail("mount(NULL, \"%s\", NULL, MS_REMOUNT|MS_BIND|MS_RDONLY|MS_NOSUID|MS_NODEV|MS_NOEXEC, NULL)", path);
}

static void mask(const char *path) {
    struct stat st;
    /* stat, not lstat: path is /proc/self/fd/N (in_root), a link to the object itself, and
     * nothing in a fresh proc or the root's /sys is the container's to swap */
    if (stat(path, &st) < 0) {
        if (errno == ENOENT) return;
        fail("stat(\"%s\")", path);
    }
    if (S_ISDIR(st.st_mode)) {
        if (mount("tmpfs", path, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
            fail("mount(\"tmpfs\", \"%s\", \"tmpfs\", MS_RDONLY|MS_NOSUID|MS_NODEV|MS_NOEXEC, NULL)", path);
        return;
    }
    char null_path[32]; /* through the host's /proc, still there: we run before pivot_root */
    snprintf(null_path, sizeof null_path, "/proc/self/fd/%d", dev_null);
    if (mount(null_path, path, NULL, MS_BIND, NULL) < 0) fail("mount(\"/dev/null\", \"%s\", NULL, MS_BIND, NULL)", path);
}

static void harden_proc(const char *at) {
    char path[1024];
    for (size_t i = 0; i < sizeof READONLY_IN_PROC / sizeof READONLY_IN_PROC[0]; i++) {
        if (snprintf(path, sizeof path, "%s/%s", at, READONLY_IN_PROC[i]) >= (int) sizeof path) refuse("proc path too long");
        readonly_bind(path);
    }
    for (size_t i = 0; i < sizeof MASKED_IN_PROC / sizeof MASKED_IN_PROC[0]; i++) {
        if (snprintf(path, sizeof path, "%s/%s", at, MASKED_IN_PROC[i]) >= (int) sizeof path) refuse("proc path too long");
        mask(path);
    }
}

/*
 * -C, last step before exec: Docker's default seccomp profile, compiled at build time
 * (seccomp-gen.c). Without CAP_SYS_ADMIN, which drop_capabilities just took, seccomp(2) requires
 * no_new_privs first (seccomp(2), EACCES); Docker loads its filter while still privileged and does
 * not set it. labsh keeps no_new_privs on purpose: it stops setuid and file-capability gains at
 * execve, so a non-root user inside cannot become root through su or a setuid file (setuid
 * helpers such as su then run without their privilege). It and the filter are inherited across
 * fork and execve, so the init and the payload (and everything they start) run under it.
 */
static void load_seccomp(void) {
    struct sock_fprog prog = {.len = sizeof DOCKER_DEFAULT_FILTER / sizeof DOCKER_DEFAULT_FILTER[0],
                              .filter = (struct sock_filter *) DOCKER_DEFAULT_FILTER};
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) fail("prctl(PR_SET_NO_NEW_PRIVS, 1)");
    if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0) fail("seccomp(SECCOMP_SET_MODE_FILTER, 0, {len=%d})", prog.len);
}

/*
 * proc shows the pid namespace of the process that mounts it: ours, since we are its first process.
 * Mounted before pivot_root, beneath the root (in_root), as runc does: there the host's /dev/null
 * that masks files is still in our mount namespace (a bind source must be), and the mounts move
 * along with the root.
 */
static void mount_proc(const char *at, int root_fd, int harden) {
    char buf[32];
    int fd;
    const char *target = in_root(root_fd, at, buf, sizeof buf, &fd, 0);
    if (mount("proc", target, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
        fail("mount(\"proc\", \"%s%s\", \"proc\", MS_NOSUID|MS_NODEV|MS_NOEXEC, NULL)", opt.rootfs ? opt.rootfs : "", at);
    if (fd >= 0) close(fd);
    if (!harden) return;
    target = in_root(root_fd, at, buf, sizeof buf, &fd, 0); /* again: now it names the new proc, not what it covers */
    harden_proc(target);
    if (fd >= 0) close(fd);
}

static void __attribute__((noreturn)) exec_command(void) {
    execvp(opt.command[0], opt.command);
    fail("execvp(\"%s\")", opt.command[0]);
}

static void forward_signal(int sig) {
    if (forward_to > 0) kill(forward_to, sig);
}

static void forward_signals(pid_t to) {
    forward_to = to;
    struct sigaction sa = {.sa_handler = forward_signal};
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
}

static int exit_code(int status) {
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* PID 1 of a pid namespace inherits every orphan and must reap it, or zombies pile up. */
static void __attribute__((noreturn)) run_init(int err_fd) {
    pid_t payload = fork();
    if (payload < 0) fail("fork()");
    if (payload == 0) {
        /* without a pid namespace, killing this init would not take the payload along: ask for it */
        if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0) fail("prctl(PR_SET_PDEATHSIG, SIGKILL)");
        exec_command();
    }
    close(err_fd); /* the payload's copy closes at exec: that is how nsinit learns it ran */
    forward_signals(payload);
    for (;;) {
        int status;
        pid_t p = waitpid(-1, &status, 0);
        if (p == payload) _exit(exit_code(status));
        if (p < 0 && errno == ECHILD) _exit(0);
    }
}

static void __attribute__((noreturn)) child_main(int go_fd, int err_fd) {
    signal(SIGPIPE, SIG_DFL);
    report_fd = err_fd;
    wait_for_go(go_fd);
    /* exec into a container (join mode) without a terminal of its own: a new session too, or a
     * command there could push keystrokes into labsh's terminal with TIOCSTI (tty_ioctl(4); runc's
     * exec does the same). attach, whose stdin is the user's terminal, keeps it on purpose. */
    if (opt.join_pid != 0 && !isatty(0) && setsid() < 0) fail("setsid()");
    if (opt.join_pid == 0) {
        /* A session of its own, without the host's controlling terminal, as runc gives a container:
         * otherwise /dev/tty inside (c 5:0, on the device list) is labsh's own terminal, and an
         * interactive shell in the container takes it over for job control (TIOCSPGRP), so labsh's
         * next read(0) gets EIO (credentials(7), "sessions"; tty(4)). exec/attach (join mode) keep it. */
        if (setsid() < 0) fail("setsid()");
        /* cgroup ns last of all: it is rooted at the cgroup we are in now, i.e. after the JVM moved us */
        if ((opt.flags & CLONE_NEWCGROUP) && unshare(CLONE_NEWCGROUP) < 0) fail("unshare(CLONE_NEWCGROUP)");
        if ((opt.flags & CLONE_NEWUSER) && opt.maps_root) become_root(opt.n_gid);
        if (opt.flags & CLONE_NEWNS) make_root_private();
        int harden = opt.confine && !opt.no_proc_masks && (opt.flags & CLONE_NEWNS);
        if (harden && (dev_null = open("/dev/null", O_PATH | O_CLOEXEC)) < 0) fail("open(\"/dev/null\", O_PATH)");
        if (opt.rootfs) bind_rootfs(opt.rootfs);
        int root_fd = -1; /* opened after the bind onto itself, so that paths resolve in the bind */
        if (opt.rootfs && (root_fd = open(opt.rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
            fail("open(\"%s\", O_PATH|O_DIRECTORY)", opt.rootfs);
        for (int i = 0; i < opt.n_bind; i++) bind_mount(opt.binds[i], root_fd);
        if (opt.hostname) set_hostname(opt.hostname);
        if (!opt.no_proc) mount_proc("/proc", root_fd, harden);
        for (int i = 0; i < opt.n_proc; i++) mount_proc(opt.procs[i], root_fd, harden);
        if (harden) { /* runc masks it too (a directory: no /dev/null needed); our mounts are private */
            char buf[32];
            int fd;
            const char *firmware = in_root(root_fd, "/sys/firmware", buf, sizeof buf, &fd, 1);
            if (firmware) mask(firmware);
            if (fd >= 0) close(fd);
        }
        if (root_fd >= 0) close(root_fd);
        if (dev_null >= 0) close(dev_null);
        if (opt.rootfs) pivot_into(opt.rootfs);
    }
    if (opt.workdir && chdir(opt.workdir) < 0) fail("chdir(\"%s\")", opt.workdir);
    if (opt.confine) drop_capabilities(); /* the setup above needed CAP_SYS_ADMIN */
    if (opt.confine && !opt.no_seccomp) load_seccomp(); /* last: from here on only exec (and the init's work) */
    if (opt.init_mode) run_init(err_fd);
    exec_command();
}

/* ---- parent: clone, hand over, wait --------------------------------------------------------- */

/* Forwards the child's "error ..." line, if any; EOF with nothing read means exec succeeded. */
static int read_child_error(int err_fd, char *buf, size_t size) {
    size_t got = 0;
    ssize_t n;
    while (got < size - 1 && ((n = read(err_fd, buf + got, size - 1 - got)) > 0 || (n < 0 && errno == EINTR)))
        if (n > 0) got += n;
    buf[got] = 0;
    if (got && buf[got - 1] == '\n') buf[got - 1] = 0;
    return got > 0;
}

int main(int argc, char **argv) {
    /* labsh executes nsinit from a sealed memfd through /proc/PID/fd/N (NativeStage), which would
     * make the process name "N": name it, for ps, leak checks and /proc/1/comm in a container */
    prctl(PR_SET_NAME, "nsinit", 0, 0, 0);
    parse_args(argc, argv);
    int control = opt.control ? connect_control(opt.control) : -1;
    report_fd = control;
    signal(SIGPIPE, SIG_IGN); /* a vanished reader must give EPIPE, not kill us mid-cleanup */
    check_args();
    if (opt.join_pid) join_namespaces(opt.join_pid);

    int go[2], err[2];
    if (pipe2(go, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0) fail("pipe2(O_CLOEXEC)");
    /* raw clone(2) with no stack behaves like fork(2) (returns twice) plus the CLONE_NEW* flags;
     * the cgroup ns is unshared later by the child, and join mode needs a plain fork. */
    int clone_flags = opt.join_pid ? 0 : opt.flags & ~CLONE_NEWCGROUP;
    pid_t child = syscall(SYS_clone, clone_flags | SIGCHLD, NULL, NULL, NULL, NULL);
    if (child < 0) fail("clone(%sSIGCHLD)", flag_names(clone_flags));
    if (child == 0) {
        if (control >= 0) close(control);
        close(go[1]);
        close(err[0]);
        child_main(go[0], err[1]);
    }
    close(go[0]);
    close(err[1]);

    if (!opt.join_pid && (opt.flags & CLONE_NEWUSER)) write_id_maps(child);
    say("clone %d", child);
    char b = 'g';
    if (control >= 0 && read(control, &b, 1) != 1) b = 0;
    if (b != 'g' || write(go[1], "g", 1) != 1) { /* the JVM gave up (closed the socket): take the child along */
        kill(child, SIGKILL);
        waitpid(child, NULL, 0);
        return 1;
    }
    close(go[1]);

    char line[1024];
    int status = 0;
    if (read_child_error(err[0], line, sizeof line)) {
        say("%s", line);
        waitpid(child, &status, 0);
        return 127;
    }
    say("pid %d", child);
    if (control >= 0) close(control);
    report_fd = -1;
    forward_signals(child);
    while (waitpid(child, &status, 0) < 0)
        if (errno != EINTR) fail("waitpid(%d)", child);
    return exit_code(status);
}
