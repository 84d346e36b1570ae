#!/usr/bin/env python3
"""Start to first prompt of an interactive program, on a pseudo-terminal as a user sees it.

Usage: prompt_time.py PROMPT_REGEX QUIT_KEYS COMMAND...
Spawns COMMAND on a new pty (80x24), reads its output until PROMPT_REGEX matches, prints the
elapsed milliseconds, then types QUIT_KEYS ('\\x04' is Ctrl-D) and waits for it to exit (killed
after 20 s)."""
import os, pty, re, select, signal, struct, sys, time, fcntl, termios

def main():
    prompt, quit_keys, cmd = re.compile(sys.argv[1].encode()), sys.argv[2].encode().decode('unicode_escape').encode(), sys.argv[3:]
    t0 = time.monotonic()
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(cmd[0], cmd)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack('HHHH', 24, 80, 0, 0))
    seen, elapsed = b'', None
    deadline = t0 + 120
    while time.monotonic() < deadline:
        r, _, _ = select.select([fd], [], [], 0.5)
        if not r:
            continue
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
        # a terminal may answer cursor-position queries (JLine asks at start): reply as xterm does
        if b'\x1b[6n' in chunk:
            os.write(fd, b'\x1b[1;1R')
        if prompt.search(seen):
            elapsed = (time.monotonic() - t0) * 1000
            break
    if elapsed is None:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        sys.exit('no prompt from %s; output was: %r' % (' '.join(cmd), seen[-300:]))
    os.write(fd, quit_keys)
    end = time.monotonic() + 20
    while time.monotonic() < end:
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        r, _, _ = select.select([fd], [], [], 0.2)
        if r:
            try:
                os.read(fd, 65536)
            except OSError:
                pass
    else:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    print('%.1f' % elapsed)

main()
