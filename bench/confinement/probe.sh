#!/bin/sh
# Run inside a container (busybox sh): prints what confines it, one "name value" line each,
# read from the kernel's own view. bench/confinement/run runs it in each engine and tabulates.
st() { awk -v k="$1:" '$1 == k {print $2}' /proc/self/status; }
echo "caps $(st CapEff)"
echo "seccomp $(st Seccomp)"
echo "no_new_privs $(st NoNewPrivs)"
ro=""; for p in /proc/sys /proc/sysrq-trigger /proc/irq /proc/bus /proc/fs; do
  opts=$(awk -v p="$p" '$5 == p {print $6}' /proc/self/mountinfo | tail -1)
  case ",$opts," in *,ro,*) ro="$ro ${p#/proc/}";; esac
done
echo "proc_readonly${ro:- none}"
masked=""; for p in /proc/kcore /proc/keys /proc/timer_list /proc/acpi /proc/scsi /proc/sched_debug /proc/asound /sys/firmware; do
  [ -e "$p" ] || continue
  awk -v p="$p" '$5 == p {f=1} END {exit !f}' /proc/self/mountinfo && masked="$masked ${p#/}"
done
echo "masked${masked:- none}"
opts=$(awk '$5 == "/" {print $6}' /proc/self/mountinfo | tail -1)
echo "root_mount $opts"
# a device node that came with the image (the runner puts b 7:0, loop0, at /probe-loop0):
# opened read-only, which is harmless, only to see whether the device cgroup or nodev stops it
if [ ! -b /probe-loop0 ]; then echo "image_device_node absent"
elif (: < /probe-loop0) 2>/dev/null; then echo "image_device_node opened"
else echo "image_device_node refused"; fi
if unshare -U true 2>/dev/null; then echo "userns allowed"; else echo "userns refused"; fi
