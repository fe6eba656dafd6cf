/*
 * nswitch-nic qtests: every frame is accounted for. Each test is the
 * regression test of a path on which the card counted a frame delivered
 * that nobody received, or lost it without a count, or held more of
 * QEMU's memory than the card's buffer allows.
 *
 * Copyright (c) 2026 The nswitch-nic authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "nswitch/card.h"
#include "nswitch/frames.h"

/* Sends @count frames of @len bytes to @dst from VF0, one buffer reused. */
static void send_many(Card *c, const uint8_t *dst, size_t len, int count)
{
    g_autofree uint8_t *frame = g_malloc0(len);

    make_frame(frame, dst, c->mac[0], 0x5a);
    vf_send_from(&c->vf[0], BIG_FRAME_AREA, NULL, frame, len);
    for (int i = 1; i < count; i++) {
        queue_buffer(&c->vf[0], TX_QUEUE, BIG_FRAME_AREA, VNET_HDR_LEN + len,
                     false);
        wait_for_used(&c->vf[0], TX_QUEUE);
    }
}

/*
 * A guest whose VF posts no receive buffers: the card holds frames for it
 * only up to buffer-size bytes, card-wide, and counts the rest.
 */
static void test_buffer_size_bounds_what_the_card_holds(void)
{
    const size_t len = 60000;
    QDict *rsp, *card;
    Card c;

    /* room for two frames with their headers, not three */
    card_start(&c, ",vfs=2,buffer-size=150000,rx-queue=64", 2);
    send_many(&c, c.mac[1], len, 5);
    g_assert_cmpint(card_counter(c.qts, VF_PORT(1), "held"), ==, 2);
    g_assert_cmpint(card_counter(c.qts, VF_PORT(1), "dropped.buffer-full"),
                    ==, 3);
    card = query_card(c.qts, &rsp);
    g_assert_cmpint(qdict_get_int(card, "buffer-size"), ==, 150000);
    g_assert_cmpint(qdict_get_int(card, "buffered"), ==,
                    2 * (VNET_HDR_LEN + len));
    qobject_unref(rsp);
    assert_frames_accounted(c.qts);

    /* the held frames reach the guest once it posts buffers */
    for (int i = 0; i < 2; i++) {
        queue_buffer(&c.vf[1], RX_QUEUE, BIG_FRAME_AREA + 0x10000 * (i + 1),
                     0x10000, true);
        g_assert_cmpuint(wait_for_used(&c.vf[1], RX_QUEUE), ==,
                         VNET_HDR_LEN + len);
    }
    wait_for_counter(c.qts, VF_PORT(1), "tx-frames", 2);
    g_assert_cmpint(card_counter(c.qts, VF_PORT(1), "held"), ==, 0);
    card = query_card(c.qts, &rsp);
    g_assert_cmpint(qdict_get_int(card, "buffered"), ==, 0);
    qobject_unref(rsp);
    assert_frames_accounted(c.qts);
    card_stop(&c);
}

static void test_buffer_size_over_4g_is_refused(void)
{
    assert_device_add_fails_on_rp1("'buffer-size': 8589934592",
                                   "Property 'buffer-size'");
}

/*
 * QEMU's net layer swallows a frame for an uplink whose link is down.
 * VF0's link is forced up (with auto, it follows the uplink's, and its
 * virtio-net drops what its guest sends before the card sees it).
 */
static void test_uplink_link_down_is_a_drop(void)
{
    uint8_t frame[60], on_uplink[128];
    Card c;

    card_start(&c, ",vfs=2,id=card0", 2);
    qtest_qmp_assert_success(c.qts, "{'execute': 'nswitch-vf-set', "
                             "'arguments': {'device': 'card0', 'vf': 0, "
                             "'link-state': 'enable'}}");
    qtest_qmp_assert_success(c.qts, "{'execute': 'set_link', 'arguments': "
                             "{'name': 'uplink', 'up': false}}");
    make_frame(frame, other_oui_mac, c.mac[0], 0x11);
    vf_send(&c.vf[0], frame, sizeof(frame));
    wait_for_counter(c.qts, UPLINK_PORT, "dropped.link-down", 1);
    g_assert_cmpint(card_counter(c.qts, UPLINK_PORT, "tx-frames"), ==, 0);
    assert_frames_accounted(c.qts);

    qtest_qmp_assert_success(c.qts, "{'execute': 'set_link', 'arguments': "
                             "{'name': 'uplink', 'up': true}}");
    vf_send(&c.vf[0], frame, sizeof(frame));
    g_assert_cmpuint(uplink_receive(c.uplink_fd, on_uplink, sizeof(on_uplink),
                                    5000), ==, sizeof(frame));
    g_assert_cmpint(card_counter(c.qts, UPLINK_PORT, "tx-frames"), ==, 1);
    assert_frames_accounted(c.qts);
    card_stop(&c);
}

/*
 * A VF whose guest filters (promiscuous mode off, no VLAN allowed by
 * CTRL_VLAN, a MAC it set through the control queue that the card has
 * not seen yet): what virtio-net drops unseen is counted as filtered.
 */
static void test_what_virtio_net_filters_is_counted(void)
{
    const uint8_t off = 0;
    uint8_t frame[64], new_mac[6];
    Card c;

    card_start(&c, ",vfs=2", 2);
    vf_driver_start_with_features(&c.vf[1], c.qts, 1,
                                  (1u << VIRTIO_NET_F_CTRL_VQ) |
                                  (1u << VIRTIO_NET_F_CTRL_RX) |
                                  (1u << VIRTIO_NET_F_CTRL_VLAN));
    g_assert_cmpuint(vf_control(&c.vf[1], VIRTIO_NET_CTRL_RX,
                                VIRTIO_NET_CTRL_RX_PROMISC, &off, 1), ==,
                     VIRTIO_NET_OK);
    post_rx_buffer(&c.vf[1]);

    /* VLAN 5, which VF1's guest never allowed */
    make_frame(frame, c.mac[1], c.mac[0], 0x22);
    memmove(frame + 16, frame + 12, 48);
    frame[12] = 0x81;
    frame[13] = 0x00;
    frame[14] = 0x00;
    frame[15] = 0x05;
    vf_send(&c.vf[0], frame, sizeof(frame));
    wait_for_counter(c.qts, VF_PORT(1), "dropped.filtered", 1);
    g_assert_cmpint(card_counter(c.qts, VF_PORT(1), "tx-frames"), ==, 0);
    g_assert_true(queue_used_nothing(&c.vf[1], RX_QUEUE));

    /* VF1's guest moves to a MAC of its group; the card learns it late */
    vf_mac(new_mac, 1);
    new_mac[4] = 0x77;
    g_assert_cmpuint(vf_control(&c.vf[1], VIRTIO_NET_CTRL_MAC,
                                VIRTIO_NET_CTRL_MAC_ADDR_SET, new_mac, 6), ==,
                     VIRTIO_NET_OK);
    make_frame(frame, c.mac[1], c.mac[0], 0x23);
    vf_send(&c.vf[0], frame, 60);
    wait_for_counter(c.qts, VF_PORT(1), "dropped.filtered", 2);
    g_assert_true(queue_used_nothing(&c.vf[1], RX_QUEUE));
    /* VF1 sends: the card takes its new MAC */
    make_frame(frame, other_oui_mac, new_mac, 0x25);
    vf_send(&c.vf[1], frame, 60);

    /* and what it takes is delivered */
    make_frame(frame, new_mac, c.mac[0], 0x24);
    vf_send(&c.vf[0], frame, 60);
    g_assert_cmpuint(wait_for_used(&c.vf[1], RX_QUEUE), ==, VNET_HDR_LEN + 60);
    g_assert_cmpint(card_counter(c.qts, VF_PORT(1), "tx-frames"), ==, 1);
    assert_frames_accounted(c.qts);
    card_stop(&c);
}

/* An uplink broadcast with no function to take it is a drop, not a flood. */
static void test_uplink_broadcast_nobody_takes_is_a_drop(void)
{
    Card c;

    card_start(&c, ",vfs=2", 0);
    /* no VF enabled; the PF is the sender's owner and gets no copy */
    send_socket_frame(c.uplink_fd, broadcast_mac, pf_mac, 60);
    wait_for_counter(c.qts, PATHS, "dropped.no-destination", 1);
    g_assert_cmpint(card_counter(c.qts, PATHS, "flooded"), ==, 0);
    g_assert_cmpint(card_counter(c.qts, PF_PORT, "tx-frames"), ==, 0);
    assert_frames_accounted(c.qts);
    card_stop(&c);
}

/* Unknown unicast over the uplink's speed is a rate drop only. */
static void test_unknown_unicast_counted_when_it_leaves(void)
{
    /* 1 Mbit/s: a burst of 65792 bytes, then nothing without clock steps */
    const size_t len = 1500;
    const int sent = 50, fit = 65792 / len;
    uint8_t unknown[6];
    Card c;

    card_start(&c, ",vfs=2,uplink-speed=1", 2);
    vf_mac(unknown, 7);          /* in VF0's group, owned by nobody */
    send_many(&c, unknown, len, sent);
    g_assert_cmpint(card_counter(c.qts, PATHS, "to-uplink"), ==, fit);
    g_assert_cmpint(card_counter(c.qts, PATHS, "unknown-unicast"), ==, fit);
    g_assert_cmpint(card_counter(c.qts, PATHS, "dropped.uplink-rate"), ==,
                    sent - fit);
    assert_frames_accounted(c.qts);
    card_stop(&c);
}

/*
 * An uplink netdev that takes no more (nobody reads the socket): frames
 * wait in QEMU's queue up to rx-queue and the card's buffer, the rest are
 * dropped, and those that waited count as delivered only when they go.
 */
static void test_uplink_that_takes_no_more(void)
{
    const size_t len = 60000;
    const int sent = 100;
    g_autofree uint8_t *on_uplink = g_malloc(len);
    int64_t received = 0;
    Card c;

    card_start(&c, ",vfs=2,rx-queue=16", 2);
    send_many(&c, other_oui_mac, len, sent);
    g_assert_cmpint(card_counter(c.qts, UPLINK_PORT, "held"), >, 0);
    g_assert_cmpint(card_counter(c.qts, UPLINK_PORT,
                                 "dropped.receiver-full"), >, 0);
    assert_frames_accounted(c.qts);

    /* each frame read lets QEMU's queue go on; bounded by what was sent */
    while (received < sent) {
        g_assert_cmpuint(uplink_receive(c.uplink_fd, on_uplink, len, 5000),
                         ==, len);
        received++;
        if (received == card_counter(c.qts, UPLINK_PORT, "tx-frames") &&
            !card_counter(c.qts, UPLINK_PORT, "held")) {
            break;
        }
    }
    g_assert_cmpint(received, <, sent);
    g_assert_cmpint(received + card_counter(c.qts, UPLINK_PORT,
                                            "dropped.receiver-full"), ==,
                    sent);
    assert_frames_accounted(c.qts);
    card_stop(&c);
}

/* Frames the card held when the VM migrated are counted on arrival. */
static void test_held_frames_are_counted_at_migration(void)
{
    QTestState *dst;
    int dst_fd;
    Card c;

    card_start(&c, ",vfs=2", 2);
    send_many(&c, c.mac[1], 60, 3);
    g_assert_cmpint(card_counter(c.qts, VF_PORT(1), "held"), ==, 3);
    dst = migrate_card(c.qts, ",vfs=2", &dst_fd);
    g_assert_cmpint(card_counter(dst, VF_PORT(1), "held"), ==, 0);
    g_assert_cmpint(card_counter(dst, VF_PORT(1), "dropped.migrated"), ==, 3);
    g_assert_cmpint(card_counter(dst, PATHS, "dropped.migrated"), ==, 3);
    g_assert_cmpint(card_counter(dst, VF_PORT(0), "rx-frames"), ==, 3);
    assert_frames_accounted(dst);
    close(dst_fd);
    qtest_quit(dst);
    card_stop(&c);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    qtest_add_func("/nswitch-nic/accounting/buffer-size",
                   test_buffer_size_bounds_what_the_card_holds);
    qtest_add_func("/nswitch-nic/accounting/buffer-size-over-4g",
                   test_buffer_size_over_4g_is_refused);
    qtest_add_func("/nswitch-nic/accounting/uplink-link-down",
                   test_uplink_link_down_is_a_drop);
    qtest_add_func("/nswitch-nic/accounting/virtio-net-filters",
                   test_what_virtio_net_filters_is_counted);
    qtest_add_func("/nswitch-nic/accounting/uplink-broadcast-nobody-takes",
                   test_uplink_broadcast_nobody_takes_is_a_drop);
    qtest_add_func("/nswitch-nic/accounting/unknown-unicast-over-rate",
                   test_unknown_unicast_counted_when_it_leaves);
    qtest_add_func("/nswitch-nic/accounting/uplink-takes-no-more",
                   test_uplink_that_takes_no_more);
    qtest_add_func("/nswitch-nic/accounting/held-frames-migrated",
                   test_held_frames_are_counted_at_migration);
    return g_test_run();
}
