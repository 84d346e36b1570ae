#!/usr/bin/env bash
# The same link by hand, the way the seed's students would: iproute2 + util-linux nsenter.
set -e
a=$1 b=$2
ip link add eth0 netns "$a" type veth peer name eth0 netns "$b"
nsenter -t "$a" -n ip addr add 10.200.1.1/24 dev eth0
nsenter -t "$a" -n ip link set eth0 up
nsenter -t "$a" -n ip link set lo up
nsenter -t "$b" -n ip addr add 10.200.1.2/24 dev eth0
nsenter -t "$b" -n ip link set eth0 up
nsenter -t "$b" -n ip link set lo up
nsenter -t "$a" -n ip link del eth0
