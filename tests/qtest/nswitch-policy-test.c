/*
 * QTest for nswitch-nic's management: the nswitch-* QMP commands and the
 * HMP "nswitch" command, and what the card does with what they set
 * (VF policy, static relay entries, ACL, mirror, capture, 802.1p
 * scheduling), through the VFs' virtqueues and the uplink socket.
 *
 * Copyright (c) 2026 The nswitch-nic authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/bswap.h"
#include "nswitch/card.h"

#define CARD ",id=nsw0,vfs=3"

static void vf_set(QTestState *qts, const char *args)
{
    qmp_ok(qts, "{'execute': 'nswitch-vf-set', 'arguments': "
           "{'device': 'nsw0', %s}}", args);
}

/* A member of port @port's policy in query-nswitch, as a string. */
static char *policy_member(QTestState *qts, int64_t port, const char *name)
{
    QDict *rsp, *card = query_card(qts, &rsp);
    QDict *policy = qdict_get_qdict(card_port(card, port), "policy");
    QObject *value = qdict_get(policy, name);
    char *text = g_string_free(qobject_to_json(value), false);

    qobject_unref(rsp);
    return text;
}

static void assert_policy(QTestState *qts, int64_t port, const char *name,
                          const char *json)
{
    g_autofree char *text = policy_member(qts, port, name);

    g_assert_cmpstr(text, ==, json);
}

/* The VF's virtio-net config as its guest reads it: MAC and status. */
static void read_vf_config(QTestState *qts, int vf, uint8_t mac[6],
                           uint16_t *status)
{
    uint64_t cfg = virtio_structure(qts, vf, VIRTIO_PCI_CAP_DEVICE_CFG, NULL);

    if (mac) {
        qtest_memread(qts, cfg, mac, 6);
    }
    if (status) {
        *status = qtest_readw(qts, cfg + 6);
    }
}

static bool vf_link_up(QTestState *qts, int vf)
{
    uint16_t status;

    read_vf_config(qts, vf, NULL, &status);
    return status & VIRTIO_NET_S_LINK_UP;
}

/* A frame with an 802.1Q tag between the MACs and the ethertype. */
static size_t make_tagged_frame(uint8_t *frame, const uint8_t *dst,
                                const uint8_t *src, uint16_t tci,
                                uint8_t marker)
{
    make_frame(frame + 4, dst, src, marker);
    memmove(frame, frame + 4, 12);
    frame[12] = 0x81;
    frame[13] = 0x00;
    frame[14] = tci >> 8;
    frame[15] = tci;
    return 64;
}

static void test_vf_mac_is_pinned_and_seen_by_the_driver(void)
{
    static const uint8_t admin[6] = { 0x02, 0x6e, 0x00, 0x00, 0x01, 0x00 };
    Card c;
    uint8_t frame[60], seen[6];

    card_start(&c, CARD, 3);
    vf_set(c.qts, "'vf': 0, 'mac': '02:6e:00:00:01:00'");
    assert_policy(c.qts, VF_PORT(0), "mac-pinned", "true");
    /* The driver reads it when it probes again (here: resets the VF). */
    vf_driver_start(&c.vf[0], c.qts, 0);
    read_vf_config(c.qts, 0, seen, NULL);
    g_assert_cmpmem(seen, 6, admin, 6);

    /* the old MAC is spoofed now; the new one is switched */
    make_frame(frame, c.mac[1], c.mac[0], 0x31);
    vf_send(&c.vf[0], frame, sizeof(frame));
    wait_for_counter(c.qts, VF_PORT(0), "dropped.spoofed", 1);
    make_frame(frame, c.mac[1], admin, 0x32);
    vf_send(&c.vf[0], frame, sizeof(frame));
    assert_receives(&c.vf[1], frame, 60);

    /* a VF's own MAC as another's is refused, and nothing changes */
    assert_qmp_error(c.qts, "already", "{'execute': 'nswitch-vf-set', "
                     "'arguments': {'device': 'nsw0', 'vf': 1, "
                     "'mac': '02:6e:00:00:01:00', 'vlan': 5}}");
    assert_policy(c.qts, VF_PORT(1), "vlan", "0");
    assert_policy(c.qts, VF_PORT(1), "mac-pinned", "false");
    card_stop(&c);
}

static void test_group_moves_a_vf_to_another_relay_group(void)
{
    Card c;
    QDict *rsp, *card;
    uint8_t frame[60], on_uplink[128];

    card_start(&c, CARD, 3);
    vf_set(c.qts, "'vf': 0, 'group': '02:77:00'");
    card = query_card(c.qts, &rsp);
    g_assert_cmpstr(qdict_get_str(card_port(card, VF_PORT(0)), "mac"), ==,
                    "02:77:00:00:00:01");
    g_assert_cmpstr(qdict_get_str(card_port(card, VF_PORT(0)), "group"), ==,
                    "02:77:00");
    qobject_unref(rsp);
    /* VF 0's frames to VF 1 now cross groups: out by the uplink */
    make_frame(frame, c.mac[1], (const uint8_t[]) {
                   0x02, 0x77, 0x00, 0x00, 0x00, 0x01 }, 0x41);
    vf_send(&c.vf[0], frame, sizeof(frame));
    g_assert_cmpuint(uplink_receive(c.uplink_fd, on_uplink, sizeof(on_uplink),
                                    5000), ==, 60);
    g_assert_cmpint(card_counter(c.qts, PATHS, "hairpinned"), ==, 0);
    assert_qmp_error(c.qts, "give one", "{'execute': 'nswitch-vf-set', "
                     "'arguments': {'device': 'nsw0', 'vf': 1, "
                     "'mac': '02:6e:00:00:01:00', 'group': '02:78:00'}}");
    assert_qmp_error(c.qts, "OUI such as", "{'execute': 'nswitch-vf-set', "
                     "'arguments': {'device': 'nsw0', 'vf': 1, "
                     "'group': '02:78'}}");
    card_stop(&c);
}

static void test_port_vlan_tags_strips_and_refuses(void)
{
    Card c;
    uint8_t frame[64], got[128];

    card_start(&c, CARD, 3);
    vf_set(c.qts, "'vf': 0, 'vlan': 10, 'qos': 5");
    assert_policy(c.qts, VF_PORT(0), "vlan", "10");
    assert_policy(c.qts, VF_PORT(0), "qos", "5");

    /* out: tagged 802.1Q, priority 5, VLAN 10 */
    make_frame(frame, outside_mac, c.mac[0], 0x51);
    vf_send(&c.vf[0], frame, 60);
    g_assert_cmpuint(uplink_receive(c.uplink_fd, got, sizeof(got), 5000), ==,
                     64);
    g_assert_cmphex(got[12], ==, 0x81);
    g_assert_cmphex(got[13], ==, 0x00);
    g_assert_cmphex(got[14] << 8 | got[15], ==, 5 << 13 | 10);
    g_assert_cmpmem(got + 16, 48, frame + 12, 48);

    /* to a VF without a port VLAN inside the card: tagged */
    make_frame(frame, c.mac[1], c.mac[0], 0x52);
    vf_send(&c.vf[0], frame, 60);
    g_assert_cmpuint(receive_frame(&c.vf[1], got, sizeof(got)), ==, 64);
    g_assert_cmphex(got[14] << 8 | got[15], ==, 5 << 13 | 10);

    /* in: VLAN 10 arrives stripped; VLAN 11 and untagged are refused */
    make_tagged_frame(frame, c.mac[0], outside_mac, 10, 0x53);
    uplink_send(c.uplink_fd, frame, 64);
    g_assert_cmpuint(receive_frame(&c.vf[0], got, sizeof(got)), ==, 60);
    make_frame(frame, c.mac[0], outside_mac, 0x53);
    g_assert_cmpmem(got, 60, frame, 60);
    make_tagged_frame(frame, c.mac[0], outside_mac, 11, 0x54);
    uplink_send(c.uplink_fd, frame, 64);
    make_frame(frame, c.mac[0], outside_mac, 0x55);
    uplink_send(c.uplink_fd, frame, 60);
    wait_for_counter(c.qts, VF_PORT(0), "dropped.vlan", 2);

    /* the guest's own tags on a port-VLAN VF are refused */
    make_tagged_frame(frame, c.mac[1], c.mac[0], 20, 0x56);
    vf_send(&c.vf[0], frame, 64);
    wait_for_counter(c.qts, VF_PORT(0), "dropped.vlan", 3);

    /* 0 removes the port VLAN */
    vf_set(c.qts, "'vf': 0, 'vlan': 0");
    make_frame(frame, outside_mac, c.mac[0], 0x57);
    vf_send(&c.vf[0], frame, 60);
    g_assert_cmpuint(uplink_receive(c.uplink_fd, got, sizeof(got), 5000), ==,
                     60);
    card_stop(&c);
}

static void test_spoofchk_can_be_turned_off(void)
{
    static const uint8_t bridged[6] = { 0x02, 0x6e, 0x00, 0x00, 0x00, 0x99 };
    Card c;
    uint8_t frame[60];

    card_start(&c, CARD, 3);
    assert_policy(c.qts, VF_PORT(0), "spoofchk", "true");
    make_frame(frame, c.mac[1], bridged, 0x61);
    vf_send(&c.vf[0], frame, sizeof(frame));
    wait_for_counter(c.qts, VF_PORT(0), "dropped.spoofed", 1);
    vf_set(c.qts, "'vf': 0, 'spoofchk': false");
    vf_send(&c.vf[0], frame, sizeof(frame));
    assert_receives(&c.vf[1], frame, 60);
    card_stop(&c);
}

static void test_link_state_drives_the_vf_link(void)
{
    Card c;
    uint8_t frame[60];

    card_start(&c, CARD, 3);
    g_assert_true(vf_link_up(c.qts, 0));
    vf_set(c.qts, "'vf': 0, 'link-state': 'disable'");
    g_assert_false(vf_link_up(c.qts, 0));
    g_assert_true(vf_link_up(c.qts, 1));
    assert_policy(c.qts, VF_PORT(0), "link-up", "false");
    assert_policy(c.qts, VF_PORT(0), "link-state", "\"disable\"");
    make_frame(frame, c.mac[0], c.mac[1], 0x71);
    vf_send(&c.vf[1], frame, sizeof(frame));
    wait_for_counter(c.qts, VF_PORT(0), "dropped.link-down", 1);

    /* auto follows the uplink's link */
    vf_set(c.qts, "'vf': 0, 'link-state': 'auto'");
    g_assert_true(vf_link_up(c.qts, 0));
    qtest_qmp_assert_success(c.qts, "{'execute': 'set_link', 'arguments': "
                             "{'name': 'uplink', 'up': false}}");
    g_assert_false(vf_link_up(c.qts, 0));
    g_assert_false(vf_link_up(c.qts, 1));
    /* enable does not */
    vf_set(c.qts, "'vf': 1, 'link-state': 'enable'");
    g_assert_true(vf_link_up(c.qts, 1));
    qtest_qmp_assert_success(c.qts, "{'execute': 'set_link', 'arguments': "
                             "{'name': 'uplink', 'up': true}}");
    g_assert_true(vf_link_up(c.qts, 0));
    card_stop(&c);
}

/* Queues a frame of @len bytes from VF @d to its own MAC (dropped). */
static void queue_large_frame(VfDriver *d, const uint8_t *own, size_t len)
{
    g_autofree uint8_t *frame = g_malloc0(len);

    memcpy(frame, own, 6);
    memcpy(frame + 6, own, 6);
    vf_queue_from(d, BIG_FRAME_AREA, NULL, frame, len);
}

static void test_max_tx_rate_paces_the_vf(void)
{
    Card c;

    card_start(&c, CARD, 3);
    /* 1 Mbit/s: 125000 bytes a second after a burst of 65792 */
    vf_set(c.qts, "'vf': 0, 'max-tx-rate': 1");
    assert_policy(c.qts, VF_PORT(0), "max-tx-rate", "1");
    queue_large_frame(&c.vf[0], c.mac[0], 60000);
    wait_for_used(&c.vf[0], TX_QUEUE);
    queue_large_frame(&c.vf[0], c.mac[0], 60000);
    /* The virtual clock stands still: the second frame waits. */
    assert_bottom_halves_ran(&c, 1, 2);
    g_assert_true(queue_used_nothing(&c.vf[0], TX_QUEUE));
    g_assert_cmpint(card_counter(c.qts, VF_PORT(0), "rx-frames"), ==, 1);
    /*
     * 54208 bytes missing: 434 ms at 1 Mbit/s. A clock step runs the
     * timers it passes before it answers: had the card's resume timer
     * been due, it would have sent the frame and given its buffer back.
     */
    qtest_clock_step(c.qts, 400 * 1000 * 1000);
    g_assert_true(queue_used_nothing(&c.vf[0], TX_QUEUE));
    qtest_clock_step(c.qts, 40 * 1000 * 1000);
    wait_for_used(&c.vf[0], TX_QUEUE);
    g_assert_cmpint(card_counter(c.qts, VF_PORT(0), "rx-frames"), ==, 2);
    g_assert_cmpint(card_counter(c.qts, VF_PORT(0), "dropped.loopback"), ==,
                    2);
    /* other VFs are not paced */
    queue_large_frame(&c.vf[1], c.mac[1], 60000);
    wait_for_used(&c.vf[1], TX_QUEUE);
    queue_large_frame(&c.vf[1], c.mac[1], 60000);
    wait_for_used(&c.vf[1], TX_QUEUE);
    card_stop(&c);
}

/* The relay table's entry for @mac in query-nswitch, or NULL. */
static QDict *relay_entry(QDict *card, const char *mac)
{
    QListEntry *e;

    QLIST_FOREACH_ENTRY(qdict_get_qlist(card, "relay-table"), e) {
        QDict *entry = qobject_to(QDict, qlist_entry_obj(e));

        if (!strcmp(qdict_get_str(entry, "mac"), mac)) {
            return entry;
        }
    }
    return NULL;
}

static void test_static_relay_entries(void)
{
    Card c;
    QDict *rsp, *card, *entry;
    uint8_t bridged[6] = { 0x02, 0x6e, 0x00, 0x00, 0x00, 0x99 };

    card_start(&c, CARD, 0);
    set_vfs(c.qts, 2);
    qtest_qmp_assert_success(c.qts, "{'execute': 'nswitch-relay-add', "
                             "'arguments': {'device': 'nsw0', "
                             "'mac': '02:6e:00:00:00:99', 'vf': 1}}");
    card = query_card(c.qts, &rsp);
    entry = relay_entry(card, "02:6e:00:00:00:99");
    g_assert_nonnull(entry);
    g_assert_true(qdict_get_bool(entry, "static"));
    g_assert_cmpint(qdict_get_int(entry, "port"), ==, VF_PORT(1));
    qobject_unref(rsp);
    /* frames for it go to VF 1 (which has no driver here) */
    send_socket_frame(c.uplink_fd, bridged, outside_mac, 60);
    wait_for_counter(c.qts, VF_PORT(1), "dropped.receiver-full", 1);

    qtest_qmp_assert_success(c.qts, "{'execute': 'nswitch-relay-remove', "
                             "'arguments': {'device': 'nsw0', "
                             "'mac': '02:6e:00:00:00:99'}}");
    card = query_card(c.qts, &rsp);
    g_assert_null(relay_entry(card, "02:6e:00:00:00:99"));
    g_assert_nonnull(relay_entry(card, "02:6e:00:00:00:02"));
    qobject_unref(rsp);
    send_socket_frame(c.uplink_fd, bridged, outside_mac, 60);
    wait_for_counter(c.qts, PATHS, "dropped.no-destination", 1);

    assert_qmp_error(c.qts, "function's own", "{'execute': "
                     "'nswitch-relay-remove', 'arguments': {'device': "
                     "'nsw0', 'mac': '02:6e:00:00:00:01'}}");
    assert_qmp_error(c.qts, "no such entry", "{'execute': "
                     "'nswitch-relay-remove', 'arguments': {'device': 'nsw0', "
                     "'mac': '02:6e:00:00:00:99'}}");
    assert_qmp_error(c.qts, "already", "{'execute': 'nswitch-relay-add', "
                     "'arguments': {'device': 'nsw0', "
                     "'mac': '02:6e:00:00:00:02'}}");
    assert_qmp_error(c.qts, "'mac' must be a MAC", "{'execute': "
                     "'nswitch-relay-add', 'arguments': {'device': 'nsw0', "
                     "'mac': '02:6e:00:00:00'}}");
    assert_qmp_error(c.qts, "VF 7 does not exist", "{'execute': "
                     "'nswitch-relay-add', 'arguments': {'device': 'nsw0', "
                     "'mac': '02:6e:00:00:00:98', 'vf': 7}}");
    assert_qmp_error(c.qts, "multicast", "{'execute': 'nswitch-relay-add', "
                     "'arguments': {'device': 'nsw0', "
                     "'mac': '03:6e:00:00:00:98'}}");
    card_stop(&c);
}

static QDict *acl_rule(QDict *card, int index)
{
    QList *rules = qdict_get_qlist(card, "acl");
    QListEntry *e;

    QLIST_FOREACH_ENTRY(rules, e) {
        if (!index--) {
            return qobject_to(QDict, qlist_entry_obj(e));
        }
    }
    g_assert_not_reached();
}

static void test_acl_rules_drop_allow_and_count(void)
{
    Card c;
    QDict *rsp, *card;
    uint8_t frame[60], got[64];
    int64_t drop, allow;

    card_start(&c, CARD, 3);
    drop = acl_add(c.qts, "nsw0", "'action': 'drop', "
                   "'src': '02:6e:00:00:00:01', 'ethertype': 34997");
    make_frame(frame, c.mac[1], c.mac[0], 0x81);
    vf_send(&c.vf[0], frame, sizeof(frame));
    wait_for_counter(c.qts, VF_PORT(0), "dropped.acl", 1);
    make_frame(frame, c.mac[0], c.mac[1], 0x82);
    vf_send(&c.vf[1], frame, sizeof(frame));
    g_assert_cmpuint(receive_frame(&c.vf[0], got, sizeof(got)), ==, 60);

    /* an OUI-wide allow put first overrides it */
    allow = acl_add(c.qts, "nsw0", "'action': 'allow', "
                    "'src': '02:6e:00', 'position': 0");
    card = query_card(c.qts, &rsp);
    g_assert_cmpint(qdict_get_int(acl_rule(card, 0), "rule"), ==, allow);
    g_assert_cmpstr(qdict_get_str(acl_rule(card, 0), "src"), ==, "02:6e:00");
    g_assert_cmpint(qdict_get_int(acl_rule(card, 1), "rule"), ==, drop);
    g_assert_cmpint(qdict_get_int(acl_rule(card, 1), "hits"), ==, 1);
    g_assert_cmpint(qdict_get_int(acl_rule(card, 1), "ethertype"), ==, 34997);
    g_assert_cmpstr(qdict_get_str(acl_rule(card, 1), "action"), ==, "drop");
    qobject_unref(rsp);
    make_frame(frame, c.mac[1], c.mac[0], 0x83);
    vf_send(&c.vf[0], frame, sizeof(frame));
    g_assert_cmpuint(receive_frame(&c.vf[1], got, sizeof(got)), ==, 60);

    qmp_ok(c.qts, "{'execute': 'nswitch-acl-remove', 'arguments': "
           "{'device': 'nsw0', 'rule': %" PRId64 "}}", allow);
    vf_send(&c.vf[0], frame, sizeof(frame));
    wait_for_counter(c.qts, VF_PORT(0), "dropped.acl", 2);

    assert_qmp_error(c.qts, "no ACL rule 99", "{'execute': "
                     "'nswitch-acl-remove', 'arguments': {'device': 'nsw0', "
                     "'rule': 99}}");
    assert_qmp_error(c.qts, "'src' must be a MAC address", "{'execute': "
                     "'nswitch-acl-add', 'arguments': {'device': 'nsw0', "
                     "'action': 'drop', 'src': '02:6e'}}");
    assert_qmp_error(c.qts, "'vlan' must be 0", "{'execute': "
                     "'nswitch-acl-add', 'arguments': {'device': 'nsw0', "
                     "'action': 'drop', 'vlan': 4095}}");
    assert_qmp_error(c.qts, "does not accept value 'reject'", "{'execute': "
                     "'nswitch-acl-add', 'arguments': {'device': 'nsw0', "
                     "'action': 'reject'}}");
    card_stop(&c);
}

static void test_mirror_copies_to_the_monitor_vf(void)
{
    Card c;
    QDict *rsp, *card, *mirror;
    uint8_t frame[60], got[64];

    card_start(&c, CARD, 3);
    qtest_qmp_assert_success(c.qts, "{'execute': 'nswitch-mirror-start', "
                             "'arguments': {'device': 'nsw0', "
                             "'monitor-vf': 2, 'vf': 1}}");
    card = query_card(c.qts, &rsp);
    mirror = qdict_get_qdict(card, "mirror");
    g_assert_cmpint(qdict_get_int(mirror, "monitor-vf"), ==, 2);
    g_assert_cmpint(qdict_get_int(mirror, "vf"), ==, 1);
    qobject_unref(rsp);

    make_frame(frame, c.mac[1], c.mac[0], 0x91);
    vf_send(&c.vf[0], frame, sizeof(frame));
    g_assert_cmpuint(receive_frame(&c.vf[1], got, sizeof(got)), ==, 60);
    assert_receives(&c.vf[2], frame, 60);
    g_assert_cmpint(card_counter(c.qts, PATHS, "mirrored"), ==, 1);
    /* VF 0 to the outside does not concern VF 1 */
    make_frame(frame, outside_mac, c.mac[0], 0x92);
    vf_send(&c.vf[0], frame, sizeof(frame));
    assert_uplink_next(c.uplink_fd, frame, sizeof(frame));
    post_rx_buffer(&c.vf[2]);

    /* an ACL rule with action mirror adds its frames */
    acl_add(c.qts, "nsw0", "'action': 'mirror', 'dst': '52:54:00'");
    make_frame(frame, outside_mac, c.mac[0], 0x93);
    vf_send(&c.vf[0], frame, sizeof(frame));
    /*
     * VF 2's next frame is this copy: one of 0x92, made before, would
     * have come first (the card keeps a receiver's frames in order).
     */
    assert_received(&c.vf[2], frame, 60);
    g_assert_cmpint(card_counter(c.qts, PATHS, "mirrored"), ==, 2);

    /* stopped, the mirror is gone and VF 1's frames are not copied */
    qtest_qmp_assert_success(c.qts, "{'execute': 'nswitch-mirror-stop', "
                             "'arguments': {'device': 'nsw0'}}");
    card = query_card(c.qts, &rsp);
    g_assert_false(qdict_haskey(card, "mirror"));
    qobject_unref(rsp);
    post_rx_buffer(&c.vf[2]);
    make_frame(frame, c.mac[1], c.mac[0], 0x94);
    vf_send(&c.vf[0], frame, sizeof(frame));
    g_assert_cmpuint(receive_frame(&c.vf[1], got, sizeof(got)), ==, 60);
    g_assert_cmpint(card_counter(c.qts, PATHS, "mirrored"), ==, 2);
    /* VF 2's next frame is one for it: no copy of 0x94 came before */
    make_frame(frame, c.mac[2], c.mac[0], 0x95);
    vf_send(&c.vf[0], frame, sizeof(frame));
    assert_received(&c.vf[2], frame, 60);
    assert_qmp_error(c.qts, "no mirror runs", "{'execute': "
                     "'nswitch-mirror-stop', 'arguments': {'device': "
                     "'nsw0'}}");
    assert_qmp_error(c.qts, "mirror itself", "{'execute': "
                     "'nswitch-mirror-start', 'arguments': {'device': "
                     "'nsw0', 'monitor-vf': 1, 'vf': 1}}");
    assert_qmp_error(c.qts, "not both", "{'execute': "
                     "'nswitch-mirror-start', 'arguments': {'device': "
                     "'nsw0', 'monitor-vf': 2, 'vf': 1, "
                     "'group': '02:6e:00'}}");
    assert_qmp_error(c.qts, "VF 3 does not exist", "{'execute': "
                     "'nswitch-mirror-start', 'arguments': {'device': "
                     "'nsw0', 'monitor-vf': 3}}");
    card_stop(&c);
}

/* The frames of a pcap file, checked against the format on the way. */
static GPtrArray *read_pcap(const char *path)
{
    g_autofree char *contents = NULL;
    GPtrArray *frames = g_ptr_array_new_with_free_func(
        (GDestroyNotify)g_byte_array_unref);
    size_t size, at = 24;

    g_assert_true(g_file_get_contents(path, &contents, &size, NULL));
    g_assert_cmpuint(size, >=, 24);
    g_assert_cmphex((uint32_t)ldl_le_p(contents), ==, 0xa1b2c3d4);
    g_assert_cmpint(lduw_le_p(contents + 4), ==, 2);
    g_assert_cmpint(lduw_le_p(contents + 6), ==, 4);
    g_assert_cmpint(ldl_le_p(contents + 20), ==, 1);    /* Ethernet */
    while (at < size) {
        uint32_t captured = ldl_le_p(contents + at + 8);
        GByteArray *frame = g_byte_array_new();

        g_assert_cmpint(ldl_le_p(contents + at + 12), ==, captured);
        g_assert_cmpuint(at + 16 + captured, <=, size);
        g_byte_array_append(frame, (uint8_t *)contents + at + 16, captured);
        g_ptr_array_add(frames, frame);
        at += 16 + captured;
    }
    return frames;
}

static void capture_start(QTestState *qts, const char *path,
                          const char *filter)
{
    qmp_ok(qts, "{'execute': 'nswitch-capture-start', 'arguments': "
           "{'device': 'nsw0', 'file': '%s' %s}}", path, filter);
}

/*
 * VF 1 sends @hairpin to VF 2 and VF 0 sends @out to the outside; both
 * are seen to arrive. @on_uplink gets @out as the uplink saw it.
 */
static void send_hairpin_and_out(Card *c, const uint8_t *hairpin,
                                 const uint8_t *out, uint8_t *on_uplink)
{
    uint8_t got[64];

    vf_send(&c->vf[1], hairpin, 60);
    g_assert_cmpuint(receive_frame(&c->vf[2], got, sizeof(got)), ==, 60);
    vf_send(&c->vf[0], out, 60);
    g_assert_cmpuint(uplink_receive(c->uplink_fd, on_uplink, 64, 5000), ==,
                     64);
}

/*
 * Sends as send_hairpin_and_out() does into the running capture, stops
 * it, and returns the frames of its file, as many as the stop reported.
 */
static GPtrArray *capture_hairpin_and_out(Card *c, const char *path,
                                          const uint8_t *hairpin,
                                          const uint8_t *out,
                                          uint8_t *on_uplink)
{
    GPtrArray *frames;
    int64_t reported;

    send_hairpin_and_out(c, hairpin, out, on_uplink);
    reported = capture_stop(c->qts, "nsw0", NULL);
    frames = read_pcap(path);
    g_assert_cmpint(frames->len, ==, reported);
    return frames;
}

static void assert_pcap_frame(GPtrArray *frames, guint index,
                              const uint8_t *expected, size_t len)
{
    GByteArray *frame = frames->pdata[index];

    g_assert_cmpmem(frame->data, frame->len, expected, len);
}

static void test_capture_writes_in_card_frames_to_pcap(void)
{
    g_autofree char *path = g_strdup_printf("%s/nswitch-capture-%d.pcap",
                                            g_get_tmp_dir(), getpid());
    Card c;
    uint8_t hairpin[60], out[60], on_uplink[64];
    g_autoptr(GPtrArray) frames = NULL;

    card_start(&c, CARD, 3);
    vf_set(c.qts, "'vf': 0, 'vlan': 7");
    make_frame(hairpin, c.mac[2], c.mac[1], 0xa1);
    make_frame(out, outside_mac, c.mac[0], 0xa2);
    capture_start(c.qts, path, "");
    assert_qmp_error(c.qts, "already runs", "{'execute': "
                     "'nswitch-capture-start', 'arguments': {'device': "
                     "'nsw0', 'file': '/tmp/other.pcap'}}");
    frames = capture_hairpin_and_out(&c, path, hairpin, out, on_uplink);
    /* exactly the two frames, as inside the card: VF 0's one tagged */
    g_assert_cmpuint(frames->len, ==, 2);
    assert_pcap_frame(frames, 0, hairpin, 60);
    assert_pcap_frame(frames, 1, on_uplink, 64);
    g_clear_pointer(&frames, g_ptr_array_unref);

    /* filtered to VF 2: only frames from or to it */
    capture_start(c.qts, path, ", 'vf': 2");
    frames = capture_hairpin_and_out(&c, path, hairpin, out, on_uplink);
    g_assert_cmpuint(frames->len, ==, 1);
    assert_pcap_frame(frames, 0, hairpin, 60);
    g_clear_pointer(&frames, g_ptr_array_unref);

    /* filtered to a group: only frames from or to its MACs */
    capture_start(c.qts, path, ", 'group': '52:54:00'");
    frames = capture_hairpin_and_out(&c, path, hairpin, out, on_uplink);
    g_assert_cmpuint(frames->len, ==, 1);
    assert_pcap_frame(frames, 0, on_uplink, 64);
    unlink(path);

    assert_qmp_error(c.qts, "no capture runs", "{'execute': "
                     "'nswitch-capture-stop', 'arguments': {'device': "
                     "'nsw0'}}");
    assert_qmp_error(c.qts, "cannot create capture file", "{'execute': "
                     "'nswitch-capture-start', 'arguments': {'device': "
                     "'nsw0', 'file': '/nonexistent/dir/x.pcap'}}");
    card_stop(&c);
}

static void test_full_ring_serves_higher_priority_first(void)
{
    Card c;
    uint8_t frame[64];
    static const struct {
        uint8_t priority, marker;
    } sent[] = {
        { 1, 0xb1 }, { 1, 0xb2 }, { 6, 0xb3 }, { 3, 0xb4 },
    };

    card_start(&c, CARD ",rx-queue=3", 2);
    /* No RX buffer: the first waits in flight, two are held... */
    for (int i = 0; i < 3; i++) {
        make_tagged_frame(frame, c.mac[1], outside_mac,
                          sent[i].priority << 13, sent[i].marker);
        uplink_send(c.uplink_fd, frame, sizeof(frame));
    }
    wait_for_counter(c.qts, PATHS, "from-uplink", 3);
    g_assert_cmpint(card_counter(c.qts, VF_PORT(1), "held"), ==, 3);
    /* ...and priority 3 pushes out the newest priority-1 frame. */
    make_tagged_frame(frame, c.mac[1], outside_mac, sent[3].priority << 13,
                      sent[3].marker);
    uplink_send(c.uplink_fd, frame, sizeof(frame));
    wait_for_counter(c.qts, VF_PORT(1), "dropped.receiver-full", 1);

    g_assert_cmphex(next_marker(&c.vf[1], sizeof(frame)), ==, 0xb1);
    g_assert_cmphex(next_marker(&c.vf[1], sizeof(frame)), ==, 0xb3);
    g_assert_cmphex(next_marker(&c.vf[1], sizeof(frame)), ==, 0xb4);
    g_assert_cmpint(card_counter(c.qts, VF_PORT(1), "held"), ==, 0);
    g_assert_cmpint(card_counter(c.qts, VF_PORT(1), "tx-frames"), ==, 3);
    card_stop(&c);
}

/*
 * HMP's answer to @command is @expected exactly (@exact: "" for a command
 * that succeeds silently), or contains it.
 */
static void G_GNUC_PRINTF(4, 5) hmp_check(QTestState *qts, bool exact,
                                          const char *expected,
                                          const char *fmt, ...)
{
    g_autofree char *command = NULL;
    g_autofree char *out = NULL;
    va_list ap;

    va_start(ap, fmt);
    command = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    out = qtest_hmp(qts, "%s", command);
    if (exact ? strcmp(out, expected) != 0 : !strstr(out, expected)) {
        g_error("'%s' said '%s', not '%s%s%s'", command, out,
                exact ? "" : "...", expected, exact ? "" : "...");
    }
}

#define hmp_says(qts, needle, ...) hmp_check(qts, false, needle, __VA_ARGS__)
#define hmp_answers(qts, answer, ...) \
    hmp_check(qts, true, answer, __VA_ARGS__)

/* "info nswitch" does not contain @needle. */
static void info_lacks(QTestState *qts, const char *needle)
{
    g_autofree char *out = qtest_hmp(qts, "info nswitch");

    if (strstr(out, needle)) {
        g_error("'info nswitch' still says '%s':\n%s", needle, out);
    }
}

static void test_hmp_nswitch_command(void)
{
    g_autofree char *path = g_strdup_printf("%s/nswitch-hmp-%d.pcap",
                                            g_get_tmp_dir(), getpid());
    g_autofree char *capture = g_strdup_printf("capture to %s: 0 frames, "
                                               "0 lost", path);
    Card c;

    card_start(&c, CARD, 0);
    set_vfs(c.qts, 3);
    hmp_says(c.qts, "nswitch vf DEVICE VF", "nswitch help");
    /* what succeeds says nothing; what it set shows in "info nswitch" */
    hmp_answers(c.qts, "", "nswitch vf nsw0 0 vlan 10 qos 3 trust on "
                "max_tx_rate 100");
    hmp_answers(c.qts, "rule 1\r\n", "nswitch acl-add nsw0 drop src 02:6e:00 "
                "ethertype 0x88b5");
    hmp_answers(c.qts, "", "nswitch relay-add nsw0 02:6e:00:00:00:99 vf 1");
    hmp_answers(c.qts, "", "nswitch mirror nsw0 2 group 02:6e:00");
    hmp_answers(c.qts, "", "nswitch capture nsw0 %s vf 1", path);
    hmp_says(c.qts, "vf0 policy: vlan 10 qos 3, trusted, max tx rate 100 "
             "Mbit/s", "info nswitch");
    hmp_says(c.qts, "acl rule 1: drop src 02:6e:00 dst any ethertype 0x88b5: "
             "0 hits", "info nswitch");
    hmp_says(c.qts, "02:6e:00:00:00:99 -> port 3 (group 02:6e:00, static)",
             "info nswitch");
    hmp_says(c.qts, "mirror to vf2 of 02:6e:00", "info nswitch");
    hmp_says(c.qts, capture, "info nswitch");
    assert_policy(c.qts, VF_PORT(0), "max-tx-rate", "100");

    hmp_says(c.qts, "0 frames in", "nswitch capture-stop nsw0");
    info_lacks(c.qts, "capture to");
    hmp_answers(c.qts, "", "nswitch mirror-stop nsw0");
    info_lacks(c.qts, "mirror to");
    hmp_answers(c.qts, "", "nswitch acl-remove nsw0 1");
    info_lacks(c.qts, "acl rule 1");
    hmp_answers(c.qts, "", "nswitch relay-remove nsw0 02:6e:00:00:00:99");
    info_lacks(c.qts, "02:6e:00:00:00:99");
    hmp_answers(c.qts, "", "nswitch vf nsw0 0 state disable spoofchk off");
    hmp_says(c.qts, "vf0 policy: vlan 10 qos 3, spoofchk off, trusted, link "
             "disable, link down", "info nswitch");

    hmp_says(c.qts, "'vlan' must be a number", "nswitch vf nsw0 0 vlan x");
    hmp_says(c.qts, "'state' must be auto, enable or disable",
             "nswitch vf nsw0 0 state off");
    hmp_says(c.qts, "'trust' needs a value", "nswitch vf nsw0 0 trust");
    hmp_says(c.qts, "unknown VF setting 'mtu'", "nswitch vf nsw0 0 mtu 9000");
    hmp_says(c.qts, "unknown subcommand", "nswitch frobnicate nsw0 1");
    hmp_says(c.qts, "needs the nswitch-nic's id", "nswitch vf");
    hmp_says(c.qts, "no nswitch-nic with id or QOM path 'nope'",
             "nswitch mirror-stop nope");
    hmp_says(c.qts, "the action must be allow, drop or mirror",
             "nswitch acl-add nsw0 reject");
    hmp_says(c.qts, "no ACL rule 1", "nswitch acl-remove nsw0 1");
    /* the removed ones are gone, not hidden: removing again fails */
    hmp_says(c.qts, "no mirror runs", "nswitch mirror-stop nsw0");
    hmp_says(c.qts, "no such entry", "nswitch relay-remove nsw0 "
             "02:6e:00:00:00:99");
    unlink(path);
    card_stop(&c);
}

static void test_bad_arguments_change_nothing(void)
{
    Card c;

    card_start(&c, CARD, 0);
    set_vfs(c.qts, 3);
    assert_qmp_error(c.qts, "no nswitch-nic with id or QOM path 'nope'",
                     "{'execute': 'nswitch-vf-set', 'arguments': "
                     "{'device': 'nope', 'vf': 0, 'trust': true}}");
    assert_qmp_error(c.qts, "VF 3 does not exist; the card has 3 VFs",
                     "{'execute': 'nswitch-vf-set', 'arguments': "
                     "{'device': 'nsw0', 'vf': 3, 'trust': true}}");
    assert_qmp_error(c.qts, "'vlan' must be 0 (none) to 4094, not 4095",
                     "{'execute': 'nswitch-vf-set', 'arguments': "
                     "{'device': 'nsw0', 'vf': 0, 'vlan': 4095, "
                     "'trust': true}}");
    assert_qmp_error(c.qts, "give 'vlan' too", "{'execute': 'nswitch-vf-set', "
                     "'arguments': {'device': 'nsw0', 'vf': 0, 'qos': 3}}");
    assert_qmp_error(c.qts, "'qos' must be 0 to 7", "{'execute': "
                     "'nswitch-vf-set', 'arguments': {'device': 'nsw0', "
                     "'vf': 0, 'vlan': 3, 'qos': 8}}");
    assert_qmp_error(c.qts, "'max-tx-rate' is 100001 Mbit/s; at most 100000",
                     "{'execute': 'nswitch-vf-set', 'arguments': "
                     "{'device': 'nsw0', 'vf': 0, 'max-tx-rate': 100001}}");
    assert_qmp_error(c.qts, "must be unicast", "{'execute': "
                     "'nswitch-vf-set', 'arguments': {'device': 'nsw0', "
                     "'vf': 0, 'mac': '03:00:00:00:00:01'}}");
    assert_qmp_error(c.qts, "'mac' must be a MAC address", "{'execute': "
                     "'nswitch-vf-set', 'arguments': {'device': 'nsw0', "
                     "'vf': 0, 'mac': '02:00:00:00:00:0g'}}");
    assert_qmp_error(c.qts, "does not accept value 'up'", "{'execute': "
                     "'nswitch-vf-set', 'arguments': {'device': 'nsw0', "
                     "'vf': 0, 'link-state': 'up'}}");
    /* none of the refused commands set anything */
    assert_policy(c.qts, VF_PORT(0), "trust", "false");
    assert_policy(c.qts, VF_PORT(0), "vlan", "0");
    assert_policy(c.qts, VF_PORT(0), "mac-pinned", "false");
    card_stop(&c);
}

static void test_vswitch_card_has_no_vf_policy(void)
{
    QTestState *qts = qtest_initf(MACHINE_ARGS " -netdev user,id=up "
                                  "-netdev user,id=n0 -netdev user,id=n1 "
                                  "-device nswitch-nic,bus=rp0,id=nsw0,"
                                  "netdev=up,vfs=2,mode=vswitch,"
                                  "vf-netdevs=n0:n1");

    prepare_machine(qts);
    map_vf_bars(qts, 2);
    assert_qmp_error(qts, "mode vswitch", "{'execute': 'nswitch-vf-set', "
                     "'arguments': {'device': 'nsw0', 'vf': 0, "
                     "'trust': true}}");
    /* A VF's link is its own netdev's, not the card's uplink's. */
    qtest_qmp_assert_success(qts, "{'execute': 'set_link', 'arguments': "
                             "{'name': 'up', 'up': false}}");
    g_assert_true(vf_link_up(qts, 0));
    qtest_qmp_assert_success(qts, "{'execute': 'set_link', 'arguments': "
                             "{'name': 'n0', 'up': false}}");
    g_assert_false(vf_link_up(qts, 0));
    g_assert_true(vf_link_up(qts, 1));
    qtest_quit(qts);
}

static void test_migration_keeps_policy_acl_and_mirror(void)
{
    int src_fd, dst_fd;
    QTestState *src = start_with_uplink(CARD, &src_fd);
    QTestState *dst;
    QDict *rsp, *card;

    set_vfs(src, 3);
    vf_set(src, "'vf': 1, 'mac': '02:6e:00:00:02:00', 'vlan': 12, 'qos': 4, "
           "'spoofchk': false, 'trust': true, 'link-state': 'disable', "
           "'max-tx-rate': 50");
    acl_add(src, "nsw0", "'action': 'drop', 'dst': '02:6e:00:00:00:03', "
            "'vlan': 0");
    qtest_qmp_assert_success(src, "{'execute': 'nswitch-mirror-start', "
                             "'arguments': {'device': 'nsw0', "
                             "'monitor-vf': 2, 'group': '02:6e:00'}}");
    dst = migrate_card(src, CARD, &dst_fd);

    assert_policy(dst, VF_PORT(1), "mac-pinned", "true");
    assert_policy(dst, VF_PORT(1), "vlan", "12");
    assert_policy(dst, VF_PORT(1), "qos", "4");
    assert_policy(dst, VF_PORT(1), "spoofchk", "false");
    assert_policy(dst, VF_PORT(1), "trust", "true");
    assert_policy(dst, VF_PORT(1), "link-state", "\"disable\"");
    assert_policy(dst, VF_PORT(1), "link-up", "false");
    assert_policy(dst, VF_PORT(1), "max-tx-rate", "50");
    g_assert_false(vf_link_up(dst, 1));
    card = query_card(dst, &rsp);
    g_assert_cmpstr(qdict_get_str(card_port(card, VF_PORT(1)), "mac"), ==,
                    "02:6e:00:00:02:00");
    g_assert_cmpstr(qdict_get_str(acl_rule(card, 0), "dst"), ==,
                    "02:6e:00:00:00:03");
    g_assert_cmpint(qdict_get_int(acl_rule(card, 0), "vlan"), ==, 0);
    g_assert_cmpstr(qdict_get_str(qdict_get_qdict(card, "mirror"), "group"),
                    ==, "02:6e:00");
    qobject_unref(rsp);
    /* the next rule gets a fresh id */
    g_assert_cmpint(acl_add(dst, "nsw0", "'action': 'allow'"), ==, 2);

    close(src_fd);
    close(dst_fd);
    qtest_quit(src);
    qtest_quit(dst);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    qtest_add_func("/nswitch-nic/policy/mac-pinned",
                   test_vf_mac_is_pinned_and_seen_by_the_driver);
    qtest_add_func("/nswitch-nic/policy/group",
                   test_group_moves_a_vf_to_another_relay_group);
    qtest_add_func("/nswitch-nic/policy/vlan",
                   test_port_vlan_tags_strips_and_refuses);
    qtest_add_func("/nswitch-nic/policy/spoofchk",
                   test_spoofchk_can_be_turned_off);
    qtest_add_func("/nswitch-nic/policy/link-state",
                   test_link_state_drives_the_vf_link);
    qtest_add_func("/nswitch-nic/policy/max-tx-rate",
                   test_max_tx_rate_paces_the_vf);
    qtest_add_func("/nswitch-nic/policy/bad-arguments",
                   test_bad_arguments_change_nothing);
    qtest_add_func("/nswitch-nic/policy/vswitch",
                   test_vswitch_card_has_no_vf_policy);
    qtest_add_func("/nswitch-nic/relay/static-entries",
                   test_static_relay_entries);
    qtest_add_func("/nswitch-nic/acl/drop-allow-count",
                   test_acl_rules_drop_allow_and_count);
    qtest_add_func("/nswitch-nic/monitoring/mirror",
                   test_mirror_copies_to_the_monitor_vf);
    qtest_add_func("/nswitch-nic/monitoring/capture",
                   test_capture_writes_in_card_frames_to_pcap);
    qtest_add_func("/nswitch-nic/scheduling/priority",
                   test_full_ring_serves_higher_priority_first);
    qtest_add_func("/nswitch-nic/hmp/nswitch",
                   test_hmp_nswitch_command);
    qtest_add_func("/nswitch-nic/migration/policy-acl-mirror",
                   test_migration_keeps_policy_acl_and_mirror);
    return g_test_run();
}
