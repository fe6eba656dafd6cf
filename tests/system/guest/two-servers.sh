#!/bin/sh
# Guest side of guest-two-servers.sh, run by both servers at once: the
# card's OUI says which server this is (02:6e:00: namespaces 1-2, else
# 3-4). Two VFs in namespaces; once the other server answers, each local
# namespace pings all four addresses; then the servers tell each other
# over TCP that they are done, so that neither powers off while the
# other still pings it.
. /scenario-lib.sh

pf=$(sriov_pf) || { echo "no SR-IOV function"; exit 1; }
case "$(cat "$pf"/virtio*/net/*/address)" in
02:6e:00:*) me=1 peer=3 ;;
*) me=3 peer=1 ;;
esac
enable_vfs_in_namespaces 2 "$pf" "$me" || exit 1

rm -f /tmp/hold
mkfifo /tmp/hold
in_namespace "$me" nc -l -p 7000 </tmp/hold >/tmp/peer-done &
listener=$!
exec 9>/tmp/hold
wait_listening "$me" 7000 || exit 1

tries=0
# a bound, not a delay: the other server boots meanwhile (ping waits 1 s)
until in_namespace "$me" ping -c 1 -W 1 "169.254.10.$peer" >/dev/null; do
    tries=$((tries + 1))
    [ "$tries" -gt 120 ] && { echo "the other server never answered"; exit 1; }
done

for a in "$me" $((me + 1)); do
    for b in 1 2 3 4; do
        [ "$a" = "$b" ] || ping_pair "$a" "$b"
    done
done

tries=0
# -w: a server that is gone must not hold this one in TCP's connect
# timeout, which outlasts the guest's.
until echo done | in_namespace "$me" nc -w 2 "169.254.10.$peer" 7000; do
    tries=$((tries + 1))
    [ "$tries" -gt 100 ] && { echo "could not tell the other server"; exit 1; }
    sleep 0.1
done
wait "$listener"
exec 9>&-
echo "PEER $(cat /tmp/peer-done)"
host_qmp x-query-nswitch || exit 1
