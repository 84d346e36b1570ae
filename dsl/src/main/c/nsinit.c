/*
 * nsinit — labsh's native launch stage (see shared/DESIGN.md, "process model").
 *
 * The JVM is multithreaded, so it cannot clone() into new namespaces (CLONE_NEWUSER → EINVAL,
 * CLONE_NEWPID leaves the caller unable to make threads). This small single-threaded program
 * does it instead, the way runc's nsexec.c does for Go.
 *
 *   nsinit run [options] -- CMD ARGS...
 *     --ns LIST         namespaces to create: pid,mnt,uts,ipc,net,user,cgroup (comma separated)
 *     --hostname H      sethostname(H) in the new uts namespace
 *     --bind SRC:DST    bind-mount SRC on DST (DST inside --rootfs if given); repeatable
 *     --proc PATH       mount proc at PATH (after pivot_root); repeatable;
 *                       default /proc when both pid and mnt are new
 *     --rootfs DIR      bind DIR on itself, pivot_root into it, detach and remove the old root
 *     --init            the child is a reaping init: it forks CMD, reaps every child, forwards
 *                       SIGTERM/SIGINT to CMD and exits with CMD's status
 *     --uid-map MAP     "inside outside count" written to /proc/CHILD/uid_map by the parent
 *     --gid-map MAP     same for gid_map (setgroups is set to "deny" first, as the kernel requires)
 *     --report PATH     where to write report lines (a FIFO from labsh); default fd 3 if open
 *     --wait-go         after "pid N", wait for one byte on --go PATH (default fd 4) before the
 *                       child goes on, so the JVM can put it into cgroups; EOF → kill child, exit 1
 *     --go PATH         the go channel (a FIFO from labsh)
 *
 *   nsinit join --pid P --ns LIST -- CMD ARGS...
 *     setns() into /proc/P/ns/TYPE (all opened first; user first, mnt last), then exec CMD;
 *     with pid in LIST, fork after setns (a pid namespace applies to children only) and wait.
 *
 * Report protocol, one line each:  "pid N" (host pid of the child), then "ok" once CMD was
 * exec'd, or "error STEP: ERRNO (text)" naming the failing step, e.g.
 *   error pivot_root("/x", "/x/.oldroot"): EINVAL (Invalid argument)
 * Errors also go to stderr. nsinit exits with CMD's exit status (128+N if killed by signal N),
 * 125 if a step failed before CMD ran (exec included).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_LIST 32

static struct {
    int flags, init, wait_go, nbind, nproc;
    const char *hostname, *rootfs, *uid_map, *gid_map, *report, *go;
    char *bind[MAX_LIST];
    const char *proc[MAX_LIST];
    char **cmd;
} opt;

static int report_fd = -1;  /* where "pid N" / "ok" / "error ..." go */
/* volatile: gcc -O2 otherwise drops the store before clone() (it cannot see clone run the child) */
static volatile int err_fd = -1; /* child → parent: CLOEXEC pipe, silent on successful exec */
static int sync_fd = -1;    /* parent → child: one byte once maps are written and "go" came */
static pid_t payload = 0;   /* the process signals are forwarded to */

static void say(int fd, const char *fmt, va_list ap) {
    char line[1024];
    int n = vsnprintf(line, sizeof line - 1, fmt, ap);
    if (n < 0) return;
    if (n > (int) sizeof line - 2) n = sizeof line - 2;
    line[n++] = '\n';
    if (write(fd, line, n) < 0) { /* nobody to tell */ }
}

static void report(const char *fmt, ...) {
    va_list ap;
    if (report_fd < 0) return;
    va_start(ap, fmt);
    say(report_fd, fmt, ap);
    va_end(ap);
}

/* A failed step: "error STEP: ENAME (text)" to the parent (in the child) or to report+stderr. */
static void die(const char *fmt, ...) {
    char step[900];
    int e = errno;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(step, sizeof step, fmt, ap);
    va_end(ap);
    const char *name = e ? strerrorname_np(e) : NULL;
    char line[1024];
    if (e) snprintf(line, sizeof line, "error %s: %s (%s)", step, name ? name : "E?", strerror(e));
    else snprintf(line, sizeof line, "error %s", step);
    if (err_fd >= 0) { /* in the child: the parent reports it */
        if (write(err_fd, line, strlen(line)) < 0) { /* parent gone */ }
        _exit(125);
    }
    report("%s", line);
    fprintf(stderr, "nsinit: %s\n", line + 6);
    exit(125);
}

static int ns_flag(const char *name) {
    static const struct { const char *n; int f; } t[] = {
        {"pid", CLONE_NEWPID}, {"mnt", CLONE_NEWNS}, {"uts", CLONE_NEWUTS}, {"ipc", CLONE_NEWIPC},
        {"net", CLONE_NEWNET}, {"user", CLONE_NEWUSER}, {"cgroup", CLONE_NEWCGROUP}};
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        if (!strcmp(t[i].n, name)) return t[i].f;
    errno = 0;
    die("unknown namespace type '%s' (one of pid,mnt,uts,ipc,net,user,cgroup)", name);
    return 0;
}

static int parse_ns(const char *list) {
    char buf[256], *save = NULL;
    int flags = 0;
    snprintf(buf, sizeof buf, "%s", list);
    for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) flags |= ns_flag(t);
    return flags;
}

/* ---- steps in the child, each named in its error ---- */

static void make_root_private(void) {
    /* a new mount ns starts as a copy whose mounts still share propagation with the host's:
       without this, the binds below would appear on the host too (mount_namespaces(7)) */
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) die("mount(NULL, \"/\", MS_REC|MS_PRIVATE)");
}

static void bind_mount(const char *src, const char *dst) {
    if (mount(src, dst, NULL, MS_BIND | MS_REC, NULL) < 0) die("mount(\"%s\", \"%s\", MS_BIND|MS_REC)", src, dst);
}

static void apply_binds(void) {
    for (int i = 0; i < opt.nbind; i++) {
        char *colon = strchr(opt.bind[i], ':'), dst[4096];
        if (!colon) { errno = 0; die("--bind %s: expected SRC:DST", opt.bind[i]); }
        *colon = 0;
        snprintf(dst, sizeof dst, "%s%s", opt.rootfs ? opt.rootfs : "", colon + 1);
        bind_mount(opt.bind[i], dst);
    }
}

static void enter_rootfs(void) {
    char old[4096];
    /* pivot_root(2) needs new_root to be a mount point: bind it on itself */
    bind_mount(opt.rootfs, opt.rootfs);
    apply_binds();
    snprintf(old, sizeof old, "%s/.oldroot", opt.rootfs);
    if (mkdir(old, 0700) < 0 && errno != EEXIST) die("mkdir(\"%s\")", old);
    if (syscall(SYS_pivot_root, opt.rootfs, old) < 0) die("pivot_root(\"%s\", \"%s\")", opt.rootfs, old);
    if (chdir("/") < 0) die("chdir(\"/\")");
    /* MNT_DETACH: the old root is busy (our own cwd was in it until a moment ago) */
    if (umount2("/.oldroot", MNT_DETACH) < 0) die("umount2(\"/.oldroot\", MNT_DETACH)");
    if (rmdir("/.oldroot") < 0) die("rmdir(\"/.oldroot\")");
}

static void mount_procs(void) {
    for (int i = 0; i < opt.nproc; i++) {
        if (mkdir(opt.proc[i], 0555) < 0 && errno != EEXIST) die("mkdir(\"%s\")", opt.proc[i]);
        if (mount("proc", opt.proc[i], "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
            die("mount(\"proc\", \"%s\", \"proc\")", opt.proc[i]);
    }
}

static void exec_cmd(void) {
    execvp(opt.cmd[0], opt.cmd);
    die("execvp(\"%s\")", opt.cmd[0]);
}

static void forward(int sig) {
    if (payload > 0) kill(payload, sig);
}

static int exit_code(int status) {
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* PID 1 of the container: run CMD as a child, reap everything (orphans are re-parented to us) */
static int run_init(void) {
    signal(SIGTERM, forward);
    signal(SIGINT, forward);
    payload = fork();
    if (payload < 0) die("fork() for the init's command");
    if (payload == 0) {
        signal(SIGTERM, SIG_DFL);
        signal(SIGINT, SIG_DFL);
        exec_cmd();
    }
    close(err_fd); /* the command's copy closes on exec: that EOF tells the parent "ok" */
    for (;;) {
        int status;
        pid_t p = wait(&status);
        if (p == payload) return exit_code(status);
        if (p < 0 && errno != EINTR) return 125;
    }
}

static int child_main(void *arg) {
    (void) arg;
    char c;
    /* die with nsinit: killing nsinit (labsh's kill(), or a crash) must not leave us running */
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0) die("prctl(PR_SET_PDEATHSIG, SIGKILL)");
    if (read(sync_fd, &c, 1) != 1) _exit(125); /* parent gave up before "go" */
    close(sync_fd);
    if (opt.flags & CLONE_NEWNS) make_root_private();
    if (opt.hostname && sethostname(opt.hostname, strlen(opt.hostname)) < 0) die("sethostname(\"%s\")", opt.hostname);
    if (opt.rootfs) enter_rootfs();
    else apply_binds();
    mount_procs();
    if (opt.init) _exit(run_init());
    exec_cmd();
    return 125;
}

/* ---- the parent ---- */

static void write_file(pid_t pid, const char *name, const char *text) {
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/%s", pid, name);
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) die("open(\"%s\")", path);
    if (write(fd, text, strlen(text)) < 0) die("write(\"%s\", \"%s\")", path, text);
    close(fd);
}

static void write_maps(pid_t pid) {
    if (opt.uid_map) write_file(pid, "uid_map", opt.uid_map);
    /* an unprivileged writer of gid_map must first deny setgroups (user_namespaces(7)) */
    if (opt.gid_map) { write_file(pid, "setgroups", "deny"); write_file(pid, "gid_map", opt.gid_map); }
}

static void wait_for_go(pid_t pid, int go_fd) {
    char c;
    if (read(go_fd, &c, 1) == 1) { close(go_fd); return; }
    kill(pid, SIGKILL); /* labsh went away before saying go: take the child with us */
    waitpid(pid, NULL, 0);
    errno = 0;
    die("go channel closed before \"go\"");
}

static int open_channel(const char *path, int flags, int fallback) {
    if (!path) return fcntl(fallback, F_GETFD) < 0 ? -1 : fallback;
    int fd = open(path, flags | O_CLOEXEC);
    if (fd < 0) die("open(\"%s\")", path);
    return fd;
}

static int cmd_run(void) {
    static char stack[256 * 1024] __attribute__((aligned(16)));
    int errp[2], syncp[2], go_fd = -1;
    report_fd = open_channel(opt.report, O_WRONLY, 3);
    if (opt.wait_go && (go_fd = open_channel(opt.go, O_RDONLY, 4)) < 0) { errno = EBADF; die("--wait-go: no go channel (fd 4)"); }
    if ((opt.flags & CLONE_NEWPID) && (opt.flags & CLONE_NEWNS) && opt.nproc == 0) opt.proc[opt.nproc++] = "/proc";
    if (pipe2(errp, O_CLOEXEC) < 0 || pipe2(syncp, O_CLOEXEC) < 0) die("pipe2(O_CLOEXEC)");
    err_fd = errp[1];
    sync_fd = syncp[0];
    pid_t pid = clone(child_main, stack + sizeof stack, opt.flags | SIGCHLD, NULL);
    err_fd = -1;
    if (pid < 0) die("clone(%s)", "namespace flags");
    payload = pid;
    signal(SIGTERM, forward);
    signal(SIGINT, forward);
    close(errp[1]);
    close(syncp[0]);
    report("pid %d", pid);
    if (go_fd >= 0) wait_for_go(pid, go_fd);
    write_maps(pid);
    if (write(syncp[1], "g", 1) != 1) die("write(sync pipe)");
    close(syncp[1]);
    char msg[1024];
    ssize_t n;
    while ((n = read(errp[0], msg, sizeof msg - 1)) < 0 && errno == EINTR) {}
    if (n > 0) { /* a step failed in the child: pass its line on */
        msg[n] = 0;
        report("%s", msg);
        fprintf(stderr, "nsinit: %s\n", msg + 6);
    } else {
        report("ok");
    }
    close(errp[0]);
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) die("waitpid(%d)", pid);
    return exit_code(status);
}

static int cmd_join(pid_t target) {
    static const struct { const char *n; int f; } order[] = { /* user first, mnt last */
        {"user", CLONE_NEWUSER}, {"ipc", CLONE_NEWIPC}, {"uts", CLONE_NEWUTS}, {"net", CLONE_NEWNET},
        {"pid", CLONE_NEWPID}, {"cgroup", CLONE_NEWCGROUP}, {"mnt", CLONE_NEWNS}};
    int fds[7];
    char path[64];
    for (int i = 0; i < 7; i++) { /* open all first: after joining mnt, /proc may be another one */
        fds[i] = -1;
        if (!(opt.flags & order[i].f)) continue;
        snprintf(path, sizeof path, "/proc/%d/ns/%s", target, order[i].n);
        if ((fds[i] = open(path, O_RDONLY | O_CLOEXEC)) < 0) die("open(\"%s\")", path);
    }
    for (int i = 0; i < 7; i++) {
        if (fds[i] < 0) continue;
        snprintf(path, sizeof path, "/proc/%d/ns/%s", target, order[i].n);
        if (setns(fds[i], order[i].f) < 0) die("setns(\"%s\")", path);
        close(fds[i]);
    }
    if (!(opt.flags & CLONE_NEWPID)) exec_cmd();
    pid_t pid = fork(); /* setns(CLONE_NEWPID) moves our children only */
    if (pid < 0) die("fork()");
    if (pid == 0) exec_cmd();
    payload = pid;
    signal(SIGTERM, forward);
    signal(SIGINT, forward);
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) die("waitpid(%d)", pid);
    return exit_code(status);
}

static void usage(void) {
    fprintf(stderr, "usage: nsinit run [--ns LIST] [--hostname H] [--bind SRC:DST]... [--proc PATH]... [--rootfs DIR]\n"
                    "                  [--init] [--uid-map M] [--gid-map M] [--report PATH] [--wait-go] [--go PATH] -- CMD...\n"
                    "       nsinit join --pid P --ns LIST -- CMD...\n");
    exit(2);
}

int main(int argc, char **argv) {
    if (argc < 2) usage();
    int join = !strcmp(argv[1], "join");
    if (!join && strcmp(argv[1], "run")) usage();
    pid_t target = 0;
    int i = 2;
    for (; i < argc && strcmp(argv[i], "--"); i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--init")) { opt.init = 1; continue; }
        if (!strcmp(a, "--wait-go")) { opt.wait_go = 1; continue; }
        if (!v) usage();
        i++;
        if (!strcmp(a, "--ns")) opt.flags = parse_ns(v);
        else if (!strcmp(a, "--hostname")) opt.hostname = v;
        else if (!strcmp(a, "--rootfs")) opt.rootfs = v;
        else if (!strcmp(a, "--uid-map")) opt.uid_map = v;
        else if (!strcmp(a, "--gid-map")) opt.gid_map = v;
        else if (!strcmp(a, "--report")) opt.report = v;
        else if (!strcmp(a, "--go")) opt.go = v;
        else if (!strcmp(a, "--pid")) target = atoi(v);
        else if (!strcmp(a, "--bind") && opt.nbind < MAX_LIST) opt.bind[opt.nbind++] = argv[i];
        else if (!strcmp(a, "--proc") && opt.nproc < MAX_LIST) opt.proc[opt.nproc++] = v;
        else usage();
    }
    if (i + 1 >= argc) usage();
    opt.cmd = argv + i + 1;
    if (join) {
        if (target <= 0) usage();
        return cmd_join(target);
    }
    return cmd_run();
}
