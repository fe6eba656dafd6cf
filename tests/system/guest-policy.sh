#!/usr/bin/env bash
# VF policy as a stock Debian guest sees it: a spoofed frame from a VF
# does not arrive; a pinned MAC holds unless the VF is trusted; only a
# trusted VF in promiscuous mode gets unknown unicast, and in all-multicast
# mode groups it did not join; a disabled link
# shows NO-CARRIER; a rate-limited VF
# stays within 10% of its rate; the mirror and the pcap capture hold
# exactly the frames that concern the VF they watch (read with tcpdump).
source "$(dirname "$0")/tap.bash"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
capture=$work/vf1.pcap
{
    echo "#!/bin/sh"
    echo "CAPTURE_FILE=$capture"
    cat "$REPO_ROOT/tests/system/guest/vf-policy.sh"
} >"$work/scenario.sh"

console=$(GUEST_TIMEOUT=240 "$REPO_ROOT/scripts/run-guest.sh" \
    "$work/scenario.sh" \
    -netdev user,id=uplink,restrict=on \
    -device pcie-root-port,id=rp0,chassis=1 \
    -device nswitch-nic,id=nsw0,bus=rp0,netdev=uplink,vfs=4 2>&1)
status=$?
steps='SPOOFED|CONTROL|PINNED|TRUSTED|PROMISC|ALLMULTI|LINK|RATE|MIRROR'
grep -E "^($steps|MARKER|NSWITCH-GUEST|NSWITCH-QMP-FAILED|error:|pktgen)" \
    <<<"$console" |
    sed 's/^/# /'

ok "guest finished its scenario" test "$status" -eq 0
ok "no frame with a spoofed source reached VF 1" \
    contains "$console" "SPOOFED received=0 "
ok "... while VF 0's own 100 frames did" \
    contains "$console" "CONTROL received=100 "
ok "the card counted VF 0's 100 spoofed frames" \
    grep -qE '^ +2 vf0 .* 100$' <<<"$console"
ok "... and VF 2's 20 from its refused MAC" \
    grep -qE '^ +4 vf2 +02:6e:00:00:00:03 .* 20$' <<<"$console"
ok "... and nothing else" grep -qE '^  dropped: 120 spoofed$' <<<"$console"
ok "a pinned VF's guest cannot switch to another MAC" \
    contains "$console" "PINNED received=0 "
ok "... until the VF is trusted" contains "$console" "TRUSTED received=20 "
ok "a trusted promiscuous VF gets unicast no VF owns" \
    contains "$console" "PROMISC-TRUSTED received=40 "
ok "... an untrusted promiscuous VF does not" \
    contains "$console" "PROMISC-UNTRUSTED received=0 "
ok "an untrusted all-multicast VF gets no group it did not join" \
    contains "$console" "ALLMULTI-UNTRUSTED received=0 "
ok "... a trusted one gets them" \
    contains "$console" "ALLMULTI-TRUSTED received=30 "
ok "a disabled link shows NO-CARRIER in the guest" \
    grep -qE '^LINK-DISABLED .*NO-CARRIER' <<<"$console"
ok "an enabled link has its carrier back" \
    grep -qE '^LINK-ENABLED .*LOWER_UP' <<<"$console"

rate=$(sed -n 's/^RATE bits_per_second=\([0-9]*\).*/\1/p' <<<"$console")
echo "# VF 0 capped at 10 Mbit/s sent ${rate:-?} bit/s"
ok "a VF capped at 10 Mbit/s stays within 10% above it" \
    test "${rate:-99999999}" -le 11000000
ok "... and does send (over half its rate)" test "${rate:-0}" -ge 5000000

ok "the monitor VF got exactly the 50 frames to VF 1" \
    contains "$console" "MIRROR received=50 "
ok "nswitch-capture-stop reports 50 frames" \
    grep -qE '"frames": 50' <<<"$console"
frames=$(tcpdump -r "$capture" -nn -e 2>/dev/null)
echo "# tcpdump -r: $(wc -l <<<"$frames") frames"
ok "tcpdump reads the capture: 50 frames" test "$(grep -c . <<<"$frames")" -eq 50
ok "... all from VF 0 to VF 1" test "$(grep -c \
    '02:6e:00:00:00:01 > 02:6e:00:00:00:02' <<<"$frames")" -eq 50
ok "... none of VF 2's frames to VF 0" \
    test "$(grep -c '02:6e:00:00:00:03 >' <<<"$frames")" -eq 0

done_testing
